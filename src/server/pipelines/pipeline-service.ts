/**
 * The server side of pipelines: every pipeline run and step run is a tracking run (parent/child
 * through mlflow.parentRunId, `cairn.*` tags, step params, status and timing) with a record in
 * the PipelineStore beside it; this service keeps the two in step, so a route never leaves one
 * written without the other. Orchestrators (in the CLI or in this server) call it over HTTP.
 */
import { Readable } from 'node:stream'
import { MLFLOW_TAGS, type RunStatus, type Tag } from '../../protocol/entities.js'
import { CairnError } from '../../protocol/errors.js'
import { LIMITS } from '../../protocol/limits.js'
import {
  CAIRN_TAGS,
  type OutputValue,
  type PipelineRunRecord,
  type PipelineRunStatus,
  type StepOutputs,
  type StepRecord,
  type StepStatus,
} from '../../protocol/pipeline-entities.js'
import type { ArtifactStore } from '../artifacts/artifact-store.js'
import { artifactsForRun } from '../artifacts/open-artifacts.js'
import type { Logger } from '../logging.js'
import type { CachedStep, PipelineStore, StepPatch } from '../store/pipeline-store.js'
import type { TrackingStore } from '../store/tracking-store.js'
import type { Clock } from '../util/clock.js'

export interface PipelineServiceDeps {
  tracking: TrackingStore
  pipelines: PipelineStore
  artifacts: ArtifactStore
  clock: Clock
  logger: Logger
  /** A running pipeline run whose orchestrator has been silent this long is lost (default 60 s). */
  staleAfterMs?: number
}

export interface CreateRunRequest {
  spec: Record<string, unknown>
  params: Record<string, OutputValue>
  experimentName: string
  runName: string
  workdir: string
  backend: string
  useCache: boolean
  orchestrator: string
  scheduleName: string
  scheduledTime: number | undefined
  resumedFrom: string
  source: string
  user: string
  tags: Tag[]
}

export interface StartStepRequest {
  runId: string
  stepKey: string
  step: string
  itemIndex: number | undefined
  item: OutputValue | undefined
  position: number | undefined
  params: Record<string, OutputValue>
  attempt: number | undefined
  cacheKey: string
  cacheHit: boolean
  cachedFrom: string
  outputs: StepOutputs | undefined
  status: StepStatus | undefined
  message: string
}

export interface UpdateStepRequest {
  runId: string
  stepKey: string
  status: StepStatus | undefined
  attempts: number | undefined
  exitCode: number | undefined
  outputs: StepOutputs | undefined
  message: string
}

export const FINAL_STEP = new Set<StepStatus>(['succeeded', 'failed', 'skipped', 'cancelled'])

const RUN_STATUS: Record<PipelineRunStatus | StepStatus, RunStatus> = {
  running: 'RUNNING',
  pending: 'SCHEDULED',
  succeeded: 'FINISHED',
  skipped: 'FINISHED',
  failed: 'FAILED',
  cancelled: 'KILLED',
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s)
const text = (v: OutputValue | undefined): string => (typeof v === 'string' ? v : JSON.stringify(v ?? null))

export class PipelineService {
  /** Pipeline runs orchestrated inside this server process (scheduled runs): cancel aborts them at once. */
  readonly inProcess = new Map<string, AbortController>()
  readonly staleAfterMs: number

  constructor(private readonly deps: PipelineServiceDeps) {
    this.staleAfterMs = deps.staleAfterMs ?? 60_000
  }

  get store(): PipelineStore {
    return this.deps.pipelines
  }

  private async experimentId(name: string): Promise<string> {
    const { tracking } = this.deps
    const found = await tracking.getExperimentByName(name)
    if (found && found.lifecycleStage === 'active') return found.experimentId
    if (found) {
      throw new CairnError(
        'INVALID_STATE',
        `Experiment '${name}' is deleted; restore it or record the pipeline elsewhere.`,
      )
    }
    try {
      return await tracking.createExperiment({ name, tags: [] })
    } catch (err) {
      const again = await tracking.getExperimentByName(name)
      if (again) return again.experimentId
      throw err
    }
  }

  private async logParams(runId: string, params: Record<string, OutputValue>): Promise<void> {
    const list = Object.entries(params).map(([key, v]) => ({
      key,
      value: clip(text(v), LIMITS.maxParamValueLength),
    }))
    for (let i = 0; i < list.length; i += LIMITS.maxParamsPerBatch) {
      await this.deps.tracking.logBatch(runId, {
        metrics: [],
        params: list.slice(i, i + LIMITS.maxParamsPerBatch),
        tags: [],
      })
    }
  }

