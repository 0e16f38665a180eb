/**
 * Cairn's pipeline and schedule endpoints, under /api/2.0/cairn/pipelines/… and
 * /api/2.0/cairn/schedules/…. The orchestrator (in the CLI or in the server) records runs, steps,
 * cache hits and logs through them; the CLI and UI read them. One row per endpoint, used by the
 * server's routes and the client alike.
 */
import { endpoint } from './endpoint.js'
import {
  bool,
  invalidValue,
  message,
  optionalInt32,
  optionalInt64,
  repeated,
  schema,
  string,
  type Field,
} from './fields.js'
import type { OutputValue } from './pipeline-entities.js'
import type { WirePipelineRun, WireSchedule, WireStep, WireStepOutputs } from './pipeline-wire.js'

type Empty = Record<string, never>

/** Any JSON object; absent is `undefined`. */
function jsonObject<T = Record<string, unknown>>(opts: { required?: boolean } = {}): Field<T | undefined> {
  return {
    required: opts.required ?? false,
    fallback: undefined,
    parse: (v, name) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidValue(name, v)
      return v as T
    },
  }
}

/** Any JSON value (a fan-out item). */
function jsonValue(): Field<OutputValue | undefined> {
  return { required: false, fallback: undefined, parse: (v) => v as OutputValue }
}

const tag = () => message({ key: string(), value: string() })
const runId = () => string({ required: true })

