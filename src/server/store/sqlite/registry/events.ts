/** The registry's audit trail in SQLite: written inside the transaction of the change it records. */
import type { RegistryEvent, RegistryEventKind } from '../../../../protocol/registry-entities.js'
import type { AuditInput, AliasHistory, HistoryInput } from '../../registry-store.js'
import type { Page } from '../../tracking-store.js'
import { eventFromRow, type EventRow, type RegistryContext } from './rows.js'

export interface EventInput {
  modelPk: number
  timestamp: number
  kind: RegistryEventKind
  alias?: string
  version?: number
  oldValue: string | null
  newValue: string | null
}

const EVENT_COLUMNS =
  'e.event_id, m.name, e.timestamp, e.user_id, e.kind, e.action, e.alias, e.version, e.old_value, e.new_value, e.reason, e.details'

export class SqliteRegistryEvents {
  constructor(private readonly ctx: RegistryContext) {}

  /** Writes one event; call inside the change's transaction. Returns its id. */
  write(e: EventInput, audit: AuditInput): number {
    const info = this.ctx.sql
      .get(
        `INSERT INTO registry_events (model_pk, timestamp, user_id, kind, action, alias, version, old_value, new_value, reason, details)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.modelPk,
        e.timestamp,
        audit.user,
        e.kind,
        audit.action ?? 'api',
        e.alias ?? null,
        e.version ?? null,
        e.oldValue,
        e.newValue,
        audit.reason === undefined || audit.reason === '' ? null : audit.reason,
        audit.details === undefined ? null : JSON.stringify(audit.details),
      )
    return Number(info.lastInsertRowid)
  }

  /** A model's events, newest first; a model that no longer exists has none to list. */
  list(modelPk: number, input: HistoryInput): Page<RegistryEvent> {
    const rows = (
      input.alias === undefined
        ? this.ctx.sql
            .get(
              `SELECT ${EVENT_COLUMNS} FROM registry_events e JOIN registered_models m ON m.model_pk = e.model_pk
                WHERE e.model_pk = ? ORDER BY e.event_id DESC LIMIT ? OFFSET ?`,
            )
            .all(modelPk, input.maxResults + 1, input.offset)
        : this.ctx.sql
            .get(
              `SELECT ${EVENT_COLUMNS} FROM registry_events e JOIN registered_models m ON m.model_pk = e.model_pk
                WHERE e.model_pk = ? AND e.alias = ? ORDER BY e.event_id DESC LIMIT ? OFFSET ?`,
            )
            .all(modelPk, input.alias, input.maxResults + 1, input.offset)
    ) as EventRow[]
    const more = rows.length > input.maxResults
    return {
      items: (more ? rows.slice(0, input.maxResults) : rows).map(eventFromRow),
      nextOffset: more ? input.offset + input.maxResults : null,
    }
  }

  /** Every event of one alias, newest first, and where it points now. Call inside a read transaction. */
  aliasHistory(modelPk: number, alias: string): AliasHistory {
    const rows = this.ctx.sql
      .get(
        `SELECT ${EVENT_COLUMNS} FROM registry_events e JOIN registered_models m ON m.model_pk = e.model_pk
          WHERE e.model_pk = ? AND e.alias = ? ORDER BY e.event_id DESC`,
      )
      .all(modelPk, alias) as EventRow[]
    const current = this.ctx.sql
      .pluck('SELECT version FROM registered_model_aliases WHERE model_pk = ? AND alias = ?')
      .get(modelPk, alias) as number | undefined
    return { current: current ?? null, events: rows.map(eventFromRow) }
  }
}
