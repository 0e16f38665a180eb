/**
 * Aliases in SQLite, with compare-and-set. The caller runs these inside an IMMEDIATE transaction,
 * so the read of the current version and the write are one step for every process sharing the
 * database: of two moves expecting the same version, the second sees the first's result.
 */
import { CairnError } from '../../../../protocol/errors.js'
import type { AliasMove, AuditInput, DeleteAliasInput, SetAliasInput } from '../../registry-store.js'
import type { SqliteRegistryEvents } from './events.js'
import type { ModelRow, RegistryContext } from './rows.js'
import type { SqliteModelVersions } from './versions.js'

const describe = (v: number | null): string => (v === null ? 'unset' : `version ${v}`)

export class SqliteAliases {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly versions: SqliteModelVersions,
    private readonly events: SqliteRegistryEvents,
  ) {}

  current(modelPk: number, alias: string): number | null {
    const v = this.ctx.sql
      .pluck('SELECT version FROM registered_model_aliases WHERE model_pk = ? AND alias = ?')
      .get(modelPk, alias) as number | undefined
    return v ?? null
  }

  private check(
    model: ModelRow,
    alias: string,
    expected: number | null | undefined,
    now: number | null,
  ): void {
    if (expected === undefined || expected === now) return
    throw new CairnError(
      'RESOURCE_CONFLICT',
      `Alias '${alias}' of model '${model.name}' is ${describe(now)}, not ${describe(expected)} as this request expected: ` +
        'another change moved it first. Nothing was changed; read the alias again and retry.',
    )
  }

  set(model: ModelRow, input: SetAliasInput, audit: AuditInput): AliasMove {
    this.versions.requireExists(model, input.version)
    const old = this.current(model.model_pk, input.alias)
    this.check(model, input.alias, input.expected, old)
    const move: AliasMove = {
      name: model.name,
      alias: input.alias,
      oldVersion: old,
      newVersion: input.version,
      eventId: null,
    }
    if (old === input.version) return move
    this.ctx.sql
      .get(
        `INSERT INTO registered_model_aliases (model_pk, alias, version) VALUES (?, ?, ?)
         ON CONFLICT DO UPDATE SET version = excluded.version`,
      )
      .run(model.model_pk, input.alias, input.version)
    move.eventId = this.events.write(
      {
        modelPk: model.model_pk,
        timestamp: this.ctx.clock.now(),
        kind: 'alias_set',
        alias: input.alias,
        version: input.version,
        oldValue: old === null ? null : String(old),
        newValue: String(input.version),
      },
      audit,
    )
    return move
  }

  delete(model: ModelRow, input: DeleteAliasInput, audit: AuditInput): AliasMove {
    const old = this.current(model.model_pk, input.alias)
    this.check(model, input.alias, input.expected, old)
    const move: AliasMove = {
      name: model.name,
      alias: input.alias,
      oldVersion: old,
      newVersion: null,
      eventId: null,
    }
    if (old === null) return move
    this.ctx.sql
      .get('DELETE FROM registered_model_aliases WHERE model_pk = ? AND alias = ?')
      .run(model.model_pk, input.alias)
    move.eventId = this.events.write(
      {
        modelPk: model.model_pk,
        timestamp: this.ctx.clock.now(),
        kind: 'alias_deleted',
        alias: input.alias,
        version: old,
        oldValue: String(old),
        newValue: null,
      },
      audit,
    )
    return move
  }
}
