/** Registered models in SQLite: rows, tags, aliases, and whole entities loaded a page at a time. */
import { alreadyExists } from '../../../../protocol/errors.js'
import type { Tag } from '../../../../protocol/entities.js'
import type { ModelAlias, RegisteredModel } from '../../../../protocol/registry-entities.js'
import type { AuditInput, CreateRegisteredModelInput, DeletedModel } from '../../registry-store.js'
import type { SqliteRegistryEvents } from './events.js'
import { MODEL_COLUMNS, modelNotFound, type ModelRow, type RegistryContext } from './rows.js'
import type { SqliteModelVersions } from './versions.js'

const PKS = '(SELECT value FROM json_each(?))'

export class SqliteRegisteredModels {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly versions: SqliteModelVersions,
    private readonly events: SqliteRegistryEvents,
  ) {}

  find(name: string): ModelRow | undefined {
    return this.ctx.sql.get(`SELECT ${MODEL_COLUMNS} FROM registered_models WHERE name = ?`).get(name) as
      ModelRow | undefined
  }

  /** The row or RESOURCE_DOES_NOT_EXIST with MLflow's message. */
  row(name: string): ModelRow {
    const row = this.find(name)
    if (!row) throw modelNotFound(name)
    return row
  }

  /** Whole entities (tags, aliases, latest versions) for the given models, in the order given. */
  load(rows: readonly ModelRow[]): RegisteredModel[] {
    if (rows.length === 0) return []
    const { sql } = this.ctx
    const pks = JSON.stringify(rows.map((r) => r.model_pk))
    const tags = new Map<number, Tag[]>()
    for (const t of sql
      .get(`SELECT model_pk, key, value FROM registered_model_tags WHERE model_pk IN ${PKS} ORDER BY rowid`)
      .all(pks) as { model_pk: number; key: string; value: string }[]) {
      let list = tags.get(t.model_pk)
      if (!list) tags.set(t.model_pk, (list = []))
      list.push({ key: t.key, value: t.value })
    }
    const aliases = new Map<number, ModelAlias[]>()
    for (const a of sql
      .get(
        `SELECT model_pk, alias, version FROM registered_model_aliases WHERE model_pk IN ${PKS} ORDER BY model_pk, alias`,
      )
      .all(pks) as { model_pk: number; alias: string; version: number }[]) {
      let list = aliases.get(a.model_pk)
      if (!list) aliases.set(a.model_pk, (list = []))
      list.push({ alias: a.alias, version: String(a.version) })
    }
    const latest = this.versions.latestByModel(rows.map((r) => r.model_pk))
    return rows.map((r) => ({
      name: r.name,
      creationTimestamp: r.creation_time,
      lastUpdatedTimestamp: r.last_updated_time,
      userId: r.user_id,
      description: r.description,
      latestVersions: latest.get(r.model_pk) ?? [],
      tags: tags.get(r.model_pk) ?? [],
      aliases: aliases.get(r.model_pk) ?? [],
    }))
  }

  /** Rows by primary key, in the order given. */
  rowsByPk(pks: readonly number[]): ModelRow[] {
    if (pks.length === 0) return []
    return this.ctx.sql
      .get(
        `SELECT ${MODEL_COLUMNS.split(', ')
          .map((c) => `m.${c}`)
          .join(', ')}
           FROM json_each(?) j JOIN registered_models m ON m.model_pk = j.value ORDER BY j.key`,
      )
      .all(JSON.stringify(pks)) as ModelRow[]
  }

  create(input: CreateRegisteredModelInput): ModelRow {
    const { sql, clock } = this.ctx
    if (this.find(input.name)) throw alreadyExists(`Registered Model (name=${input.name}) already exists.`)
    const now = clock.now()
    const info = sql
      .get(
        'INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)',
      )
      .run(input.name, now, now, input.description)
    const pk = Number(info.lastInsertRowid)
    for (const t of input.tags) this.setTag(pk, t)
    return this.row(input.name)
  }

  rename(name: string, newName: string, audit: AuditInput): ModelRow {
    const row = this.row(name)
    if (newName === name) return row
    if (this.find(newName)) throw alreadyExists(`Registered Model (name=${newName}) already exists.`)
    const { sql, clock } = this.ctx
    const now = clock.now()
    sql
      .get('UPDATE registered_models SET name = ?, last_updated_time = ? WHERE model_pk = ?')
      .run(newName, now, row.model_pk)
    // Versions carry the name; MLflow touches every version of a renamed model too.
    sql
      .get('UPDATE model_versions SET name = ?, last_updated_time = ? WHERE model_pk = ?')
      .run(newName, now, row.model_pk)
    this.events.write(
      { modelPk: row.model_pk, timestamp: now, kind: 'model_renamed', oldValue: name, newValue: newName },
      audit,
    )
    return this.row(newName)
  }

  updateDescription(name: string, description: string): ModelRow {
    const row = this.row(name)
    this.ctx.sql
      .get('UPDATE registered_models SET description = ?, last_updated_time = ? WHERE model_pk = ?')
      .run(description, this.ctx.clock.now(), row.model_pk)
    return this.row(name)
  }

  delete(name: string, audit: AuditInput): DeletedModel {
    const row = this.row(name)
    const { sql, clock } = this.ctx
    const aliases = sql
      .pluck('SELECT alias FROM registered_model_aliases WHERE model_pk = ? ORDER BY alias')
      .all(row.model_pk) as string[]
    // Aliases first: they refer to versions, which the model's deletion removes by cascade.
    sql.get('DELETE FROM registered_model_aliases WHERE model_pk = ?').run(row.model_pk)
    sql.get('DELETE FROM registered_models WHERE model_pk = ?').run(row.model_pk)
    this.events.write(
      {
        modelPk: row.model_pk,
        timestamp: clock.now(),
        kind: 'model_deleted',
        oldValue: name,
        newValue: null,
      },
      audit,
    )
    return { name, aliases }
  }

  setTag(modelPk: number, tag: Tag): void {
    this.ctx.sql
      .get(
        `INSERT INTO registered_model_tags (model_pk, key, value) VALUES (?, ?, ?)
         ON CONFLICT DO UPDATE SET value = excluded.value`,
      )
      .run(modelPk, tag.key, tag.value)
  }

  deleteTag(modelPk: number, key: string): void {
    this.ctx.sql.get('DELETE FROM registered_model_tags WHERE model_pk = ? AND key = ?').run(modelPk, key)
  }
}
