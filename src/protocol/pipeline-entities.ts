/**
 * Pipeline runs, their steps and schedules as Cairn's server keeps them (camelCase). A pipeline
 * run and each step run are also tracking runs (tags `cairn.*`, parent/child through
 * `mlflow.parentRunId`); these records add what tags cannot serve quickly: step order and
 * status, cache keys and outputs, cancel requests, orchestrator heartbeats, live logs.
 */

export const PIPELINE_RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const
export type PipelineRunStatus = (typeof PIPELINE_RUN_STATUSES)[number]

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] as const
export type StepStatus = (typeof STEP_STATUSES)[number]

/** Tags Cairn writes on pipeline runs and step runs. */
export const CAIRN_TAGS = {
  pipeline: 'cairn.pipeline',
  pipelineRun: 'cairn.pipeline_run',
  kind: 'cairn.run_kind',
  step: 'cairn.step',
  stepKey: 'cairn.step_key',
  stepIndex: 'cairn.step_index',
  stepItem: 'cairn.step_item',
  stepStatus: 'cairn.step_status',
  cacheKey: 'cairn.cache_key',
  cacheHit: 'cairn.cache_hit',
  cachedFrom: 'cairn.cached_from',
  attempts: 'cairn.attempts',
  exitCode: 'cairn.exit_code',
  backend: 'cairn.backend',
  schedule: 'cairn.schedule',
  scheduledTime: 'cairn.scheduled_time',
  resumedFrom: 'cairn.resumed_from',
} as const

/** An output artifact: a folder of the producing step run's artifacts, and a digest of its files. */
export interface ArtifactOutput {
  runId: string
  /** Path in that run's artifacts, e.g. `outputs/model`. */
  path: string
  /** `sha256:<hex>` over the folder's file names and contents. */
  digest: string
}

export type OutputValue = string | number | boolean | null | OutputValue[] | { [k: string]: OutputValue }

export interface StepOutputs {
  artifacts: Record<string, ArtifactOutput>
  values: Record<string, OutputValue>
}

export interface PipelineRunRecord {
  /** The pipeline run's tracking run id. */
  runId: string
  pipeline: string
  experimentId: string
  status: PipelineRunStatus
  /** The normalized spec (src/pipelines/spec), stored as given. */
  spec: unknown
  params: Record<string, OutputValue>
  /** Folder commands run in (the pipeline file's folder where it was started). */
  workdir: string
  backend: string
  useCache: boolean
  /** Who orchestrates: `cli:<host>:<pid>` or `server:<instance>`. */
  orchestrator: string
  scheduleName: string | null
  resumedFrom: string | null
  startTime: number
  endTime: number | null
  heartbeatTime: number
  cancelRequested: boolean
  message: string
}

export interface StepRecord {
  pipelineRunId: string
  /** `train`, or `fit[3]` for the fourth item of a fan-out. */
  stepKey: string
  step: string
  itemIndex: number | null
  item: OutputValue | undefined
  status: StepStatus
  /** The step's tracking run, once it started (or was taken from the cache, or skipped). */
  runId: string | null
  attempts: number
  exitCode: number | null
  cacheKey: string | null
  cacheHit: boolean
  /** The step run whose outputs a cache hit (or a resume) reuses. */
  cachedFrom: string | null
  outputs: StepOutputs | null
  message: string
  startTime: number | null
  endTime: number | null
  /** Bytes of live log kept for `cairn pipeline logs`. */
  logBytes: number
  /** Display order. */
  position: number
}

export interface ScheduleRecord {
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
  paused: boolean
  backend: string
  createdTime: number
  updatedTime: number
  /** The last scheduled time claimed (fired or skipped); fires happen strictly after it. */
  lastFireTime: number
  firedCount: number
  skippedCount: number
  leaseOwner: string | null
  leaseUntil: number | null
}
