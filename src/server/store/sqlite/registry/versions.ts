/** Model versions in SQLite: creation, reads in batches, stage transitions, tags, deletion. */
import type { Tag } from '../../../../protocol/entities.js'
import type { ModelVersion } from '../../../../protocol/registry-entities.js'
import type {
  AuditInput,
  CreateModelVersionInput,
  DeletedVersion,
  RegistrationOutcome,
  TransitionInput,
} from '../../registry-store.js'
import type { SqliteRegistryEvents } from './events.js'
import {
  ON_VERSION_KEYS,
  VERSION_COLUMNS,
  VERSION_KEYS,
  versionFromRow,
  versionKey,
  versionNotFound,
  type ModelRow,
  type RegistryContext,
  type VersionRow,
} from './rows.js'

export interface VersionRef {
  modelPk: number
  version: number
}

const keysJson = (refs: readonly VersionRef[]): string =>
  JSON.stringify(refs.map((r) => [r.modelPk, r.version]))

export class SqliteModelVersions {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly events: SqliteRegistryEvents,
  ) {}

  /** Versions with their tags (and aliases unless told not to), in the order asked; missing ones skipped. */
  load(refs: readonly VersionRef[], opts: { aliases: boolean } = { aliases: true }): ModelVersion[] {
    if (refs.length === 0) return []
    const { sql } = this.ctx
    const keys = keysJson(refs)
    const rows = sql
      .get(
        `SELECT ${VERSION_COLUMNS} FROM ${VERSION_KEYS} JOIN model_versions v ON ${ON_VERSION_KEYS('v')} ORDER BY j.key`,
      )
      .all(keys) as VersionRow[]
    const tags = new Map<string, Tag[]>()
    const tagRows = sql
      .get(
        `SELECT t.model_pk, t.version, t.key, t.value FROM ${VERSION_KEYS}
           JOIN model_version_tags t ON ${ON_VERSION_KEYS('t')} ORDER BY t.rowid`,
      )
      .all(keys) as { model_pk: number; version: number; key: string; value: string }[]
    for (const t of tagRows) {
      const k = versionKey(t.model_pk, t.version)
      let list = tags.get(k)
      if (!list) tags.set(k, (list = []))
      list.push({ key: t.key, value: t.value })
    }
    const aliases = new Map<string, string[]>()
    if (opts.aliases) {
      const aliasRows = sql
        .get(
          `SELECT a.model_pk, a.version, a.alias FROM ${VERSION_KEYS}
             JOIN registered_model_aliases a ON ${ON_VERSION_KEYS('a')} ORDER BY a.alias`,
        )
        .all(keys) as { model_pk: number; version: number; alias: string }[]
      for (const a of aliasRows) {
        const k = versionKey(a.model_pk, a.version)
        let list = aliases.get(k)
        if (!list) aliases.set(k, (list = []))
        list.push(a.alias)
      }
    }
    return rows.map((r) => {
      const k = versionKey(r.model_pk, r.version)
      return versionFromRow(r, tags.get(k) ?? [], aliases.get(k) ?? [])
    })
  }

  /** The version or RESOURCE_DOES_NOT_EXIST (also when the model is unknown). */
  get(name: string, version: number): ModelVersion {
    const pk = this.ctx.sql.pluck('SELECT model_pk FROM registered_models WHERE name = ?').get(name) as
      number | undefined
    const found = pk === undefined ? [] : this.load([{ modelPk: pk, version }])
    if (found.length === 0) throw versionNotFound(name, version)
    return found[0]!
  }

  exists(modelPk: number, version: number): boolean {
    return (
      this.ctx.sql
        .pluck('SELECT 1 FROM model_versions WHERE model_pk = ? AND version = ?')
        .get(modelPk, version) !== undefined
    )
  }

  requireExists(model: ModelRow, version: number): void {
    if (!this.exists(model.model_pk, version)) throw versionNotFound(model.name, version)
  }

  /**
   * MLflow's `latest_versions`: the highest version in each stage, stages in the order of their
   * lowest version (the order MLflow meets them walking versions in creation order). No aliases.
   */
  latestByModel(modelPks: readonly number[]): Map<number, ModelVersion[]> {
    const out = new Map<number, ModelVersion[]>()
    if (modelPks.length === 0) return out
    const groups = this.ctx.sql
      .get(
        `SELECT model_pk, MIN(version) AS first, MAX(version) AS latest FROM model_versions
          WHERE model_pk IN (SELECT value FROM json_each(?))
          GROUP BY model_pk, current_stage ORDER BY model_pk, first`,
      )
      .all(JSON.stringify(modelPks)) as { model_pk: number; first: number; latest: number }[]
    const versions = this.load(
      groups.map((g) => ({ modelPk: g.model_pk, version: g.latest })),
      { aliases: false },
    )
    groups.forEach((g, i) => {
      let list = out.get(g.model_pk)
      if (!list) out.set(g.model_pk, (list = []))
      list.push(versions[i]!)
    })
    return out
  }

  create(model: ModelRow, input: CreateModelVersionInput, audit: AuditInput): number {
    const { sql, clock } = this.ctx
    const now = clock.now()
    const version = model.last_version + 1
    sql
      .get('UPDATE registered_models SET last_version = ?, last_updated_time = ? WHERE model_pk = ?')
      .run(version, now, model.model_pk)
    sql
      .get(
        `INSERT INTO model_versions (model_pk, name, version, creation_time, last_updated_time, user_id, current_stage, description,
                                     source, storage_location, run_id, run_link, status, status_message, signature)
         VALUES (?, ?, ?, ?, ?, ?, 'None', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        model.model_pk,
        model.name,
        version,
        now,
        now,
        input.userId,
        input.description,
        input.source,
        input.storageLocation,
        input.runId,
        input.runLink,
        input.status,
        input.statusMessage,
        input.signature === null ? null : JSON.stringify(input.signature),
      )
    for (const t of input.tags) this.setTag(model.model_pk, version, t)
    this.events.write(
      {
        modelPk: model.model_pk,
        timestamp: now,
        kind: 'version_created',
        version,
        oldValue: null,
        newValue: String(version),
      },
      { ...audit, details: audit.details ?? { source: input.source, run_id: input.runId } },
    )
    return version
  }

  finish(model: ModelRow, version: number, outcome: RegistrationOutcome): void {
    this.requireExists(model, version)
    this.ctx.sql
      .get(
        'UPDATE model_versions SET status = ?, status_message = ?, signature = ? WHERE model_pk = ? AND version = ?',
      )
      .run(
        outcome.status,
        outcome.statusMessage,
        outcome.signature === null ? null : JSON.stringify(outcome.signature),
        model.model_pk,
        version,
      )
  }

  updateDescription(model: ModelRow, version: number, description: string): void {
    this.requireExists(model, version)
    this.ctx.sql
      .get(
        'UPDATE model_versions SET description = ?, last_updated_time = ? WHERE model_pk = ? AND version = ?',
      )
      .run(description, this.ctx.clock.now(), model.model_pk, version)
  }

  /** Deletes the version; aliases on it go first, each with an `alias_deleted` event. */
  delete(model: ModelRow, version: number, audit: AuditInput): DeletedVersion {
    this.requireExists(model, version)
    const { sql, clock } = this.ctx
    const now = clock.now()
    const aliases = sql
      .pluck('SELECT alias FROM registered_model_aliases WHERE model_pk = ? AND version = ? ORDER BY alias')
      .all(model.model_pk, version) as string[]
    for (const alias of aliases) {
      sql
        .get('DELETE FROM registered_model_aliases WHERE model_pk = ? AND alias = ?')
        .run(model.model_pk, alias)
      this.events.write(
        {
          modelPk: model.model_pk,
          timestamp: now,
          kind: 'alias_deleted',
          alias,
          version,
          oldValue: String(version),
          newValue: null,
        },
        { user: audit.user, action: 'cascade', reason: `version ${version} was deleted` },
      )
    }
    sql.get('DELETE FROM model_versions WHERE model_pk = ? AND version = ?').run(model.model_pk, version)
    sql.get('UPDATE registered_models SET last_updated_time = ? WHERE model_pk = ?').run(now, model.model_pk)
    this.events.write(
      {
        modelPk: model.model_pk,
        timestamp: now,
        kind: 'version_deleted',
        version,
        oldValue: String(version),
        newValue: null,
      },
      audit,
    )
    return { name: model.name, version, removedAliases: aliases }
  }

  /** MLflow's transition: optionally archives the others in the stage; one event per version moved. */
  transition(model: ModelRow, input: TransitionInput, audit: AuditInput): void {
    this.requireExists(model, input.version)
    const { sql, clock } = this.ctx
    const now = clock.now()
    const stageOf = sql.pluck('SELECT current_stage FROM model_versions WHERE model_pk = ? AND version = ?')
    const move = sql.get(
      'UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE model_pk = ? AND version = ?',
    )
    if (input.archiveExisting) {
      const others = sql
        .pluck(
          'SELECT version FROM model_versions WHERE model_pk = ? AND current_stage = ? AND version != ? ORDER BY version',
        )
        .all(model.model_pk, input.stage, input.version) as number[]
      for (const v of others) {
        move.run('Archived', now, model.model_pk, v)
        this.events.write(
          {
            modelPk: model.model_pk,
            timestamp: now,
            kind: 'stage_transition',
            version: v,
            oldValue: input.stage,
            newValue: 'Archived',
          },
          { user: audit.user, action: 'cascade', reason: `version ${input.version} moved to ${input.stage}` },
        )
      }
    }
    const before = stageOf.get(model.model_pk, input.version) as string
    move.run(input.stage, now, model.model_pk, input.version)
    sql.get('UPDATE registered_models SET last_updated_time = ? WHERE model_pk = ?').run(now, model.model_pk)
    this.events.write(
      {
        modelPk: model.model_pk,
        timestamp: now,
        kind: 'stage_transition',
        version: input.version,
        oldValue: before,
        newValue: input.stage,
      },
      audit,
    )
  }

  setTag(modelPk: number, version: number, tag: Tag): void {
    this.ctx.sql
      .get(
        `INSERT INTO model_version_tags (model_pk, version, key, value) VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET value = excluded.value`,
      )
      .run(modelPk, version, tag.key, tag.value)
  }

  deleteTag(modelPk: number, version: number, key: string): void {
    this.ctx.sql
      .get('DELETE FROM model_version_tags WHERE model_pk = ? AND version = ? AND key = ?')
      .run(modelPk, version, key)
  }
}
