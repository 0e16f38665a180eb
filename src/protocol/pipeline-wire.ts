/** JSON shapes (snake_case) of pipeline runs, steps and schedules, and one mapper per entity each way. */
import type {
  OutputValue,
  PipelineRunRecord,
  PipelineRunStatus,
  ScheduleRecord,
  StepOutputs,
  StepRecord,
  StepStatus,
} from './pipeline-entities.js'

export interface WireArtifactOutput {
  run_id: string
  path: string
  digest: string
}

export interface WireStepOutputs {
  artifacts: Record<string, WireArtifactOutput>
  values: Record<string, OutputValue>
}

export interface WirePipelineRun {
  run_id: string
  pipeline: string
  experiment_id: string
  status: PipelineRunStatus
  spec: unknown
  params: Record<string, OutputValue>
  workdir: string
  backend: string
  use_cache: boolean
  orchestrator: string
  schedule_name?: string
  resumed_from?: string
  start_time: number
  end_time?: number
  heartbeat_time: number
  cancel_requested: boolean
  message: string
}

export interface WireStep {
  step_key: string
  step: string
  item_index?: number
  item?: OutputValue
  status: StepStatus
  run_id?: string
  attempts: number
  exit_code?: number
  cache_key?: string
  cache_hit: boolean
  cached_from?: string
  outputs?: WireStepOutputs
  message: string
  start_time?: number
  end_time?: number
  log_bytes: number
  position: number
}

export interface WireSchedule {
  name: string
  pipeline: string
  spec: unknown
  params: Record<string, OutputValue>
  workdir: string
  experiment_name?: string
  cron: string
  timezone: string
  max_concurrent: number
  catchup: boolean
  paused: boolean
  backend: string
  created_time: number
  updated_time: number
  last_fire_time: number
  fired_count: number
  skipped_count: number
  /** The next time it fires (absent while paused). */
  next_fire_time?: number
}

export function outputsToWire(o: StepOutputs): WireStepOutputs {
  return {
    artifacts: Object.fromEntries(
      Object.entries(o.artifacts).map(([k, a]) => [k, { run_id: a.runId, path: a.path, digest: a.digest }]),
    ),
    values: o.values,
  }
}

export function outputsFromWire(o: WireStepOutputs | undefined): StepOutputs {
  if (!o) return { artifacts: {}, values: {} }
  return {
    artifacts: Object.fromEntries(
      Object.entries(o.artifacts ?? {}).map(([k, a]) => [
        k,
        { runId: a.run_id, path: a.path, digest: a.digest },
      ]),
    ),
    values: o.values ?? {},
  }
}

const opt = <K extends string, V>(key: K, v: V | null | undefined): { [P in K]?: V } =>
  (v === null || v === undefined ? {} : { [key]: v }) as { [P in K]?: V }

export function pipelineRunToWire(r: PipelineRunRecord): WirePipelineRun {
  return {
    run_id: r.runId,
    pipeline: r.pipeline,
    experiment_id: r.experimentId,
    status: r.status,
    spec: r.spec,
    params: r.params,
    workdir: r.workdir,
    backend: r.backend,
    use_cache: r.useCache,
    orchestrator: r.orchestrator,
    ...opt('schedule_name', r.scheduleName),
    ...opt('resumed_from', r.resumedFrom),
    start_time: r.startTime,
    ...opt('end_time', r.endTime),
    heartbeat_time: r.heartbeatTime,
    cancel_requested: r.cancelRequested,
    message: r.message,
  }
}

export function pipelineRunFromWire(w: WirePipelineRun): PipelineRunRecord {
  return {
    runId: w.run_id,
    pipeline: w.pipeline,
    experimentId: w.experiment_id,
    status: w.status,
    spec: w.spec,
    params: w.params ?? {},
    workdir: w.workdir,
    backend: w.backend,
    useCache: w.use_cache,
    orchestrator: w.orchestrator,
    scheduleName: w.schedule_name ?? null,
    resumedFrom: w.resumed_from ?? null,
    startTime: w.start_time,
    endTime: w.end_time ?? null,
    heartbeatTime: w.heartbeat_time,
    cancelRequested: w.cancel_requested,
    message: w.message ?? '',
  }
}

export function stepToWire(s: StepRecord): WireStep {
  return {
    step_key: s.stepKey,
    step: s.step,
    ...opt('item_index', s.itemIndex),
    ...(s.item !== undefined ? { item: s.item } : {}),
    status: s.status,
    ...opt('run_id', s.runId),
    attempts: s.attempts,
    ...opt('exit_code', s.exitCode),
    ...opt('cache_key', s.cacheKey),
    cache_hit: s.cacheHit,
    ...opt('cached_from', s.cachedFrom),
    ...(s.outputs ? { outputs: outputsToWire(s.outputs) } : {}),
    message: s.message,
    ...opt('start_time', s.startTime),
    ...opt('end_time', s.endTime),
    log_bytes: s.logBytes,
    position: s.position,
  }
}

export function stepFromWire(w: WireStep, pipelineRunId: string): StepRecord {
  return {
    pipelineRunId,
    stepKey: w.step_key,
    step: w.step,
    itemIndex: w.item_index ?? null,
    item: w.item,
    status: w.status,
    runId: w.run_id ?? null,
    attempts: w.attempts ?? 0,
    exitCode: w.exit_code ?? null,
    cacheKey: w.cache_key ?? null,
    cacheHit: w.cache_hit ?? false,
    cachedFrom: w.cached_from ?? null,
    outputs: w.outputs ? outputsFromWire(w.outputs) : null,
    message: w.message ?? '',
    startTime: w.start_time ?? null,
    endTime: w.end_time ?? null,
    logBytes: w.log_bytes ?? 0,
    position: w.position ?? 0,
  }
}

export function scheduleToWire(s: ScheduleRecord, nextFireTime: number | null): WireSchedule {
  return {
    name: s.name,
    pipeline: s.pipeline,
    spec: s.spec,
    params: s.params,
    workdir: s.workdir,
    ...opt('experiment_name', s.experimentName),
    cron: s.cron,
    timezone: s.timezone,
    max_concurrent: s.maxConcurrent,
    catchup: s.catchup,
    paused: s.paused,
    backend: s.backend,
    created_time: s.createdTime,
    updated_time: s.updatedTime,
    last_fire_time: s.lastFireTime,
    fired_count: s.firedCount,
    skipped_count: s.skippedCount,
    ...opt('next_fire_time', nextFireTime),
  }
}
