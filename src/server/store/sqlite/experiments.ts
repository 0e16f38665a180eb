/** Experiments in SQLite. */
import { alreadyExists, CairnError, invalidParameter, notFound } from '../../../protocol/errors.js'
import type { Experiment, LifecycleStage, Tag } from '../../../protocol/entities.js'
import type { CreateExperimentInput, Page, SearchExperimentsInput } from '../tracking-store.js'
import type { SqliteContext } from './context.js'
import { compileExperimentSearch } from './search-sql.js'

interface ExperimentRow {
  experiment_id: number
  name: string
  artifact_location: string
  lifecycle_stage: LifecycleStage
  creation_time: number
  last_update_time: number
}

const COLUMNS = 'experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time'

/** MLflow's ids are decimal strings; anything else names no experiment. */
export function parseExperimentId(id: string): number | null {
  return /^\d{1,15}$/.test(id) ? Number(id) : null
}

export class SqliteExperiments {
  private readonly byId
  private readonly byName
  private readonly tagsOf
  private readonly insert
  private readonly insertTag

  constructor(private readonly ctx: SqliteContext) {
    const { db } = ctx
    this.byId = db.prepare<[number], ExperimentRow>(
      `SELECT ${COLUMNS} FROM experiments WHERE experiment_id = ?`,
    )
    this.byName = db.prepare<[string], ExperimentRow>(`SELECT ${COLUMNS} FROM experiments WHERE name = ?`)
    this.tagsOf = db.prepare<[number], Tag>(
      'SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY rowid',
    )
    this.insert = db.prepare(
      `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
       VALUES (?, ?, ?, 'active', ?, ?)`,
    )
    this.insertTag = db.prepare(
      'INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
    )
  }

  /** The experiment MLflow always has: "Default", id 0. */
  ensureDefault(): void {
    if (this.byId.get(0)) return
    const now = this.ctx.clock.now()
    this.insert.run(0, 'Default', `${this.ctx.defaultArtifactRoot}/0`, now, now)
  }

  private toEntity(row: ExperimentRow): Experiment {
    return {
      experimentId: String(row.experiment_id),
      name: row.name,
      artifactLocation: row.artifact_location,
      lifecycleStage: row.lifecycle_stage,
      creationTime: row.creation_time,
      lastUpdateTime: row.last_update_time,
      tags: this.tagsOf.all(row.experiment_id),
    }
  }

  /** Row or RESOURCE_DOES_NOT_EXIST, with MLflow's message. */
  row(experimentId: string): ExperimentRow {
    const id = parseExperimentId(experimentId)
    const row = id === null ? undefined : this.byId.get(id)
    if (!row) throw notFound(`No Experiment with id=${experimentId} exists`)
    return row
  }

  create(input: CreateExperimentInput): string {
    const { db, clock } = this.ctx
    return db.transaction(() => {
      if (this.byName.get(input.name)) throw alreadyExists(`Experiment(name=${input.name}) already exists.`)
      const next = db
        .prepare('SELECT COALESCE(MAX(experiment_id), 0) + 1 FROM experiments')
        .pluck()
        .get() as number
      const now = clock.now()
      const location = input.artifactLocation || `${this.ctx.defaultArtifactRoot}/${next}`
      this.insert.run(next, input.name, location, now, now)
      for (const t of input.tags) this.insertTag.run(next, t.key, t.value)
      return String(next)
    })()
  }

  get(experimentId: string): Experiment {
    return this.toEntity(this.row(experimentId))
  }

  getByName(name: string): Experiment | null {
    const row = this.byName.get(name)
    return row ? this.toEntity(row) : null
  }

  search(input: SearchExperimentsInput): Page<Experiment> {
    const { sql, params } = compileExperimentSearch({
      filter: input.filter,
      orderBy: input.orderBy,
      viewType: input.viewType,
      limit: input.maxResults + 1,
      offset: input.offset,
    })
    const rows = this.ctx.db.prepare(sql).all(...params) as ExperimentRow[]
    const more = rows.length > input.maxResults
    const page = more ? rows.slice(0, input.maxResults) : rows
    return {
      items: page.map((r) => this.toEntity(r)),
      nextOffset: more ? input.offset + input.maxResults : null,
    }
  }

  /** As MLflow: INVALID_PARAMETER_VALUE (renaming a deleted experiment is INVALID_STATE instead). */
  private requireActive(row: ExperimentRow): void {
    if (row.lifecycle_stage !== 'active') {
      throw invalidParameter(
        `The experiment ${row.experiment_id} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      )
    }
  }

  rename(experimentId: string, newName: string): void {
    const { db, clock } = this.ctx
    db.transaction(() => {
      const row = this.row(experimentId)
      if (row.lifecycle_stage !== 'active') {
        throw new CairnError('INVALID_STATE', 'Cannot rename a non-active experiment.')
      }
      const other = this.byName.get(newName)
      if (other && other.experiment_id !== row.experiment_id) {
        throw alreadyExists(`Experiment(name=${newName}) already exists.`)
      }
      db.prepare('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?').run(
        newName,
        clock.now(),
        row.experiment_id,
      )
    })()
  }

  /** Soft delete; the experiment's runs are marked deleted with it, as MLflow does. */
  setLifecycle(experimentId: string, stage: LifecycleStage): void {
    const { db, clock } = this.ctx
    db.transaction(() => {
      const row = this.row(experimentId)
      const from: LifecycleStage = stage === 'deleted' ? 'active' : 'deleted'
      if (row.lifecycle_stage !== from) throw notFound(`No Experiment with id=${experimentId} exists`)
      const now = clock.now()
      db.prepare(
        'UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?',
      ).run(stage, now, row.experiment_id)
      db.prepare('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?').run(
        stage,
        stage === 'deleted' ? now : null,
        row.experiment_id,
      )
    })()
  }

  /** Like MLflow, tags leave last_update_time alone; renames, deletes and restores set it. */
  setTag(experimentId: string, tag: Tag): void {
    this.ctx.db.transaction(() => {
      const row = this.row(experimentId)
      this.requireActive(row)
      this.insertTag.run(row.experiment_id, tag.key, tag.value)
    })()
  }

  deleteTag(experimentId: string, key: string): void {
    const { db } = this.ctx
    db.transaction(() => {
      const row = this.row(experimentId)
      this.requireActive(row)
      const res = db
        .prepare('DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?')
        .run(row.experiment_id, key)
      if (res.changes === 0) throw notFound(`No tag with name: ${key} in experiment with id ${experimentId}`)
    })()
  }
}
