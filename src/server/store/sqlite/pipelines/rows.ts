/** Row shapes of the pipeline tables and their mappers to the protocol's records. */
import type {
  OutputValue,
  PipelineRunRecord,
  PipelineRunStatus,
  ScheduleRecord,
  StepOutputs,
  StepRecord,
  StepStatus,
} from '../../../../protocol/pipeline-entities.js'

export interface RunRow {
  run_id: string
  pipeline: string
  experiment_id: string
  status: PipelineRunStatus
  spec: string
  params: string
  workdir: string
  backend: string
  use_cache: number
  orchestrator: string
  schedule_name: string | null
  resumed_from: string | null
  start_time: number
  end_time: number | null
  heartbeat_time: number
  cancel_requested: number
  message: string
}

export function runFromRow(r: RunRow): PipelineRunRecord {
  return {
    runId: r.run_id,
    pipeline: r.pipeline,
    experimentId: r.experiment_id,
    status: r.status,
    spec: JSON.parse(r.spec) as unknown,
    params: JSON.parse(r.params) as Record<string, OutputValue>,
    workdir: r.workdir,
    backend: r.backend,
    useCache: r.use_cache === 1,
    orchestrator: r.orchestrator,
    scheduleName: r.schedule_name,
    resumedFrom: r.resumed_from,
    startTime: r.start_time,
    endTime: r.end_time,
    heartbeatTime: r.heartbeat_time,
    cancelRequested: r.cancel_requested === 1,
    message: r.message,
  }
}

export const STEP_COLUMNS =
  'pipeline_run_id, step_key, step, item_index, item, status, run_id, attempts, exit_code, cache_key, cache_hit, cached_from, outputs, message, start_time, end_time, log_bytes, position'

export interface StepRow {
  pipeline_run_id: string
  step_key: string
  step: string
  item_index: number | null
  item: string | null
  status: StepStatus
  run_id: string | null
  attempts: number
  exit_code: number | null
  cache_key: string | null
  cache_hit: number
  cached_from: string | null
  outputs: string | null
  message: string
  start_time: number | null
  end_time: number | null
  log_bytes: number
  position: number
}

export function stepFromRow(r: StepRow): StepRecord {
  return {
    pipelineRunId: r.pipeline_run_id,
    stepKey: r.step_key,
    step: r.step,
    itemIndex: r.item_index,
    item: r.item === null ? undefined : (JSON.parse(r.item) as OutputValue),
    status: r.status,
    runId: r.run_id,
    attempts: r.attempts,
    exitCode: r.exit_code,
    cacheKey: r.cache_key,
    cacheHit: r.cache_hit === 1,
    cachedFrom: r.cached_from,
    outputs: r.outputs === null ? null : (JSON.parse(r.outputs) as StepOutputs),
    message: r.message,
    startTime: r.start_time,
    endTime: r.end_time,
    logBytes: r.log_bytes,
    position: r.position,
  }
}

export interface ScheduleRow {
  name: string
  pipeline: string
  spec: string
  params: string
  workdir: string
  experiment_name: string | null
  cron: string
  timezone: string
  max_concurrent: number
  catchup: number
  paused: number
  backend: string
  created_time: number
  updated_time: number
  last_fire_time: number
  fired_count: number
  skipped_count: number
  lease_owner: string | null
  lease_until: number | null
}

export function scheduleFromRow(r: ScheduleRow): ScheduleRecord {
  return {
    name: r.name,
    pipeline: r.pipeline,
    spec: JSON.parse(r.spec) as unknown,
    params: JSON.parse(r.params) as Record<string, OutputValue>,
    workdir: r.workdir,
    experimentName: r.experiment_name,
    cron: r.cron,
    timezone: r.timezone,
    maxConcurrent: r.max_concurrent,
    catchup: r.catchup === 1,
    paused: r.paused === 1,
    backend: r.backend,
    createdTime: r.created_time,
    updatedTime: r.updated_time,
    lastFireTime: r.last_fire_time,
    firedCount: r.fired_count,
    skippedCount: r.skipped_count,
    leaseOwner: r.lease_owner,
    leaseUntil: r.lease_until,
  }
}
