/** Runs and everything logged to them (params, tags, latest metrics, dataset inputs) in SQLite. */
import { invalidParameter, notFound } from '../../../protocol/errors.js'
import {
  MLFLOW_TAGS,
  type DatasetInput,
  type LifecycleStage,
  type Metric,
  type Param,
  type Run,
  type RunInfo,
  type RunStatus,
  type Tag,
} from '../../../protocol/entities.js'
import type { CreateRunInput, LogBatchInput, UpdateRunInput } from '../tracking-store.js'
import type { SqliteContext } from './context.js'

export interface RunRow {
  run_pk: number
  run_uuid: string
  experiment_id: number
  run_name: string
  user_id: string
  status: RunStatus
  start_time: number
  end_time: number | null
  artifact_uri: string
  lifecycle_stage: LifecycleStage
}

const RUN_COLUMNS =
  'run_pk, run_uuid, experiment_id, run_name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage'

/** ±Infinity are stored as ±DBL_MAX, as MLflow's SQL store does (the golden transcripts show it). */
function storableValue(v: number): number {
  if (v === Number.POSITIVE_INFINITY) return Number.MAX_VALUE
  if (v === Number.NEGATIVE_INFINITY) return -Number.MAX_VALUE
  return v
}

/** MLflow's order for "latest": greater step, then greater timestamp, then greater value (NaN lowest). */
function isLater(a: Metric, b: Metric): boolean {
  if (a.step !== b.step) return a.step > b.step
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp
  if (Number.isNaN(b.value)) return !Number.isNaN(a.value)
  return a.value > b.value
}

export function runInfoFromRow(row: RunRow): RunInfo {
  return {
    runId: row.run_uuid,
    experimentId: String(row.experiment_id),
    runName: row.run_name,
    userId: row.user_id,
    status: row.status,
    startTime: row.start_time,
    endTime: row.end_time,
    artifactUri: row.artifact_uri,
    lifecycleStage: row.lifecycle_stage,
  }
}

const CHUNK = 100

/** `IN ${PKS}` with one bound JSON array of run keys. */
const PKS = '(SELECT value FROM json_each(?))'

export class SqliteRuns {
  private readonly byUuid
  private readonly insertRun
  private readonly upsertTag
  private readonly insertParam
  private readonly paramValue
  private readonly insertMetricOne
  private readonly insertMetricChunk
  private readonly upsertLatest
  private readonly setRunName
  private readonly createTx: (
    runId: string,
    experimentId: number,
    input: CreateRunInput,
    artifactUri: string,
  ) => void
  private readonly logBatchTx: (runId: string, input: LogBatchInput) => void
  private readonly deleteTagTx: (runId: string, key: string) => void
  private readonly logInputsTx: (runId: string, datasets: DatasetInput[]) => void
  private readonly updateTx: (runId: string, input: UpdateRunInput) => RunInfo

