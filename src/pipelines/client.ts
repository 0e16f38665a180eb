/**
 * PipelinesClient: Cairn's pipeline and schedule routes over HTTP, for the orchestrator (wherever
 * it runs) and the CLI. Built on the SDK's HttpClient (retries, keep-alive, auth headers).
 */
import { HttpClient } from '../client/http.js'
import { artifactBaseUrl } from '../client/artifacts.js'
import type {
  OutputValue,
  PipelineRunRecord,
  PipelineRunStatus,
  StepOutputs,
  StepRecord,
  StepStatus,
} from '../protocol/pipeline-entities.js'
import {
  outputsFromWire,
  outputsToWire,
  pipelineRunFromWire,
  stepFromWire,
  type WireSchedule,
} from '../protocol/pipeline-wire.js'
import { PIPELINES_API as API } from '../protocol/pipelines-api.js'

export interface CreatePipelineRunOptions {
  spec: unknown
  params: Record<string, OutputValue>
  workdir: string
  backend: string
  useCache: boolean
  orchestrator: string
  experimentName?: string
  runName?: string
  scheduleName?: string
  scheduledTime?: number
  resumedFrom?: string
  source?: string
  user?: string
  tags?: Record<string, string>
}

export interface StartStepOptions {
  stepKey: string
  step: string
  itemIndex?: number
  item?: OutputValue
  position?: number
  params: Record<string, OutputValue>
  attempt?: number
  cacheKey?: string
  cacheHit?: boolean
  cachedFrom?: string
  outputs?: StepOutputs
  /** A final status ends the step at once (cache hit, reuse on resume). */
  status?: StepStatus
  message?: string
}

export interface StepUpdate {
  status?: StepStatus
  attempts?: number
  exitCode?: number | null
  outputs?: StepOutputs
  message?: string
}

export interface CacheHit {
  runId: string
  pipelineRunId: string
  stepKey: string
  outputs: StepOutputs
}

export class PipelinesClient {
  constructor(readonly http: HttpClient) {}

  static forUri(trackingUri: string): PipelinesClient {
    return new PipelinesClient(new HttpClient({ trackingUri }))
  }

  get trackingUri(): string {
    return this.http.trackingUri
  }

  async createRun(o: CreatePipelineRunOptions): Promise<PipelineRunRecord> {
    const a = await this.http.call(
      API.createPipelineRun,
      {
        spec: o.spec,
        params: o.params,
        workdir: o.workdir,
        backend: o.backend,
        use_cache: o.useCache,
        orchestrator: o.orchestrator,
        experiment_name: o.experimentName ?? '',
        run_name: o.runName ?? '',
        schedule_name: o.scheduleName ?? '',
        ...(o.scheduledTime !== undefined ? { scheduled_time: o.scheduledTime } : {}),
        resumed_from: o.resumedFrom ?? '',
        source: o.source ?? '',
        user: o.user ?? '',
        tags: Object.entries(o.tags ?? {}).map(([key, value]) => ({ key, value })),
      },
      // Not idempotent: a retried create after a lost answer would make a second run.
      { retry: false },
    )
    return pipelineRunFromWire(a.pipeline_run)
  }

  async getRun(runId: string): Promise<{ run: PipelineRunRecord; steps: StepRecord[] }> {
    const a = await this.http.call(API.getPipelineRun, { run_id: runId })
    return {
      run: pipelineRunFromWire(a.pipeline_run),
      steps: (a.steps ?? []).map((s) => stepFromWire(s, runId)),
    }
  }

  async searchRuns(
    o: {
      pipeline?: string
      status?: PipelineRunStatus
      scheduleName?: string
      maxResults?: number
      pageToken?: string
    } = {},
  ): Promise<{ runs: PipelineRunRecord[]; nextPageToken: string | null }> {
    const a = await this.http.call(API.searchPipelineRuns, {
      pipeline: o.pipeline ?? '',
      status: o.status ?? '',
      schedule_name: o.scheduleName ?? '',
      ...(o.maxResults !== undefined ? { max_results: o.maxResults } : {}),
      page_token: o.pageToken ?? '',
    })
    return {
      runs: (a.pipeline_runs ?? []).map(pipelineRunFromWire),
      nextPageToken: a.next_page_token ?? null,
    }
  }

  async heartbeat(runId: string): Promise<{ status: string; cancelRequested: boolean }> {
    const a = await this.http.call(API.heartbeatPipelineRun, { run_id: runId }, { retry: false })
    return { status: a.status, cancelRequested: a.cancel_requested }
  }

  async finishRun(runId: string, status: PipelineRunStatus, message = ''): Promise<PipelineRunRecord> {
    const a = await this.http.call(API.finishPipelineRun, { run_id: runId, status, message })
    return pipelineRunFromWire(a.pipeline_run)
  }

  async cancelRun(runId: string): Promise<PipelineRunRecord> {
    return pipelineRunFromWire((await this.http.call(API.cancelPipelineRun, { run_id: runId })).pipeline_run)
  }

