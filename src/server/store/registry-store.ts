/**
 * The registry store: registered models, versions, tags, aliases, stages, promotion policies and
 * the audit trail. The registry service (server/registry) and the HTTP layer see this interface,
 * never a backend's tables.
 *
 * Input is already validated (protocol/registry-validation.ts) when it arrives here. Backends
 * enforce what needs the stored state (unique names, existing versions, compare-and-set on
 * aliases) and throw CairnError with MLflow's codes and messages.
 *
 * Every alias move, stage transition, version creation and deletion writes its audit event in the
 * same transaction as the change: a change is never visible without its event, nor the other way.
 */
import type { Tag } from '../../protocol/entities.js'
import type { FilterExpr, OrderKey } from '../../protocol/filter/ast.js'
import type {
  ModelSignature,
  ModelVersion,
  ModelVersionStage,
  ModelVersionStatus,
  RegisteredModel,
  RegistryEvent,
  RegistryEventAction,
  StoredPolicy,
} from '../../protocol/registry-entities.js'
import type { Page } from './tracking-store.js'

/** Who made a change, how and why: written into the audit event. */
export interface AuditInput {
  user: string
  /** Default 'api'. */
  action?: RegistryEventAction
  reason?: string
  details?: unknown
}

export interface CreateRegisteredModelInput {
  name: string
  description: string
  tags: Tag[]
}

export interface CreateModelVersionInput {
  name: string
  source: string
  storageLocation: string
  runId: string
  runLink: string
  description: string
  userId: string
  tags: Tag[]
  status: ModelVersionStatus
  statusMessage: string
  signature: ModelSignature | null
}

/** What reading the model's files concluded, set once registration ends. */
export interface RegistrationOutcome {
  status: ModelVersionStatus
  statusMessage: string
  signature: ModelSignature | null
}

export interface TransitionInput {
  name: string
  version: number
  stage: ModelVersionStage
  /** Move the other versions in `stage` to Archived. */
  archiveExisting: boolean
}

export interface RegistrySearchInput {
  filter: FilterExpr | null
  orderBy: OrderKey[]
  maxResults: number
  offset: number
}

export interface SetAliasInput {
  name: string
  alias: string
  version: number
  /**
   * Compare-and-set: move only if the alias points at this version now (null: only if unset).
   * Absent: move whatever it points at (MLflow's set-alias).
   */
  expected?: number | null
}

export interface DeleteAliasInput {
  name: string
  alias: string
  expected?: number | null
}

/** An alias change as made: versions before and after (null = unset), and its audit event. */
export interface AliasMove {
  name: string
  alias: string
  oldVersion: number | null
  newVersion: number | null
  /** Null when nothing changed (the alias already pointed there), so no event was written. */
  eventId: number | null
}

export interface HistoryInput {
  name: string
  /** Only events about this alias. */
  alias?: string
  maxResults: number
  offset: number
}

/** An alias's whole story, read in one transaction: where it points now and every event, newest first. */
export interface AliasHistory {
  current: number | null
  events: RegistryEvent[]
}

export interface DeletedVersion {
  name: string
  version: number
  /** Aliases that pointed at the version and were removed with it. */
  removedAliases: string[]
}

export interface DeletedModel {
  name: string
  aliases: string[]
}

export interface RegistryStore {
  readonly kind: string

  // Registered models. Unknown names: RESOURCE_DOES_NOT_EXIST "Registered Model with name=x not found".
  createRegisteredModel(input: CreateRegisteredModelInput): Promise<RegisteredModel>
  getRegisteredModel(name: string): Promise<RegisteredModel>
  /** RESOURCE_ALREADY_EXISTS when the new name is taken. Versions, aliases and history follow. */
  renameRegisteredModel(name: string, newName: string, audit: AuditInput): Promise<RegisteredModel>
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel>
  /** Deletes versions, tags, aliases and policies; the audit trail is kept. */
  deleteRegisteredModel(name: string, audit: AuditInput): Promise<DeletedModel>
  searchRegisteredModels(input: RegistrySearchInput): Promise<Page<RegisteredModel>>
  setRegisteredModelTag(name: string, tag: Tag): Promise<void>
  /** A tag that is not set is not an error (MLflow). */
  deleteRegisteredModelTag(name: string, key: string): Promise<void>

  // Model versions. Unknown: RESOURCE_DOES_NOT_EXIST "Model Version (name=x, version=n) not found".
  /** The next number (never reused, even after deletions), with a `version_created` event. */
  createModelVersion(input: CreateModelVersionInput, audit: AuditInput): Promise<ModelVersion>
  finishRegistration(name: string, version: number, outcome: RegistrationOutcome): Promise<ModelVersion>
  getModelVersion(name: string, version: number): Promise<ModelVersion>
  updateModelVersion(name: string, version: number, description: string): Promise<ModelVersion>
  /** Removes the version, its tags and the aliases pointing at it (each with its event). */
  deleteModelVersion(name: string, version: number, audit: AuditInput): Promise<DeletedVersion>
  transitionModelVersionStage(input: TransitionInput, audit: AuditInput): Promise<ModelVersion>
  /** Versions without their aliases, as MLflow's search answers them. */
  searchModelVersions(input: RegistrySearchInput): Promise<Page<ModelVersion>>
  setModelVersionTag(name: string, version: number, tag: Tag): Promise<void>
  deleteModelVersionTag(name: string, version: number, key: string): Promise<void>

  // Aliases.
  /** RESOURCE_DOES_NOT_EXIST for a missing version; RESOURCE_CONFLICT when `expected` does not hold. */
  setAlias(input: SetAliasInput, audit: AuditInput): Promise<AliasMove>
  /** Deleting an unset alias is not an error (MLflow); it writes no event. */
  deleteAlias(input: DeleteAliasInput, audit: AuditInput): Promise<AliasMove>
  /** The version an alias points at, or null (also for an unknown model). */
  getAliasVersion(name: string, alias: string): Promise<number | null>
  aliasHistory(name: string, alias: string): Promise<AliasHistory>

  // Audit trail, newest first.
  listEvents(input: HistoryInput): Promise<Page<RegistryEvent>>

  // Promotion policies, one per (model, alias). The document is stored as given (validated above).
  getPolicy(name: string, alias: string): Promise<StoredPolicy | null>
  listPolicies(name: string): Promise<StoredPolicy[]>
  setPolicy(
    policy: { name: string; alias: string; document: Record<string, unknown> },
    audit: AuditInput,
  ): Promise<StoredPolicy>
  /** False when there was none. */
  deletePolicy(name: string, alias: string, audit: AuditInput): Promise<boolean>

  close(): Promise<void>
}
