/** Promotion policies in SQLite: one document per (model, alias), changes recorded in the audit trail. */
import type { StoredPolicy } from '../../../../protocol/registry-entities.js'
import type { AuditInput } from '../../registry-store.js'
import type { SqliteRegistryEvents } from './events.js'
import type { ModelRow, RegistryContext } from './rows.js'

interface PolicyRow {
  alias: string
  document: string
  updated_time: number
  user_id: string
}

export class SqlitePolicies {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly events: SqliteRegistryEvents,
  ) {}

  private entity(model: ModelRow, row: PolicyRow): StoredPolicy {
    return {
      name: model.name,
      alias: row.alias,
      document: JSON.parse(row.document) as Record<string, unknown>,
      updatedTimestamp: row.updated_time,
      userId: row.user_id,
    }
  }

  get(model: ModelRow, alias: string): StoredPolicy | null {
    const row = this.ctx.sql
      .get(
        'SELECT alias, document, updated_time, user_id FROM registry_policies WHERE model_pk = ? AND alias = ?',
      )
      .get(model.model_pk, alias) as PolicyRow | undefined
    return row ? this.entity(model, row) : null
  }

  list(model: ModelRow): StoredPolicy[] {
    const rows = this.ctx.sql
      .get(
        'SELECT alias, document, updated_time, user_id FROM registry_policies WHERE model_pk = ? ORDER BY alias',
      )
      .all(model.model_pk) as PolicyRow[]
    return rows.map((r) => this.entity(model, r))
  }

  set(
    model: ModelRow,
    policy: { alias: string; document: Record<string, unknown> },
    audit: AuditInput,
  ): StoredPolicy {
    const now = this.ctx.clock.now()
    const before = this.get(model, policy.alias)
    const text = JSON.stringify(policy.document)
    this.ctx.sql
      .get(
        `INSERT INTO registry_policies (model_pk, alias, document, updated_time, user_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET document = excluded.document, updated_time = excluded.updated_time, user_id = excluded.user_id`,
      )
      .run(model.model_pk, policy.alias, text, now, audit.user)
    this.events.write(
      {
        modelPk: model.model_pk,
        timestamp: now,
        kind: 'policy_set',
        alias: policy.alias,
        oldValue: before === null ? null : JSON.stringify(before.document),
        newValue: text,
      },
      audit,
    )
    return this.get(model, policy.alias)!
  }

  delete(model: ModelRow, alias: string, audit: AuditInput): boolean {
    const before = this.get(model, alias)
    if (before === null) return false
    this.ctx.sql
      .get('DELETE FROM registry_policies WHERE model_pk = ? AND alias = ?')
      .run(model.model_pk, alias)
    this.events.write(
      {
        modelPk: model.model_pk,
        timestamp: this.ctx.clock.now(),
        kind: 'policy_deleted',
        alias,
        oldValue: JSON.stringify(before.document),
        newValue: null,
      },
      audit,
    )
    return true
  }
}
