/** Registry rows as SQLite returns them, their entities, and what every registry repository shares. */
import { notFound } from '../../../../protocol/errors.js'
import type { Tag } from '../../../../protocol/entities.js'
import type {
  ModelSignature,
  ModelVersion,
  ModelVersionStage,
  ModelVersionStatus,
  RegistryEvent,
  RegistryEventAction,
  RegistryEventKind,
} from '../../../../protocol/registry-entities.js'
import type { Clock } from '../../../util/clock.js'
import type { StatementCache } from '../context.js'
import type { SqliteDb } from '../db.js'

export interface RegistryContext {
  db: SqliteDb
  clock: Clock
  sql: StatementCache
}

export interface ModelRow {
  model_pk: number
  name: string
  creation_time: number
  last_updated_time: number
  description: string
  user_id: string
  last_version: number
}

export const MODEL_COLUMNS =
  'model_pk, name, creation_time, last_updated_time, description, user_id, last_version'

export interface VersionRow {
  model_pk: number
  name: string
  version: number
  creation_time: number
  last_updated_time: number
  user_id: string
  current_stage: ModelVersionStage
  description: string
  source: string
  storage_location: string
  run_id: string
  run_link: string
  status: ModelVersionStatus
  status_message: string
  signature: string | null
}

/** Version columns; `v` is model_versions. */
export const VERSION_COLUMNS =
  'v.model_pk, v.name, v.version, v.creation_time, v.last_updated_time, v.user_id, v.current_stage, v.description, ' +
  'v.source, v.storage_location, v.run_id, v.run_link, v.status, v.status_message, v.signature'

export interface EventRow {
  event_id: number
  name: string
  timestamp: number
  user_id: string
  kind: RegistryEventKind
  action: RegistryEventAction
  alias: string | null
  version: number | null
  old_value: string | null
  new_value: string | null
  reason: string | null
  details: string | null
}

/** `(model_pk, version)` pairs bound as one JSON array, joined as `j`: one statement serves any number. */
export const VERSION_KEYS = 'json_each(?) j'
export const ON_VERSION_KEYS = (table: string): string =>
  `${table}.model_pk = json_extract(j.value, '$[0]') AND ${table}.version = json_extract(j.value, '$[1]')`

export const versionKey = (modelPk: number, version: number): string => `${modelPk}:${version}`

export function modelNotFound(name: string): Error {
  return notFound(`Registered Model with name=${name} not found`)
}

export function versionNotFound(name: string, version: number | string): Error {
  return notFound(`Model Version (name=${name}, version=${version}) not found`)
}

export function versionFromRow(row: VersionRow, tags: Tag[], aliases: string[]): ModelVersion {
  return {
    name: row.name,
    version: String(row.version),
    creationTimestamp: row.creation_time,
    lastUpdatedTimestamp: row.last_updated_time,
    userId: row.user_id,
    currentStage: row.current_stage,
    description: row.description,
    source: row.source,
    runId: row.run_id,
    runLink: row.run_link,
    status: row.status,
    statusMessage: row.status_message,
    tags,
    aliases,
    storageLocation: row.storage_location,
    signature: row.signature === null ? null : (JSON.parse(row.signature) as ModelSignature),
  }
}

export function eventFromRow(row: EventRow): RegistryEvent {
  const out: RegistryEvent = {
    eventId: row.event_id,
    name: row.name,
    timestamp: row.timestamp,
    userId: row.user_id,
    kind: row.kind,
    action: row.action,
    oldValue: row.old_value,
    newValue: row.new_value,
  }
  if (row.alias !== null) out.alias = row.alias
  if (row.version !== null) out.version = String(row.version)
  if (row.reason !== null) out.reason = row.reason
  if (row.details !== null) out.details = JSON.parse(row.details) as unknown
  return out
}
