/**
 * The tracking store: the only door to experiments, runs, params, metrics, tags and dataset
 * inputs. The HTTP layer and every capability see this interface, never a backend's tables.
 *
 * Methods are async even where a driver is synchronous (better-sqlite3), so callers never
 * branch on the backend. Input is already validated (protocol/validation.ts) when it arrives
 * here; backends enforce only what needs the stored state (write-once params, active runs,
 * unique names) and throw CairnError with MLflow's codes.
 */
import type { FilterExpr, OrderKey } from '../../protocol/filter/ast.js'
import type {
  DatasetInput,
  Experiment,
  Metric,
  Param,
  Run,
  RunInfo,
  RunMetric,
  RunStatus,
  Tag,
  ViewType,
} from '../../protocol/entities.js'

export interface CreateExperimentInput {
  name: string
  /** When absent the store derives one from the artifact root and the new id. */
  artifactLocation?: string
  tags: Tag[]
}

export interface SearchExperimentsInput {
  viewType: ViewType
  filter: FilterExpr | null
  orderBy: OrderKey[]
  maxResults: number
  offset: number
}

export interface CreateRunInput {
  experimentId: string
  userId: string
  runName: string
  startTime: number
  tags: Tag[]
}

export interface UpdateRunInput {
  status?: RunStatus
  endTime?: number
  runName?: string
}

export interface LogBatchInput {
  metrics: Metric[]
  params: Param[]
  tags: Tag[]
}

export interface SearchRunsInput {
  experimentIds: string[]
  filter: FilterExpr | null
  orderBy: OrderKey[]
  viewType: ViewType
  maxResults: number
  offset: number
}

export interface Page<T> {
  items: T[]
  /** Offset of the next page, or null when this page is the last. */
  nextOffset: number | null
}

export interface HistoryPageInput {
  /** Absent: every point. */
  maxResults?: number
  offset: number
}

export interface BulkIntervalInput {
  runIds: string[]
  metricKey: string
  maxResults: number
  startStep?: number
  endStep?: number
}

export interface DownsampleInput {
  runId: string
  metricKey: string
  /** Equal-width buckets over [start, end] (fewer when the range has fewer distinct x values). */
  buckets: number
  x: 'step' | 'time'
  /** Inclusive bounds on x; absent: the run's first and last x. */
  start?: number
  end?: number
}

/** One bucket of a downsampled history. min/max ignore NaN points; last is the greatest x's point. */
export interface MetricBucket {
  xStart: number
  xEnd: number
  count: number
  min: number
  max: number
  last: number
  lastX: number
}

export interface DownsampledSeries {
  runId: string
  start: number
  end: number
  count: number
  /** Non-empty buckets in x order. */
  buckets: MetricBucket[]
}

export interface TrackingStore {
  readonly kind: string

  // Experiments
  createExperiment(input: CreateExperimentInput): Promise<string>
  /** Throws RESOURCE_DOES_NOT_EXIST. Deleted experiments are returned too. */
  getExperiment(experimentId: string): Promise<Experiment>
  /** Active experiment of that name first, then a deleted one; null when none. */
  getExperimentByName(name: string): Promise<Experiment | null>
  searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>>
  renameExperiment(experimentId: string, newName: string): Promise<void>
  deleteExperiment(experimentId: string): Promise<void>
  restoreExperiment(experimentId: string): Promise<void>
  setExperimentTag(experimentId: string, tag: Tag): Promise<void>
  deleteExperimentTag(experimentId: string, key: string): Promise<void>

  // Runs
  createRun(input: CreateRunInput): Promise<Run>
  /** Throws RESOURCE_DOES_NOT_EXIST. Deleted runs are returned too. */
  getRun(runId: string): Promise<Run>
  getRunInfo(runId: string): Promise<RunInfo>
  updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo>
  deleteRun(runId: string): Promise<void>
  restoreRun(runId: string): Promise<void>
  /**
   * The one write primitive for metrics, params and tags: all or nothing. Params are
   * write-once (re-logging the same value is a no-op); a metric point identical in every
   * field to a stored one is stored once, so a retried batch never duplicates points.
   */
  logBatch(runId: string, input: LogBatchInput): Promise<void>
  deleteTag(runId: string, key: string): Promise<void>
  logInputs(runId: string, datasets: DatasetInput[]): Promise<void>
  searchRuns(input: SearchRunsInput): Promise<Page<Run>>

  // Metric histories, ordered by (timestamp, step, value) as MLflow orders them.
  getMetricHistory(runId: string, key: string, page: HistoryPageInput): Promise<Page<Metric>>
  /** Every point, in order, in chunks: for answers too large to build in memory. */
  streamMetricHistory(runId: string, key: string, chunkSize: number): AsyncIterable<Metric[]>
  /**
   * The same points as MLflow JSON metric objects (`{"key":…,"value":…,"timestamp":…,"step":…}`),
   * comma-separated, in chunks: the shape of get-history's answer, produced where it is
   * cheapest (SQLite formats it in C). A backend may build it with `metricsToJsonText`.
   */
  streamMetricHistoryJson(runId: string, key: string): AsyncIterable<string>
  /** MLflow's get-history-bulk (ajax route): several runs, ordered by run id then time. */
  getMetricHistoryBulk(runIds: string[], key: string, maxResults: number): Promise<RunMetric[]>
  /** Evenly spaced steps over each run's history, first and last step always included. */
  getMetricHistoryBulkInterval(input: BulkIntervalInput): Promise<RunMetric[]>
  /** Min, max, last and count per bucket of x; null when the run has no such metric. */
  downsampleMetric(input: DownsampleInput): Promise<DownsampledSeries | null>

  close(): Promise<void>
}
