/** Options and answers of the registry SDK (registry.ts), and the wire mappers only it needs. */
import type { WirePolicy } from '../protocol/registry-api.js'
import type {
  ModelVersion,
  RegisteredModel,
  RegistryEvent,
  StoredPolicy,
} from '../protocol/registry-entities.js'

export interface RegistrySearchOptions {
  /** The search language: `name LIKE 'fraud%'`, `tags.team = 'risk'`, `run_id = '…'` (Cairn adds OR and parentheses). */
  filter?: string
  /** e.g. ['name ASC'], ['version_number DESC']. */
  orderBy?: string[]
  /** Page size; with autoPaginate, the most results returned in all. */
  maxResults?: number
  pageToken?: string
  /** Follow next_page_token until there are no more results (or maxResults are in hand). */
  autoPaginate?: boolean
}

export interface RegisteredModelPage {
  registeredModels: RegisteredModel[]
  nextPageToken: string | null
}

export interface ModelVersionPage {
  modelVersions: ModelVersion[]
  nextPageToken: string | null
}

export interface RegistryHistoryOptions {
  /** Only this alias's events (its moves and its policy's changes). */
  alias?: string
  /** Page size (server: 1–1000, default 100); with autoPaginate, the most events returned. */
  maxResults?: number
  pageToken?: string
  autoPaginate?: boolean
}

export interface RegistryHistoryPage {
  /** Newest first. */
  events: RegistryEvent[]
  nextPageToken: string | null
}

export interface CreateModelVersionOptions {
  /** Default: the run of a `runs:/<run_id>/…` source. */
  runId?: string
  tags?: Record<string, string>
  runLink?: string
  description?: string
  /**
   * Poll until the version leaves PENDING_REGISTRATION (READY or FAILED_REGISTRATION). Cairn's
   * server already answers the final state; MLflow's may not. The version is returned either way:
   * check `status` (and `statusMessage`).
   */
  wait?: boolean
  /** How long `wait` polls before giving up with INVALID_STATE (default 300 s, as MLflow's client). */
  waitTimeoutMs?: number
  /** Default 1000 ms. */
  pollIntervalMs?: number
}

export interface PromoteOptions {
  /** Default `champion`. */
  alias?: string
  /** Evaluate and report; change nothing. */
  dryRun?: boolean
  /** Move the alias whatever the verdict; needs a `reason` (the audit trail records both). */
  force?: boolean
  reason?: string
  /**
   * Move only if the alias still points at this version (null: only if it is unset), e.g. the
   * holder a dry run showed to a person. Otherwise the move fails with RESOURCE_CONFLICT (409).
   */
  expectedCurrentVersion?: string | number | null
}

export interface RollbackResult {
  name: string
  alias: string
  /** null when the alias was unset (the move undone was a delete). */
  fromVersion: string | null
  toVersion: string
  eventId: number
}

export interface ResolvedModelUri {
  uri: string
  /** Where the files are. */
  location: string
  runId?: string
  /** For `models:/` URIs: the version, with `storageLocation` and `signature`. */
  modelVersion?: ModelVersion
}

/** A version as the API takes it: "3" or 3. */
export type VersionRef = string | number

export const tagList = (tags: Record<string, string> | undefined): { key: string; value: string }[] =>
  Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }))

export function policyFromWire(
  w: Partial<WirePolicy> & Pick<WirePolicy, 'policy' | 'updated_timestamp' | 'user_id'>,
  asked: { name: string; alias: string },
): StoredPolicy {
  const document = w.policy
  const alias = w.alias ?? (typeof document['alias'] === 'string' ? document['alias'] : asked.alias)
  return {
    name: w.name ?? asked.name,
    alias,
    document,
    updatedTimestamp: Number(w.updated_timestamp),
    userId: w.user_id ?? '',
  }
}

/** The run of a `runs:/<run_id>/<path>` URI, else undefined. */
export function runIdOfRunsUri(uri: string): string | undefined {
  const m = /^runs:\/([^/]+)/i.exec(uri)
  return m?.[1]
}
