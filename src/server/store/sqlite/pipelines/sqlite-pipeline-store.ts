/**
 * SqlitePipelineStore: pipeline runs, steps and live logs on the tracking store's connection.
 * Every write is one IMMEDIATE transaction, so a step's row and its run's row never disagree
 * across processes sharing the file.
 */
import { CairnError, notFound } from '../../../../protocol/errors.js'
import type { PipelineRunRecord, StepRecord } from '../../../../protocol/pipeline-entities.js'
import type {
  CachedStep,
  CreatePipelineRunInput,
  LogSlice,
  PipelineStore,
  SearchPipelineRunsInput,
  StepPatch,
  UpdatePipelineRunInput,
} from '../../pipeline-store.js'
import type { Page } from '../../tracking-store.js'
import { StatementCache } from '../context.js'
import type { SqliteDb } from '../db.js'
import { runFromRow, stepFromRow, STEP_COLUMNS, type RunRow, type StepRow } from './rows.js'

/** Live log kept per step; past it a note points at the step run's log artifact. */
export const LIVE_LOG_CAP_BYTES = 4 * 1024 * 1024

const FINISHED = new Set(['succeeded', 'failed', 'cancelled'])

type Runner = ((fn: () => unknown) => unknown) & { immediate: (fn: () => unknown) => unknown }

export class SqlitePipelineStore implements PipelineStore {
  readonly kind = 'sqlite'
  private readonly sql: StatementCache
  private readonly tx: Runner

  constructor(private readonly db: SqliteDb) {
    this.sql = new StatementCache(db)
    this.tx = db.transaction((fn: () => unknown) => fn())
  }

  private write<T>(fn: () => T): T {
    return this.tx.immediate(fn) as T
  }

  private row(runId: string): RunRow {
    const row = this.sql.get('SELECT * FROM pipeline_runs WHERE run_id = ?').get(runId) as RunRow | undefined
    if (!row) throw notFound(`Pipeline run '${runId}' does not exist.`)
    return row
  }