  async declareSteps(
    runId: string,
    steps: { stepKey: string; step: string; itemIndex?: number; item?: OutputValue; position: number }[],
  ): Promise<void> {
    if (steps.length === 0) return
    await this.http.call(API.declareSteps, {
      run_id: runId,
      steps: steps.map((s) => ({
        step_key: s.stepKey,
        step: s.step,
        item_index: s.itemIndex,
        item: s.item,
        position: s.position,
      })),
    })
  }

  async startStep(runId: string, o: StartStepOptions): Promise<{ step: StepRecord; artifactUri: string }> {
    const a = await this.http.call(
      API.startStep,
      {
        run_id: runId,
        step_key: o.stepKey,
        step: o.step,
        ...(o.itemIndex !== undefined ? { item_index: o.itemIndex } : {}),
        ...(o.item !== undefined ? { item: o.item } : {}),
        ...(o.position !== undefined ? { position: o.position } : {}),
        params: o.params,
        ...(o.attempt !== undefined ? { attempt: o.attempt } : {}),
        cache_key: o.cacheKey ?? '',
        cache_hit: o.cacheHit ?? false,
        cached_from: o.cachedFrom ?? '',
        ...(o.outputs ? { outputs: outputsToWire(o.outputs) } : {}),
        status: o.status ?? '',
        message: o.message ?? '',
      },
      { retry: false },
    )
    return { step: stepFromWire(a.step, runId), artifactUri: a.artifact_uri }
  }

  async updateStep(runId: string, stepKey: string, u: StepUpdate): Promise<StepRecord> {
    const a = await this.http.call(API.updateStep, {
      run_id: runId,
      step_key: stepKey,
      status: u.status ?? '',
      ...(u.attempts !== undefined ? { attempts: u.attempts } : {}),
      ...(u.exitCode !== undefined && u.exitCode !== null ? { exit_code: u.exitCode } : {}),
      ...(u.outputs ? { outputs: outputsToWire(u.outputs) } : {}),
      message: u.message ?? '',
    })
    return stepFromWire(a.step, runId)
  }

  async lookupCache(cacheKey: string): Promise<CacheHit | null> {
    const a = await this.http.call(API.lookupCache, { cache_key: cacheKey })
    if (!a.hit) return null
    return {
      runId: a.hit.run_id,
      pipelineRunId: a.hit.pipeline_run_id,
      stepKey: a.hit.step_key,
      outputs: outputsFromWire(a.hit.outputs),
    }
  }

  async appendLogs(runId: string, entries: { stepKey: string; text: string }[]): Promise<void> {
    if (entries.length === 0) return
    await this.http.call(API.appendLogs, {
      run_id: runId,
      entries: entries.map((e) => ({ step_key: e.stepKey, text: e.text })),
    })
  }

  async readLogs(
    runId: string,
    stepKey: string,
    offset: number,
  ): Promise<{ text: string; nextOffset: number; stepStatus: StepStatus }> {
    const a = await this.http.call(API.getLogs, { run_id: runId, step_key: stepKey, offset })
    return { text: a.text, nextOffset: a.next_offset, stepStatus: a.step_status as StepStatus }
  }

  /** Uploads text as a file of a run's artifacts (its log). */
  async uploadText(artifactUri: string, path: string, text: string): Promise<void> {
    const base = artifactBaseUrl(artifactUri, this.http.trackingUri)
    await this.http.send({
      method: 'PUT',
      path: `${base}/${path.split('/').map(encodeURIComponent).join('/')}`,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: () => text,
      timeoutMs: null,
    })
  }

  // --- schedules ---

  async createSchedule(o: {
    name: string
    spec: unknown
    params: Record<string, OutputValue>
    workdir: string
    experimentName?: string
    cron: string
    timezone?: string
    maxConcurrent?: number
    catchup?: boolean
    backend?: string
  }): Promise<WireSchedule> {
    const a = await this.http.call(API.createSchedule, {
      name: o.name,
      spec: o.spec,
      params: o.params,
      workdir: o.workdir,
      experiment_name: o.experimentName ?? '',
      cron: o.cron,
      timezone: o.timezone ?? '',
      ...(o.maxConcurrent !== undefined ? { max_concurrent: o.maxConcurrent } : {}),
      catchup: o.catchup ?? false,
      backend: o.backend ?? '',
    })
    return a.schedule
  }

  async listSchedules(): Promise<WireSchedule[]> {
    return (await this.http.call(API.listSchedules, {})).schedules ?? []
  }

  async getSchedule(name: string): Promise<WireSchedule> {
    return (await this.http.call(API.getSchedule, { name })).schedule
  }

  async pauseSchedule(name: string): Promise<WireSchedule> {
    return (await this.http.call(API.pauseSchedule, { name })).schedule
  }

  async resumeSchedule(name: string): Promise<WireSchedule> {
    return (await this.http.call(API.resumeSchedule, { name })).schedule
  }

  async deleteSchedule(name: string): Promise<void> {
    await this.http.call(API.deleteSchedule, { name })
  }

  async triggerSchedule(name: string): Promise<string> {
    return (await this.http.call(API.triggerSchedule, { name }, { retry: false })).run_id
  }
}