  private async setTags(
    runId: string,
    tags: Record<string, string | number | boolean | null | undefined>,
  ): Promise<void> {
    const list = Object.entries(tags)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([key, v]) => ({ key, value: clip(String(v), LIMITS.maxTagValueLength) }))
    if (list.length > 0) await this.deps.tracking.logBatch(runId, { metrics: [], params: [], tags: list })
  }

  async createRun(req: CreateRunRequest): Promise<PipelineRunRecord> {
    const name = req.spec['name']
    if (typeof name !== 'string' || name === '' || !Array.isArray(req.spec['steps'])) {
      throw new CairnError(
        'INVALID_PARAMETER_VALUE',
        "'spec' must be a normalized pipeline spec (with a name and steps).",
      )
    }
    const experimentName =
      req.experimentName || (typeof req.spec['experiment'] === 'string' ? req.spec['experiment'] : '') || name
    const experimentId = await this.experimentId(experimentName)
    const now = this.deps.clock.now()
    const tags: Record<string, string | number | null> = {
      [MLFLOW_TAGS.user]: req.user || null,
      [MLFLOW_TAGS.source]: req.source || null,
      [MLFLOW_TAGS.sourceType]: 'JOB',
      [CAIRN_TAGS.kind]: 'pipeline',
      [CAIRN_TAGS.pipeline]: name,
      [CAIRN_TAGS.backend]: req.backend || 'local',
      [CAIRN_TAGS.schedule]: req.scheduleName || null,
      [CAIRN_TAGS.scheduledTime]: req.scheduledTime ?? null,
      [CAIRN_TAGS.resumedFrom]: req.resumedFrom || null,
    }
    const run = await this.deps.tracking.createRun({
      experimentId,
      userId: req.user,
      runName:
        req.runName ||
        `${name}-${new Date(now).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`,
      startTime: now,
      tags: [
        ...Object.entries(tags).flatMap(([key, v]) => (v === null ? [] : [{ key, value: String(v) }])),
        ...req.tags,
      ],
    })
    await this.logParams(run.info.runId, req.params)
    const record = await this.deps.pipelines.createRun({
      runId: run.info.runId,
      pipeline: name,
      experimentId,
      spec: req.spec,
      params: req.params,
      workdir: req.workdir,
      backend: req.backend || 'local',
      useCache: req.useCache,
      orchestrator: req.orchestrator || 'unknown',
      scheduleName: req.scheduleName || null,
      resumedFrom: req.resumedFrom || null,
      startTime: now,
    })
    await this.writeArtifact(run.info.artifactUri, 'pipeline.json', JSON.stringify(req.spec, null, 2))
    return record
  }

  private async writeArtifact(artifactUri: string, path: string, content: string): Promise<void> {
    try {
      const { store, base } = await artifactsForRun(artifactUri, this.deps.artifacts)
      await store.upload(base ? `${base}/${path}` : path, Readable.from([Buffer.from(content)]))
    } catch (err) {
      this.deps.logger.warn({ err, artifactUri, path }, 'could not store a pipeline artifact')
    }
  }

  private async requireRunning(runId: string): Promise<PipelineRunRecord> {
    const run = await this.deps.pipelines.getRun(runId)
    if (run.status !== 'running') {
      throw new CairnError('INVALID_STATE', `Pipeline run '${runId}' already ended as ${run.status}.`)
    }
    return run
  }

  async declareSteps(
    runId: string,
    steps: {
      stepKey: string
      step: string
      itemIndex: number | undefined
      item: OutputValue | undefined
      position: number | undefined
    }[],
  ): Promise<void> {
    await this.requireRunning(runId)
    for (const s of steps) {
      await this.deps.pipelines.upsertStep(runId, s.stepKey, {
        step: s.step || s.stepKey,
        ...(s.itemIndex !== undefined ? { itemIndex: s.itemIndex } : {}),
        ...(s.item !== undefined ? { item: s.item } : {}),
        ...(s.position !== undefined ? { position: s.position } : {}),
      })
    }
  }

  /** The step's record and its tracking run's artifact URI (where its logs and outputs go). */
  async startStep(req: StartStepRequest): Promise<{ step: StepRecord; artifactUri: string }> {
    const parent = await this.requireRunning(req.runId)
    const existing = await this.stepRecord(req.runId, req.stepKey)
    const now = this.deps.clock.now()
    let stepRunId = existing?.runId ?? null
    let artifactUri = ''
    if (stepRunId === null) {
      const parentRun = await this.deps.tracking.getRun(req.runId)
      const user = parentRun.data.tags.find((t) => t.key === MLFLOW_TAGS.user)?.value ?? parentRun.info.userId
      const run = await this.deps.tracking.createRun({
        experimentId: parent.experimentId,
        userId: parentRun.info.userId,
        runName: req.stepKey,
        startTime: now,
        tags: [
          { key: MLFLOW_TAGS.parentRunId, value: req.runId },
          { key: MLFLOW_TAGS.user, value: user },
          { key: MLFLOW_TAGS.sourceType, value: 'JOB' },
          { key: CAIRN_TAGS.kind, value: 'step' },
          { key: CAIRN_TAGS.pipeline, value: parent.pipeline },
          { key: CAIRN_TAGS.pipelineRun, value: req.runId },
          { key: CAIRN_TAGS.step, value: req.step },
          { key: CAIRN_TAGS.stepKey, value: req.stepKey },
        ],
      })
      stepRunId = run.info.runId
      artifactUri = run.info.artifactUri
      await this.logParams(stepRunId, req.params)
    }
    await this.setTags(stepRunId, {
      [CAIRN_TAGS.stepIndex]: req.itemIndex,
      [CAIRN_TAGS.stepItem]: req.item === undefined ? undefined : text(req.item),
      [CAIRN_TAGS.cacheKey]: req.cacheKey || undefined,
      [CAIRN_TAGS.cacheHit]: req.cacheHit ? 'true' : 'false',
      [CAIRN_TAGS.cachedFrom]: req.cachedFrom || undefined,
      [CAIRN_TAGS.attempts]: req.attempt,
      [CAIRN_TAGS.stepStatus]: req.status ?? 'running',
    })
    if (existing?.runId) {
      artifactUri = (await this.deps.tracking.updateRun(stepRunId, { status: 'RUNNING' })).artifactUri
    }
    const final = req.status !== undefined && FINAL_STEP.has(req.status)
    const patch: StepPatch = {
      step: req.step,
      runId: stepRunId,
      status: req.status ?? 'running',
      attempts: req.attempt ?? (req.cacheHit ? 0 : 1),
      startTime: existing?.startTime ?? now,
      cacheKey: req.cacheKey || null,
      cacheHit: req.cacheHit,
      cachedFrom: req.cachedFrom || null,
      message: req.message,
      endTime: final ? now : null,
      exitCode: null,
      ...(req.itemIndex !== undefined ? { itemIndex: req.itemIndex } : {}),
      ...(req.item !== undefined ? { item: req.item } : {}),
      ...(req.position !== undefined ? { position: req.position } : {}),
      ...(req.outputs ? { outputs: req.outputs } : {}),
    }
    const step = await this.deps.pipelines.upsertStep(req.runId, req.stepKey, patch)
    if (final) await this.endStepRun(step, now)
    return { step, artifactUri }
  }

  async updateStep(req: UpdateStepRequest): Promise<StepRecord> {
    await this.deps.pipelines.getRun(req.runId)
    const now = this.deps.clock.now()
    const final = req.status !== undefined && FINAL_STEP.has(req.status)
    const before = req.status === 'running' ? await this.stepRecord(req.runId, req.stepKey) : null
    const step = await this.deps.pipelines.upsertStep(req.runId, req.stepKey, {
      ...(req.status !== undefined ? { status: req.status } : {}),
      ...(before && before.startTime === null ? { startTime: now } : {}),
      ...(req.attempts !== undefined ? { attempts: req.attempts } : {}),
      ...(req.exitCode !== undefined ? { exitCode: req.exitCode } : {}),
      ...(req.outputs !== undefined ? { outputs: req.outputs } : {}),
      ...(req.message !== '' ? { message: req.message } : {}),
      ...(final ? { endTime: now } : {}),
    })
    if (final) await this.endStepRun(step, now)
    return step
  }

  private async stepRecord(runId: string, stepKey: string): Promise<StepRecord | null> {
    return this.deps.pipelines.getStep(runId, stepKey)
  }

  /** Ends a step's tracking run to match its record (status, exit code, attempts, values as tags). */
  private async endStepRun(step: StepRecord, now: number): Promise<void> {
    if (step.runId === null) return
    const values = Object.fromEntries(
      Object.entries(step.outputs?.values ?? {}).map(([k, v]) => [`cairn.output.${k}`, text(v)]),
    )
    await this.setTags(step.runId, {
      [CAIRN_TAGS.stepStatus]: step.status,
      [CAIRN_TAGS.exitCode]: step.exitCode,
      [CAIRN_TAGS.attempts]: step.attempts,
      'cairn.message': step.message || undefined,
      ...values,
    })
    await this.deps.tracking.updateRun(step.runId, { status: RUN_STATUS[step.status], endTime: now })
  }

  async finishRun(runId: string, status: PipelineRunStatus, message: string): Promise<PipelineRunRecord> {
    if (status === 'running')
      throw new CairnError('INVALID_PARAMETER_VALUE', "A pipeline run cannot finish as 'running'.")
    const now = this.deps.clock.now()
    const before = await this.deps.pipelines.getRun(runId)
    if (before.status !== 'running') {
      if (before.status === status) return before
      throw new CairnError('INVALID_STATE', `Pipeline run '${runId}' already ended as ${before.status}.`)
    }
    // Steps the orchestrator left open end with the run, so the record stays consistent.
    for (const s of await this.deps.pipelines.listSteps(runId)) {
      if (FINAL_STEP.has(s.status)) continue
      const next: StepStatus =
        s.status === 'pending' ? 'skipped' : status === 'cancelled' ? 'cancelled' : 'failed'
      const note =
        s.status === 'pending'
          ? 'not run: the pipeline run ended first'
          : `the pipeline run ended (${status}) while this step ran`
      const step = await this.deps.pipelines.upsertStep(runId, s.stepKey, {
        status: next,
        message: s.message || note,
        endTime: now,
      })
      await this.endStepRun(step, now)
    }
    const record = await this.deps.pipelines.updateRun(runId, { status, endTime: now, message })
    await this.setTags(runId, { 'cairn.pipeline_status': status, 'cairn.message': message || undefined })
    await this.deps.tracking.updateRun(runId, { status: RUN_STATUS[status], endTime: now })
    this.inProcess.delete(runId)
    return record
  }

  async heartbeat(runId: string): Promise<PipelineRunRecord> {
    return this.deps.pipelines.updateRun(runId, { heartbeatTime: this.deps.clock.now() })
  }

  /**
   * Asks the run's orchestrator to stop. One in this process is aborted at once; another sees the
   * request on its next heartbeat. A run whose orchestrator is gone is ended here.
   */
  async cancel(runId: string): Promise<PipelineRunRecord> {
    const run = await this.deps.pipelines.requestCancel(runId)
    if (run.status !== 'running') return run
    const local = this.inProcess.get(runId)
    if (local) {
      local.abort(new Error('cancelled'))
      return run
    }
    if (run.heartbeatTime < this.deps.clock.now() - this.staleAfterMs) {
      return this.finishRun(runId, 'cancelled', 'cancelled; its orchestrator was no longer running')
    }
    return run
  }

  /** Ends runs whose orchestrator stopped sending heartbeats (killed CLI, crashed server). */
  async sweepLost(): Promise<string[]> {
    const now = this.deps.clock.now()
    const lost = await this.deps.pipelines.staleRuns(now - this.staleAfterMs)
    const ended: string[] = []
    for (const run of lost) {
      if (this.inProcess.has(run.runId)) continue
      try {
        await this.finishRun(
          run.runId,
          run.cancelRequested ? 'cancelled' : 'failed',
          `lost: its orchestrator (${run.orchestrator}) stopped reporting at ${new Date(run.heartbeatTime).toISOString()}`,
        )
        ended.push(run.runId)
      } catch (err) {
        this.deps.logger.warn({ err, runId: run.runId }, 'could not end a lost pipeline run')
      }
    }
    return ended
  }

  /** A step that ran with this cache key and whose outputs still exist, or null. */
  async lookupCache(cacheKey: string): Promise<CachedStep | null> {
    const hit = await this.deps.pipelines.findCached(cacheKey)
    if (!hit) return null
    try {
      const run = await this.deps.tracking.getRun(hit.runId)
      if (run.info.lifecycleStage !== 'active') return null
      const { store, base } = await artifactsForRun(run.info.artifactUri, this.deps.artifacts)
      for (const a of Object.values(hit.outputs.artifacts)) {
        if (a.runId !== hit.runId) continue
        const listed = await store.list(base ? `${base}/${a.path}` : a.path)
        if (listed.length === 0) return null
      }
    } catch (err) {
      if (err instanceof CairnError) return null
      throw err
    }
    return hit
  }
}
