/**
 * The pipeline store: the orchestration records beside the tracking runs (pipeline runs, their
 * steps, live log chunks) and schedules. Routes and the scheduler see these interfaces, never a
 * backend's tables. A pipeline run's and a step's tracking runs live in the TrackingStore; the
 * records here name them by run id.
 */
import type {
  OutputValue,
  PipelineRunRecord,
  PipelineRunStatus,
  ScheduleRecord,
  StepOutputs,
  StepRecord,
  StepStatus,
} from '../../protocol/pipeline-entities.js'
import type { Page } from './tracking-store.js'

export interface CreatePipelineRunInput {
  runId: string
  pipeline: string
  experimentId: string
  spec: unknown
  params: Record<string, OutputValue>
  workdir: string
  backend: string
  useCache: boolean
  orchestrator: string
  scheduleName: string | null
  resumedFrom: string | null
  startTime: number
}

export interface UpdatePipelineRunInput {
  status?: PipelineRunStatus
  endTime?: number
  message?: string
  heartbeatTime?: number
}

export interface SearchPipelineRunsInput {
  pipeline?: string
  status?: PipelineRunStatus
  scheduleName?: string
  maxResults: number
  offset: number
}

/** A step's row: created on first mention, every later call changes only the fields given. */
export interface StepPatch {
  step?: string
  itemIndex?: number | null
  item?: OutputValue
  status?: StepStatus
  runId?: string | null
  attempts?: number
  exitCode?: number | null
  cacheKey?: string | null
  cacheHit?: boolean
  cachedFrom?: string | null
  outputs?: StepOutputs | null
  message?: string
  startTime?: number | null
  endTime?: number | null
  position?: number
}

export interface CachedStep {
  runId: string
  outputs: StepOutputs
  pipelineRunId: string
  stepKey: string
}

export interface LogSlice {
  text: string
  /** Offset to ask from next. */
  nextOffset: number
}

export interface PipelineStore {
  createRun(input: CreatePipelineRunInput): Promise<PipelineRunRecord>
  /** Throws RESOURCE_DOES_NOT_EXIST. */
  getRun(runId: string): Promise<PipelineRunRecord>
  /** Newest first. */
  searchRuns(input: SearchPipelineRunsInput): Promise<Page<PipelineRunRecord>>
  /**
   * Changes a run. A finished run (succeeded, failed, cancelled) keeps its status: a late
   * heartbeat or a second finish cannot reopen or rewrite it (INVALID_STATE for a status change).
   */
  updateRun(runId: string, input: UpdatePipelineRunInput): Promise<PipelineRunRecord>
  /** Marks the run for cancellation; its orchestrator sees it on the next heartbeat. */
  requestCancel(runId: string): Promise<PipelineRunRecord>
  /** Running runs whose heartbeat is older than `before` (their orchestrator is gone). */
  staleRuns(before: number): Promise<PipelineRunRecord[]>
  /** Running runs started by a schedule (for its max-concurrent limit). */
  countRunning(scheduleName: string): Promise<number>

  upsertStep(pipelineRunId: string, stepKey: string, patch: StepPatch): Promise<StepRecord>
  /** One step's record, or null. */
  getStep(pipelineRunId: string, stepKey: string): Promise<StepRecord | null>
  /** In display order. */
  listSteps(pipelineRunId: string): Promise<StepRecord[]>
  /** The newest step that succeeded by running (not from the cache) with this key, or null. */
  findCached(cacheKey: string): Promise<CachedStep | null>

  /** Appends to a step's live log (kept up to a cap; the full log is the step run's artifact). */
  appendLog(pipelineRunId: string, stepKey: string, text: string): Promise<void>
  readLog(pipelineRunId: string, stepKey: string, offset: number, maxBytes: number): Promise<LogSlice>
}

export interface CreateScheduleInput {
  name: string
  pipeline: string
  spec: unknown
  params: Record<string, OutputValue>
  workdir: string
  experimentName: string | null
  cron: string
  timezone: string
  maxConcurrent: number
  catchup: boolean
  backend: string
  /** Creation time; fires happen strictly after it. */
  now: number
}

export interface ScheduleStore {
  /** RESOURCE_ALREADY_EXISTS when the name is taken. */
  createSchedule(input: CreateScheduleInput): Promise<ScheduleRecord>
  /** Throws RESOURCE_DOES_NOT_EXIST. */
  getSchedule(name: string): Promise<ScheduleRecord>
  listSchedules(): Promise<ScheduleRecord[]>
  /**
   * Pauses or resumes. Resuming moves the last fire time to `now`: time spent paused is not
   * caught up.
   */
  setPaused(name: string, paused: boolean, now: number): Promise<ScheduleRecord>
  deleteSchedule(name: string): Promise<void>
  /**
   * Takes or renews the schedule's lease for `owner` until `until` when it is free, expired or
   * already `owner`'s. True when `owner` holds it afterwards.
   */
  acquireLease(name: string, owner: string, now: number, until: number): Promise<boolean>
  releaseLeases(owner: string): Promise<void>
  /**
   * Compare-and-set of the last fire time: succeeds only for the lease holder and only when the
   * stored value is still `expected`. Exactly one claimant wins a fire time.
   */
  claimFire(input: ClaimFireInput): Promise<boolean>
}

export interface ClaimFireInput {
  name: string
  owner: string
  expected: number
  fireTime: number
  now: number
  /** Whether a run starts for `fireTime` (false: passed over, e.g. the concurrency limit). */
  fired: boolean
  /** Earlier missed fire times passed over without a run (no catch-up). */
  skipped: number
}