  constructor(private readonly ctx: SqliteContext) {
    const { db } = ctx
    this.byUuid = db.prepare<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid = ?`)
    this.insertRun = db.prepare(
      `INSERT INTO runs (run_uuid, experiment_id, run_name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
       VALUES (?, ?, ?, ?, 'RUNNING', ?, NULL, ?, 'active')`,
    )
    this.upsertTag = db.prepare(
      'INSERT INTO tags (run_pk, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
    )
    this.insertParam = db.prepare('INSERT OR IGNORE INTO params (run_pk, key, value) VALUES (?, ?, ?)')
    this.paramValue = db
      .prepare<[number, string], string>('SELECT value FROM params WHERE run_pk = ? AND key = ?')
      .pluck()
    const row = '(?, ?, ?, ?, ?, ?)'
    const insert = 'INSERT OR IGNORE INTO metrics (run_pk, key_id, timestamp, step, value, is_nan) VALUES '
    this.insertMetricOne = db.prepare(insert + row)
    this.insertMetricChunk = db.prepare(insert + Array(CHUNK).fill(row).join(', '))
    // The WHERE keeps an existing later point: (step, timestamp, value) compared as MLflow does.
    this.upsertLatest = db.prepare(
      `INSERT INTO latest_metrics (run_pk, key_id, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_pk, key_id) DO UPDATE SET
         step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan
       WHERE excluded.step > latest_metrics.step
          OR (excluded.step = latest_metrics.step AND excluded.timestamp > latest_metrics.timestamp)
          OR (excluded.step = latest_metrics.step AND excluded.timestamp = latest_metrics.timestamp
              AND excluded.is_nan = 0 AND (latest_metrics.is_nan = 1 OR excluded.value > latest_metrics.value))`,
    )
    this.setRunName = db.prepare('UPDATE runs SET run_name = ? WHERE run_pk = ?')
    this.createTx = db.transaction(
      (runId: string, experimentId: number, input: CreateRunInput, artifactUri: string) =>
        this.createBody(runId, experimentId, input, artifactUri),
    )
    this.logBatchTx = db.transaction((runId: string, input: LogBatchInput) => this.logBatchBody(runId, input))
    this.deleteTagTx = db.transaction((runId: string, key: string) => this.deleteTagBody(runId, key))
    this.logInputsTx = db.transaction((runId: string, datasets: DatasetInput[]) =>
      this.logInputsBody(runId, datasets),
    )
    this.updateTx = db.transaction((runId: string, input: UpdateRunInput) => this.updateBody(runId, input))
  }

  row(runId: string): RunRow {
    const row = this.byUuid.get(runId)
    if (!row) throw notFound(`Run with id=${runId} not found`)
    return row
  }

  private activeRow(runId: string): RunRow {
    const row = this.row(runId)
    if (row.lifecycle_stage !== 'active') {
      throw invalidParameter(
        `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      )
    }
    return row
  }

  create(
    input: CreateRunInput,
    experiment: { id: number; artifactLocation: string; stage: LifecycleStage },
  ): Run {
    const { ids } = this.ctx
    if (experiment.stage !== 'active') {
      throw invalidParameter(
        `The experiment ${experiment.id} must be in the 'active' state. Current state is ${experiment.stage}.`,
      )
    }
    const runId = ids.runId()
    const artifactUri = `${experiment.artifactLocation.replace(/\/+$/, '')}/${runId}/artifacts`
    this.createTx(runId, experiment.id, input, artifactUri)
    // The new run is known in full without reading it back. A Map keeps a key's first position
    // when its value is replaced, exactly as the tag upserts above do.
    const tags = new Map<string, string>()
    for (const t of input.tags) tags.set(t.key, t.value)
    tags.set(MLFLOW_TAGS.runName, input.runName)
    return {
      info: {
        runId,
        experimentId: String(experiment.id),
        runName: input.runName,
        userId: input.userId,
        status: 'RUNNING',
        startTime: input.startTime,
        endTime: null,
        artifactUri,
        lifecycleStage: 'active',
      },
      data: { metrics: [], params: [], tags: [...tags].map(([key, value]) => ({ key, value })) },
      inputs: { datasetInputs: [] },
    }
  }

  private createBody(runId: string, experimentId: number, input: CreateRunInput, artifactUri: string): void {
    const res = this.insertRun.run(
      runId,
      experimentId,
      input.runName,
      input.userId,
      input.startTime,
      artifactUri,
    )
    const pk = Number(res.lastInsertRowid)
    for (const t of input.tags) this.upsertTag.run(pk, t.key, t.value)
    this.upsertTag.run(pk, MLFLOW_TAGS.runName, input.runName)
  }

  get(runId: string): Run {
    const row = this.row(runId)
    return this.load([row])[0]!
  }

  /**
   * Full runs for rows, in the rows' order, reading each child table once. The run keys are
   * bound as one JSON array (json_each), so one prepared statement serves any number of runs.
   */
  load(rows: RunRow[]): Run[] {
    if (rows.length === 0) return []
    const { sql } = this.ctx
    const runs = new Map<number, Run>()
    for (const r of rows) {
      runs.set(r.run_pk, {
        info: runInfoFromRow(r),
        data: { metrics: [], params: [], tags: [] },
        inputs: { datasetInputs: [] },
      })
    }
    const pks = JSON.stringify(rows.map((r) => r.run_pk))
    const params = sql
      .raw(`SELECT run_pk, key, value FROM params WHERE run_pk IN ${PKS} ORDER BY run_pk, rowid`)
      .all(pks) as [number, string, string][]
    for (const [pk, key, value] of params) runs.get(pk)!.data.params.push({ key, value })
    const tags = sql
      .raw(`SELECT run_pk, key, value FROM tags WHERE run_pk IN ${PKS} ORDER BY run_pk, rowid`)
      .all(pks) as [number, string, string][]
    for (const [pk, key, value] of tags) runs.get(pk)!.data.tags.push({ key, value })
    const metrics = sql
      .raw(
        `SELECT lm.run_pk, k.key, lm.value, lm.is_nan, lm.timestamp, lm.step
           FROM latest_metrics lm JOIN metric_keys k ON k.key_id = lm.key_id
          WHERE lm.run_pk IN ${PKS} ORDER BY lm.run_pk, lm.rowid`,
      )
      .all(pks) as [number, string, number | null, number, number, number][]
    for (const [pk, key, value, isNan, timestamp, step] of metrics) {
      runs.get(pk)!.data.metrics.push({ key, value: isNan ? Number.NaN : (value as number), timestamp, step })
    }
    const inputs = sql
      .raw(
        `SELECT i.run_pk, d.dataset_pk, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
           FROM inputs i JOIN datasets d ON d.dataset_pk = i.dataset_pk
          WHERE i.run_pk IN ${PKS} ORDER BY i.run_pk, i.position`,
      )
      .all(pks) as [number, number, string, string, string, string, string | null, string | null][]
    if (inputs.length > 0) {
      const inputTags = sql
        .raw(
          `SELECT run_pk, dataset_pk, key, value FROM input_tags WHERE run_pk IN ${PKS} ORDER BY run_pk, dataset_pk, key`,
        )
        .all(pks) as [number, number, string, string][]
      const tagsOf = new Map<string, Tag[]>()
      for (const [pk, ds, key, value] of inputTags) {
        const k = `${pk}:${ds}`
        const list = tagsOf.get(k) ?? []
        list.push({ key, value })
        tagsOf.set(k, list)
      }
      for (const [pk, ds, name, digest, sourceType, source, schema, profile] of inputs) {
        const input: DatasetInput = {
          tags: tagsOf.get(`${pk}:${ds}`) ?? [],
          dataset: { name, digest, sourceType, source },
        }
        if (schema !== null) input.dataset.schema = schema
        if (profile !== null) input.dataset.profile = profile
        runs.get(pk)!.inputs.datasetInputs.push(input)
      }
    }
    return rows.map((r) => runs.get(r.run_pk)!)
  }

  update(runId: string, input: UpdateRunInput): RunInfo {
    return this.updateTx(runId, input)
  }

  private updateBody(runId: string, input: UpdateRunInput): RunInfo {
    const row = this.activeRow(runId)
    const status = input.status ?? row.status
    const endTime = input.endTime ?? row.end_time
    const runName = input.runName ?? row.run_name
    this.ctx.sql
      .get('UPDATE runs SET status = ?, end_time = ?, run_name = ? WHERE run_pk = ?')
      .run(status, endTime, runName, row.run_pk)
    if (input.runName !== undefined) this.upsertTag.run(row.run_pk, MLFLOW_TAGS.runName, runName)
    return runInfoFromRow({ ...row, status, end_time: endTime, run_name: runName })
  }

  /** Deleting a deleted run and restoring an active one are no-ops (MLflow answers 200). */
  setLifecycle(runId: string, stage: LifecycleStage): void {
    const row = this.row(runId)
    this.ctx.sql
      .get('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_pk = ?')
      .run(stage, stage === 'deleted' ? this.ctx.clock.now() : null, row.run_pk)
  }

  logBatch(runId: string, input: LogBatchInput): void {
    this.logBatchTx(runId, input)
  }

  private logBatchBody(runId: string, input: LogBatchInput): void {
    const row = this.activeRow(runId)
    this.writeParams(row, input.params)
    for (const t of input.tags) {
      this.upsertTag.run(row.run_pk, t.key, t.value)
      if (t.key === MLFLOW_TAGS.runName) this.setRunName.run(t.value, row.run_pk)
    }
    this.writeMetrics(row.run_pk, input.metrics)
  }

  private writeParams(row: RunRow, params: Param[]): void {
    const conflicts: { key: string; old_value: string; new_value: string }[] = []
    for (const p of params) {
      if (this.insertParam.run(row.run_pk, p.key, p.value).changes > 0) continue
      const old = this.paramValue.get(row.run_pk, p.key)
      if (old !== undefined && old !== p.value)
        conflicts.push({ key: p.key, old_value: old, new_value: p.value })
    }
    if (conflicts.length === 1 && params.length === 1) {
      const c = conflicts[0]!
      throw invalidParameter(
        `Changing param values is not allowed. Param with key='${c.key}' was already logged with value='${c.old_value}' for run ID='${row.run_uuid}'. Attempted logging new value '${c.new_value}'.`,
      )
    }
    if (conflicts.length > 0) {
      throw invalidParameter(
        `Changing param values is not allowed. Params were already logged='${JSON.stringify(conflicts)}' for run ID='${row.run_uuid}'.`,
      )
    }
  }

  private writeMetrics(runPk: number, metrics: Metric[]): void {
    if (metrics.length === 0) return
    const { metricKeys } = this.ctx
    const latest = new Map<string, Metric>()
    const values = new Array<number>(metrics.length * 6)
    for (let i = 0; i < metrics.length; i++) {
      const m = metrics[i]!
      const isNan = Number.isNaN(m.value)
      const o = i * 6
      values[o] = runPk
      values[o + 1] = metricKeys.intern(m.key)
      values[o + 2] = m.timestamp
      values[o + 3] = m.step
      values[o + 4] = isNan ? 0 : storableValue(m.value)
      values[o + 5] = isNan ? 1 : 0
      const prev = latest.get(m.key)
      if (prev === undefined || isLater(m, prev)) latest.set(m.key, m)
    }
    const full = Math.floor(metrics.length / CHUNK)
    for (let c = 0; c < full; c++)
      this.insertMetricChunk.run(values.slice(c * CHUNK * 6, (c + 1) * CHUNK * 6))
    for (let i = full * CHUNK; i < metrics.length; i++)
      this.insertMetricOne.run(values.slice(i * 6, i * 6 + 6))
    for (const [key, m] of latest) {
      const isNan = Number.isNaN(m.value)
      this.upsertLatest.run(
        runPk,
        metricKeys.intern(key),
        m.step,
        m.timestamp,
        isNan ? null : storableValue(m.value),
        isNan ? 1 : 0,
      )
    }
  }

  deleteTag(runId: string, key: string): void {
    this.deleteTagTx(runId, key)
  }

  private deleteTagBody(runId: string, key: string): void {
    const row = this.activeRow(runId)
    const res = this.ctx.sql.get('DELETE FROM tags WHERE run_pk = ? AND key = ?').run(row.run_pk, key)
    if (res.changes === 0) throw notFound(`No tag with name: ${key} in run with id ${runId}`)
  }

  /** A dataset is stored once per experiment (name, digest); logging it again to a run is a no-op. */
  logInputs(runId: string, datasets: DatasetInput[]): void {
    this.logInputsTx(runId, datasets)
  }

  private logInputsBody(runId: string, datasets: DatasetInput[]): void {
    {
      const { sql } = this.ctx
      const row = this.activeRow(runId)
      const findDataset = sql.pluck(
        'SELECT dataset_pk FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?',
      )
      const insertDataset = sql.get(
        'INSERT INTO datasets (experiment_id, name, digest, source_type, source, schema, profile) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      let position = sql
        .pluck('SELECT COALESCE(MAX(position), -1) + 1 FROM inputs WHERE run_pk = ?')
        .get(row.run_pk) as number
      for (const input of datasets) {
        const d = input.dataset
        let pk = findDataset.get(row.experiment_id, d.name, d.digest) as number | undefined
        if (pk === undefined) {
          pk = Number(
            insertDataset.run(
              row.experiment_id,
              d.name,
              d.digest,
              d.sourceType,
              d.source,
              d.schema ?? null,
              d.profile ?? null,
            ).lastInsertRowid,
          )
        }
        const added = sql
          .get('INSERT OR IGNORE INTO inputs (run_pk, dataset_pk, position) VALUES (?, ?, ?)')
          .run(row.run_pk, pk, position)
        if (added.changes === 0) continue
        position++
        for (const t of input.tags) {
          sql
            .get('INSERT OR REPLACE INTO input_tags (run_pk, dataset_pk, key, value) VALUES (?, ?, ?, ?)')
            .run(row.run_pk, pk, t.key, t.value)
        }
      }
    }
  }
}
