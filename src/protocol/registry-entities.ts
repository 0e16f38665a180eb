/** The model registry's domain types (camelCase). Wire forms and mappers: registry-wire.ts. */
import type { Tag } from './entities.js'

/** MLflow's fixed stages, in its canonical spelling (input is case-insensitive). */
export const MODEL_VERSION_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const
export type ModelVersionStage = (typeof MODEL_VERSION_STAGES)[number]

export const MODEL_VERSION_STATUSES = ['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'] as const
export type ModelVersionStatus = (typeof MODEL_VERSION_STATUSES)[number]

/** A model's signature as its `MLmodel` file stores it: JSON text of the column or tensor specs. */
export interface ModelSignature {
  inputs?: string
  outputs?: string
  params?: string
}

export interface ModelVersion {
  name: string
  /** A decimal integer, as MLflow sends it. */
  version: string
  creationTimestamp: number
  lastUpdatedTimestamp: number
  /** '' when unknown. */
  userId: string
  currentStage: ModelVersionStage
  description: string
  /** The URI the client registered. */
  source: string
  /** '' when the version has no run. */
  runId: string
  runLink: string
  status: ModelVersionStatus
  /** '' when there is nothing to say. */
  statusMessage: string
  tags: Tag[]
  /** Aliases pointing at this version, sorted. */
  aliases: string[]
  /** Where the files are: `source`, or what a `runs:/` or `models:/` source resolved to. Cairn only. */
  storageLocation?: string
  /** From the `MLmodel` file, when it has one. Cairn only. */
  signature?: ModelSignature | null
}

export interface ModelAlias {
  alias: string
  version: string
}

export interface RegisteredModel {
  name: string
  creationTimestamp: number
  lastUpdatedTimestamp: number
  userId: string
  /** '' when none. */
  description: string
  /** The highest version in each stage (MLflow's `latest_versions`); without aliases, as MLflow. */
  latestVersions: ModelVersion[]
  tags: Tag[]
  /** Sorted by alias. */
  aliases: ModelAlias[]
}

/** What an audit event records. */
export const REGISTRY_EVENT_KINDS = [
  'version_created',
  'version_deleted',
  'stage_transition',
  'alias_set',
  'alias_deleted',
  'model_renamed',
  'model_deleted',
  'policy_set',
  'policy_deleted',
] as const
export type RegistryEventKind = (typeof REGISTRY_EVENT_KINDS)[number]

/**
 * How the change came about: a plain API call, a promotion (forced or not), a rollback, or as a
 * consequence of another change (an alias removed because its version was deleted; a version
 * archived by a transition with `archive_existing_versions`).
 */
export const REGISTRY_EVENT_ACTIONS = ['api', 'promote', 'promote_forced', 'rollback', 'cascade'] as const
export type RegistryEventAction = (typeof REGISTRY_EVENT_ACTIONS)[number]

export interface RegistryEvent {
  eventId: number
  /** The model's current name (events follow a rename). */
  name: string
  timestamp: number
  userId: string
  kind: RegistryEventKind
  action: RegistryEventAction
  alias?: string
  /** The version the event is about. */
  version?: string
  /** Before → after: versions for alias events, stages for transitions, names for renames. */
  oldValue: string | null
  newValue: string | null
  reason?: string
  /** Structured extras, e.g. a promotion's checks. */
  details?: unknown
}

/** A promotion policy as stored: the validated document and who set it when. */
export interface StoredPolicy {
  name: string
  alias: string
  /** The policy document in its wire (snake_case) form; see promotion-policy.ts. */
  document: Record<string, unknown>
  updatedTimestamp: number
  userId: string
}
