/** SqliteTrackingStore: the embedded default backend (better-sqlite3, WAL, migrations at start). */
import type {
  DatasetInput,
  Experiment,
  Metric,
  Run,
  RunInfo,
  RunMetric,
  Tag,
} from '../../../protocol/entities.js'
import { systemClock, randomIds, type Clock, type IdGenerator } from '../../util/clock.js'
import type {
  BulkIntervalInput,
  CreateExperimentInput,
  CreateRunInput,
  DownsampledSeries,
  DownsampleInput,
  HistoryPageInput,
  LogBatchInput,
  Page,
  SearchExperimentsInput,
  SearchRunsInput,
  TrackingStore,
  UpdateRunInput,
} from '../tracking-store.js'
import { MetricKeyCache, StatementCache, type SqliteContext } from './context.js'
import { openSqlite, startCheckpointer, type Checkpointer } from './db.js'
import { parseExperimentId, SqliteExperiments } from './experiments.js'
import { SqliteDownsampler } from './metric-downsample.js'
import { SqliteMetrics } from './metrics.js'
import { SQLITE_MIGRATIONS } from './migrations.js'
import { SqliteRuns } from './runs.js'
import { WriteQueue } from './write-queue.js'
import { compileRunSearch, selectRunRows } from './search-sql.js'

export interface SqliteTrackingStoreOptions {
  /** File path or ':memory:'. */
  path: string
  defaultArtifactRoot: string
  clock?: Clock
  ids?: IdGenerator
  /** Whether run search may start from a selective filter's index (default true; tests turn it off to cover the ordered walk). */
  searchDrivers?: boolean
}

export class SqliteTrackingStore implements TrackingStore {
  readonly kind = 'sqlite'
  private readonly ctx: SqliteContext
  private readonly experiments: SqliteExperiments
  private readonly runs: SqliteRuns
  private readonly metrics: SqliteMetrics
  private readonly downsampler: SqliteDownsampler
  private readonly searchDrivers: boolean
  private readonly checkpointer: Checkpointer | null
  private readonly writes: WriteQueue

  constructor(opts: SqliteTrackingStoreOptions) {
    const db = openSqlite({ path: opts.path, migrations: SQLITE_MIGRATIONS })
    this.ctx = {
      db,
      clock: opts.clock ?? systemClock,
      ids: opts.ids ?? randomIds,
      defaultArtifactRoot: opts.defaultArtifactRoot.replace(/\/+$/, ''),
      metricKeys: new MetricKeyCache(db),
      sql: new StatementCache(db),
    }
    this.experiments = new SqliteExperiments(this.ctx)
    this.runs = new SqliteRuns(this.ctx)
    this.metrics = new SqliteMetrics(this.ctx)
    this.downsampler = new SqliteDownsampler(this.ctx)
    this.searchDrivers = opts.searchDrivers ?? true
    this.checkpointer = opts.path === ':memory:' ? null : startCheckpointer(db, opts.path)
    this.writes = new WriteQueue(db)
    this.experiments.ensureDefault()
  }

  /** The raw connection, for the store's own tests and benchmarks only. */
  get database(): SqliteContext['db'] {
    return this.ctx.db
  }

  async createExperiment(input: CreateExperimentInput): Promise<string> {
    return this.experiments.create(input)
  }
  async getExperiment(experimentId: string): Promise<Experiment> {
    return this.experiments.get(experimentId)
  }
  async getExperimentByName(name: string): Promise<Experiment | null> {
    return this.experiments.getByName(name)
  }
  async searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>> {
    return this.experiments.search(input)
  }
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    this.experiments.rename(experimentId, newName)
  }
  async deleteExperiment(experimentId: string): Promise<void> {
    this.experiments.setLifecycle(experimentId, 'deleted')
  }
  async restoreExperiment(experimentId: string): Promise<void> {
    this.experiments.setLifecycle(experimentId, 'active')
  }
  async setExperimentTag(experimentId: string, tag: Tag): Promise<void> {
    this.experiments.setTag(experimentId, tag)
  }
  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    this.experiments.deleteTag(experimentId, key)
  }

  async createRun(input: CreateRunInput): Promise<Run> {
    return this.writes.run(() => {
      const exp = this.experiments.row(input.experimentId)
      return this.runs.create(input, {
        id: exp.experiment_id,
        artifactLocation: exp.artifact_location,
        stage: exp.lifecycle_stage,
      })
    })
  }
  async getRun(runId: string): Promise<Run> {
    return this.runs.get(runId)
  }
  async getRunInfo(runId: string): Promise<RunInfo> {
    return this.runs.get(runId).info
  }
  async updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo> {
    return this.writes.run(() => this.runs.update(runId, input))
  }
  async deleteRun(runId: string): Promise<void> {
    this.runs.setLifecycle(runId, 'deleted')
  }
  async restoreRun(runId: string): Promise<void> {
    this.runs.setLifecycle(runId, 'active')
  }
  async logBatch(runId: string, input: LogBatchInput): Promise<void> {
    return this.writes.run(() => this.runs.logBatch(runId, input))
  }
  async deleteTag(runId: string, key: string): Promise<void> {
    this.runs.deleteTag(runId, key)
  }
  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    this.runs.logInputs(runId, datasets)
  }

  async searchRuns(input: SearchRunsInput): Promise<Page<Run>> {
    const experimentIds = input.experimentIds.map(parseExperimentId).filter((x): x is number => x !== null)
    if (experimentIds.length === 0 || input.maxResults === 0) {
      return { items: [], nextOffset: input.maxResults === 0 ? input.offset : null }
    }
    const plan = compileRunSearch(
      { experimentIds, filter: input.filter, orderBy: input.orderBy, viewType: input.viewType },
      { metricKeyId: (key) => this.ctx.metricKeys.lookup(key) },
    )
    const rows = selectRunRows(this.ctx.db, plan, {
      limit: input.maxResults + 1,
      offset: input.offset,
      drivers: this.searchDrivers,
    })
    const more = rows.length > input.maxResults
    const page = more ? rows.slice(0, input.maxResults) : rows
    return { items: this.runs.load(page), nextOffset: more ? input.offset + input.maxResults : null }
  }

  async getMetricHistory(runId: string, key: string, page: HistoryPageInput): Promise<Page<Metric>> {
    return this.metrics.history(runId, key, page)
  }
  streamMetricHistoryJson(runId: string, key: string): AsyncIterable<string> {
    // 10k-point chunks: as fast as larger ones, and the server's memory stays flat on 1M-point answers.
    return this.metrics.streamJson(runId, key, 10_000)
  }
  streamMetricHistory(runId: string, key: string, chunkSize: number): AsyncIterable<Metric[]> {
    return this.metrics.stream(runId, key, chunkSize)
  }
  async getMetricHistoryBulk(runIds: string[], key: string, maxResults: number): Promise<RunMetric[]> {
    return this.metrics.bulk(runIds, key, maxResults)
  }
  async getMetricHistoryBulkInterval(input: BulkIntervalInput): Promise<RunMetric[]> {
    return this.metrics.bulkInterval(input)
  }
  async downsampleMetric(input: DownsampleInput): Promise<DownsampledSeries | null> {
    return this.downsampler.downsample(input)
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop()
    if (this.ctx.db.open) {
      // Keep the WAL small for the next start; harmless if another process holds it.
      this.ctx.db.pragma('wal_checkpoint(PASSIVE)')
      this.ctx.db.close()
    }
  }
}