export const PIPELINES_API = {
  createPipelineRun: endpoint<{ pipeline_run: WirePipelineRun }>()(
    'createPipelineRun',
    { methods: ['POST'], path: '/cairn/pipelines/runs/create' },
    schema({
      /** The normalized spec. */
      spec: jsonObject({ required: true }),
      params: jsonObject<Record<string, OutputValue>>(),
      /** Default: the spec's experiment, else the pipeline's name (created when missing). */
      experiment_name: string(),
      run_name: string(),
      workdir: string(),
      backend: string(),
      use_cache: bool({ fallback: true }),
      orchestrator: string(),
      schedule_name: string(),
      scheduled_time: optionalInt64(),
      resumed_from: string(),
      source: string(),
      user: string(),
      tags: repeated(tag()),
    }),
  ),
  getPipelineRun: endpoint<{ pipeline_run: WirePipelineRun; steps?: WireStep[] }>()(
    'getPipelineRun',
    { methods: ['GET'], path: '/cairn/pipelines/runs/get' },
    schema({ run_id: runId() }),
  ),
  searchPipelineRuns: endpoint<{ pipeline_runs?: WirePipelineRun[]; next_page_token?: string }>()(
    'searchPipelineRuns',
    { methods: ['GET'], path: '/cairn/pipelines/runs/search' },
    schema({
      pipeline: string(),
      status: string(),
      schedule_name: string(),
      max_results: optionalInt32(),
      page_token: string(),
    }),
  ),
  /** The orchestrator's pulse; the answer carries a pending cancel request. */
  heartbeatPipelineRun: endpoint<{ status: string; cancel_requested: boolean }>()(
    'heartbeatPipelineRun',
    { methods: ['POST'], path: '/cairn/pipelines/runs/heartbeat' },
    schema({ run_id: runId() }),
  ),
  finishPipelineRun: endpoint<{ pipeline_run: WirePipelineRun }>()(
    'finishPipelineRun',
    { methods: ['POST'], path: '/cairn/pipelines/runs/finish' },
    schema({ run_id: runId(), status: string({ required: true }), message: string() }),
  ),
  cancelPipelineRun: endpoint<{ pipeline_run: WirePipelineRun }>()(
    'cancelPipelineRun',
    { methods: ['POST'], path: '/cairn/pipelines/runs/cancel' },
    schema({ run_id: runId() }),
  ),
  /** Declares steps not started yet (pending), so a run's step table is complete from the start. */
  declareSteps: endpoint<Empty>()(
    'declarePipelineSteps',
    { methods: ['POST'], path: '/cairn/pipelines/steps/declare' },
    schema({
      run_id: runId(),
      steps: repeated(
        message({
          step_key: string({ required: true }),
          step: string(),
          item_index: optionalInt32(),
          item: jsonValue(),
          position: optionalInt32(),
        }),
      ),
    }),
  ),
  /**
   * Creates the step's tracking run (a child of the pipeline run, with the step's params and
   * `cairn.*` tags) or reuses the one it has. With `status` the step ends at once (a cache hit, a
   * skip), otherwise it is running.
   */
  startStep: endpoint<{ step: WireStep; artifact_uri: string }>()(
    'startPipelineStep',
    { methods: ['POST'], path: '/cairn/pipelines/steps/start' },
    schema({
      run_id: runId(),
      step_key: string({ required: true }),
      step: string({ required: true }),
      item_index: optionalInt32(),
      item: jsonValue(),
      position: optionalInt32(),
      params: jsonObject<Record<string, OutputValue>>(),
      attempt: optionalInt32(),
      cache_key: string(),
      cache_hit: bool(),
      cached_from: string(),
      outputs: jsonObject<WireStepOutputs>(),
      status: string(),
      message: string(),
    }),
  ),
  /** Changes a step; a final status also ends its tracking run (FINISHED, FAILED or KILLED). */
  updateStep: endpoint<{ step: WireStep }>()(
    'updatePipelineStep',
    { methods: ['POST'], path: '/cairn/pipelines/steps/update' },
    schema({
      run_id: runId(),
      step_key: string({ required: true }),
      status: string(),
      attempts: optionalInt32(),
      exit_code: optionalInt32(),
      outputs: jsonObject<WireStepOutputs>(),
      message: string(),
    }),
  ),
  lookupCache: endpoint<{
    hit?: { run_id: string; pipeline_run_id: string; step_key: string; outputs: WireStepOutputs }
  }>()(
    'lookupPipelineCache',
    { methods: ['GET'], path: '/cairn/pipelines/cache/lookup' },
    schema({ cache_key: string({ required: true }) }),
  ),
  appendLogs: endpoint<Empty>()(
    'appendPipelineLogs',
    { methods: ['POST'], path: '/cairn/pipelines/logs/append' },
    schema({
      run_id: runId(),
      entries: repeated(message({ step_key: string({ required: true }), text: string() })),
    }),
  ),
  getLogs: endpoint<{ text: string; next_offset: number; step_status: string }>()(
    'getPipelineLogs',
    { methods: ['GET'], path: '/cairn/pipelines/logs/get' },
    schema({
      run_id: runId(),
      step_key: string({ required: true }),
      offset: optionalInt64(),
      max_bytes: optionalInt32(),
    }),
  ),

  createSchedule: endpoint<{ schedule: WireSchedule }>()(
    'createSchedule',
    { methods: ['POST'], path: '/cairn/schedules/create' },
    schema({
      name: string(),
      spec: jsonObject({ required: true }),
      params: jsonObject<Record<string, OutputValue>>(),
      workdir: string({ required: true }),
      experiment_name: string(),
      cron: string({ required: true }),
      timezone: string(),
      max_concurrent: optionalInt32(),
      catchup: bool(),
      backend: string(),
    }),
  ),
  listSchedules: endpoint<{ schedules?: WireSchedule[] }>()(
    'listSchedules',
    { methods: ['GET'], path: '/cairn/schedules/list' },
    schema({}),
  ),
  getSchedule: endpoint<{ schedule: WireSchedule }>()(
    'getSchedule',
    { methods: ['GET'], path: '/cairn/schedules/get' },
    schema({ name: string({ required: true }) }),
  ),
  pauseSchedule: endpoint<{ schedule: WireSchedule }>()(
    'pauseSchedule',
    { methods: ['POST'], path: '/cairn/schedules/pause' },
    schema({ name: string({ required: true }) }),
  ),
  resumeSchedule: endpoint<{ schedule: WireSchedule }>()(
    'resumeSchedule',
    { methods: ['POST'], path: '/cairn/schedules/resume' },
    schema({ name: string({ required: true }) }),
  ),
  deleteSchedule: endpoint<Empty>()(
    'deleteSchedule',
    { methods: ['POST'], path: '/cairn/schedules/delete' },
    schema({ name: string({ required: true }) }),
  ),
  /** Starts a run of the schedule's pipeline now (outside its cron times). */
  triggerSchedule: endpoint<{ run_id: string }>()(
    'triggerSchedule',
    { methods: ['POST'], path: '/cairn/schedules/trigger' },
    schema({ name: string({ required: true }) }),
  ),
} as const

export type PipelinesApi = typeof PIPELINES_API