  async createRun(input: CreatePipelineRunInput): Promise<PipelineRunRecord> {
    return this.write(() => {
      const exists = this.sql.pluck('SELECT 1 FROM pipeline_runs WHERE run_id = ?').get(input.runId)
      if (exists !== undefined) {
        throw new CairnError('RESOURCE_ALREADY_EXISTS', `Pipeline run '${input.runId}' already exists.`)
      }
      this.sql
        .get(
          `INSERT INTO pipeline_runs (run_id, pipeline, experiment_id, status, spec, params, workdir, backend,
             use_cache, orchestrator, schedule_name, resumed_from, start_time, heartbeat_time)
           VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.runId,
          input.pipeline,
          input.experimentId,
          JSON.stringify(input.spec),
          JSON.stringify(input.params),
          input.workdir,
          input.backend,
          input.useCache ? 1 : 0,
          input.orchestrator,
          input.scheduleName,
          input.resumedFrom,
          input.startTime,
          input.startTime,
        )
      return runFromRow(this.row(input.runId))
    })
  }

  async getRun(runId: string): Promise<PipelineRunRecord> {
    return runFromRow(this.row(runId))
  }

  async searchRuns(input: SearchPipelineRunsInput): Promise<Page<PipelineRunRecord>> {
    const where: string[] = []
    const args: unknown[] = []
    const filters: [string, string | undefined][] = [
      ['pipeline', input.pipeline],
      ['status', input.status],
      ['schedule_name', input.scheduleName],
    ]
    for (const [column, value] of filters) {
      if (value === undefined) continue
      where.push(`${column} = ?`)
      args.push(value)
    }
    const rows = this.sql
      .get(
        `SELECT * FROM pipeline_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY start_time DESC, run_id LIMIT ? OFFSET ?`,
      )
      .all(...args, input.maxResults + 1, input.offset) as RunRow[]
    const more = rows.length > input.maxResults
    return {
      items: rows.slice(0, input.maxResults).map(runFromRow),
      nextOffset: more ? input.offset + input.maxResults : null,
    }
  }

  async updateRun(runId: string, input: UpdatePipelineRunInput): Promise<PipelineRunRecord> {
    return this.write(() => {
      const row = this.row(runId)
      if (FINISHED.has(row.status)) {
        if (input.status !== undefined && input.status !== row.status) {
          throw new CairnError(
            'INVALID_STATE',
            `Pipeline run '${runId}' already ended as ${row.status}; it cannot become ${input.status}.`,
          )
        }
        return runFromRow(row)
      }
      this.sql
        .get(
          `UPDATE pipeline_runs SET status = coalesce(?, status), end_time = coalesce(?, end_time),
             message = coalesce(?, message), heartbeat_time = max(heartbeat_time, coalesce(?, heartbeat_time))
           WHERE run_id = ?`,
        )
        .run(
          input.status ?? null,
          input.endTime ?? null,
          input.message ?? null,
          input.heartbeatTime ?? null,
          runId,
        )
      return runFromRow(this.row(runId))
    })
  }

  async requestCancel(runId: string): Promise<PipelineRunRecord> {
    return this.write(() => {
      this.row(runId)
      this.sql
        .get("UPDATE pipeline_runs SET cancel_requested = 1 WHERE run_id = ? AND status = 'running'")
        .run(runId)
      return runFromRow(this.row(runId))
    })
  }

  async staleRuns(before: number): Promise<PipelineRunRecord[]> {
    const rows = this.sql
      .get("SELECT * FROM pipeline_runs WHERE status = 'running' AND heartbeat_time < ?")
      .all(before) as RunRow[]
    return rows.map(runFromRow)
  }

  async countRunning(scheduleName: string): Promise<number> {
    return this.sql
      .pluck("SELECT count(*) FROM pipeline_runs WHERE status = 'running' AND schedule_name = ?")
      .get(scheduleName) as number
  }

  async upsertStep(pipelineRunId: string, stepKey: string, patch: StepPatch): Promise<StepRecord> {
    return this.write(() => {
      this.row(pipelineRunId)
      const has = (k: keyof StepPatch): number => (k in patch && patch[k] !== undefined ? 1 : 0)
      const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v))
      this.sql
        .get(
          `INSERT INTO pipeline_steps (pipeline_run_id, step_key, step, status, position) VALUES (?, ?, ?, 'pending', ?)
           ON CONFLICT DO NOTHING`,
        )
        .run(pipelineRunId, stepKey, patch.step ?? stepKey, patch.position ?? 0)
      // Each column is written only when the patch names it (a flag per column), so a partial
      // update never clears what another call set.
      this.sql
        .get(
          `UPDATE pipeline_steps SET
             step = CASE WHEN ? THEN ? ELSE step END,
             item_index = CASE WHEN ? THEN ? ELSE item_index END,
             item = CASE WHEN ? THEN ? ELSE item END,
             status = CASE WHEN ? THEN ? ELSE status END,
             run_id = CASE WHEN ? THEN ? ELSE run_id END,
             attempts = CASE WHEN ? THEN ? ELSE attempts END,
             exit_code = CASE WHEN ? THEN ? ELSE exit_code END,
             cache_key = CASE WHEN ? THEN ? ELSE cache_key END,
             cache_hit = CASE WHEN ? THEN ? ELSE cache_hit END,
             cached_from = CASE WHEN ? THEN ? ELSE cached_from END,
             outputs = CASE WHEN ? THEN ? ELSE outputs END,
             message = CASE WHEN ? THEN ? ELSE message END,
             start_time = CASE WHEN ? THEN ? ELSE start_time END,
             end_time = CASE WHEN ? THEN ? ELSE end_time END,
             position = CASE WHEN ? THEN ? ELSE position END
           WHERE pipeline_run_id = ? AND step_key = ?`,
        )
        .run(
          has('step'),
          patch.step ?? null,
          'itemIndex' in patch ? 1 : 0,
          patch.itemIndex ?? null,
          has('item'),
          json(patch.item),
          has('status'),
          patch.status ?? null,
          'runId' in patch ? 1 : 0,
          patch.runId ?? null,
          has('attempts'),
          patch.attempts ?? null,
          'exitCode' in patch ? 1 : 0,
          patch.exitCode ?? null,
          'cacheKey' in patch ? 1 : 0,
          patch.cacheKey ?? null,
          has('cacheHit'),
          patch.cacheHit ? 1 : 0,
          'cachedFrom' in patch ? 1 : 0,
          patch.cachedFrom ?? null,
          'outputs' in patch ? 1 : 0,
          json(patch.outputs),
          has('message'),
          patch.message ?? null,
          'startTime' in patch ? 1 : 0,
          patch.startTime ?? null,
          'endTime' in patch ? 1 : 0,
          patch.endTime ?? null,
          has('position'),
          patch.position ?? null,
          pipelineRunId,
          stepKey,
        )
      return stepFromRow(
        this.sql
          .get(`SELECT ${STEP_COLUMNS} FROM pipeline_steps WHERE pipeline_run_id = ? AND step_key = ?`)
          .get(pipelineRunId, stepKey) as StepRow,
      )
    })
  }

  async getStep(pipelineRunId: string, stepKey: string): Promise<StepRecord | null> {
    const row = this.sql
      .get(`SELECT ${STEP_COLUMNS} FROM pipeline_steps WHERE pipeline_run_id = ? AND step_key = ?`)
      .get(pipelineRunId, stepKey) as StepRow | undefined
    return row ? stepFromRow(row) : null
  }

  async listSteps(pipelineRunId: string): Promise<StepRecord[]> {
    this.row(pipelineRunId)
    const rows = this.sql
      .get(
        `SELECT ${STEP_COLUMNS} FROM pipeline_steps WHERE pipeline_run_id = ?
         ORDER BY position, coalesce(item_index, -1), step_key`,
      )
      .all(pipelineRunId) as StepRow[]
    return rows.map(stepFromRow)
  }

  async findCached(cacheKey: string): Promise<CachedStep | null> {
    const row = this.sql
      .get(
        `SELECT pipeline_run_id, step_key, run_id, outputs FROM pipeline_steps
         WHERE cache_key = ? AND status = 'succeeded' AND cache_hit = 0 AND run_id IS NOT NULL
         ORDER BY end_time DESC LIMIT 1`,
      )
      .get(cacheKey) as
      { pipeline_run_id: string; step_key: string; run_id: string; outputs: string | null } | undefined
    if (!row) return null
    return {
      runId: row.run_id,
      pipelineRunId: row.pipeline_run_id,
      stepKey: row.step_key,
      outputs: row.outputs
        ? (JSON.parse(row.outputs) as CachedStep['outputs'])
        : { artifacts: {}, values: {} },
    }
  }

  async appendLog(pipelineRunId: string, stepKey: string, text: string): Promise<void> {
    if (text === '') return
    this.write(() => {
      const current = this.sql
        .pluck('SELECT log_bytes FROM pipeline_steps WHERE pipeline_run_id = ? AND step_key = ?')
        .get(pipelineRunId, stepKey) as number | undefined
      if (current === undefined) {
        throw notFound(`Pipeline run '${pipelineRunId}' has no step '${stepKey}'.`)
      }
      if (current >= LIVE_LOG_CAP_BYTES) return
      let chunk = text
      if (current + Buffer.byteLength(chunk) > LIVE_LOG_CAP_BYTES) {
        chunk = `${chunk.slice(0, Math.max(0, LIVE_LOG_CAP_BYTES - current))}\n[cairn: live log truncated at ${LIVE_LOG_CAP_BYTES} bytes; the full log is the step run's artifact logs/step.log]\n`
      }
      const bytes = Buffer.byteLength(chunk)
      this.sql
        .get('INSERT INTO pipeline_step_logs (pipeline_run_id, step_key, offset, text) VALUES (?, ?, ?, ?)')
        .run(pipelineRunId, stepKey, current, chunk)
      this.sql
        .get('UPDATE pipeline_steps SET log_bytes = ? WHERE pipeline_run_id = ? AND step_key = ?')
        .run(current + bytes, pipelineRunId, stepKey)
    })
  }

  async readLog(pipelineRunId: string, stepKey: string, offset: number, maxBytes: number): Promise<LogSlice> {
    // The chunk holding `offset` and the ones after it, until maxBytes is reached.
    const rows = this.sql
      .get(
        `SELECT offset, text FROM pipeline_step_logs WHERE pipeline_run_id = ? AND step_key = ?
           AND offset >= coalesce((SELECT max(offset) FROM pipeline_step_logs
                                   WHERE pipeline_run_id = ? AND step_key = ? AND offset <= ?), 0)
         ORDER BY offset`,
      )
      .iterate(pipelineRunId, stepKey, pipelineRunId, stepKey, offset) as Iterable<{
      offset: number
      text: string
    }>
    const parts: Buffer[] = []
    let next = offset
    let size = 0
    for (const row of rows) {
      const buf = Buffer.from(row.text)
      const start = Math.max(0, offset - row.offset)
      if (start >= buf.length) continue
      const piece = buf.subarray(start)
      parts.push(piece)
      size += piece.length
      next = row.offset + buf.length
      if (size >= maxBytes) break
    }
    return { text: Buffer.concat(parts).toString('utf8'), nextOffset: next }
  }
}
