/**
 * One step instance (a step, or one item of a fan-out): reuse on resume, cache lookup, then
 * attempts through the executor with retries and backoff, logs shipped, the outcome recorded.
 */
import type { StepOutputs, StepRecord, StepStatus } from '../../protocol/pipeline-entities.js'
import type { PipelinesClient } from '../client.js'
import type { StepExecutor, StepResult, StepTask } from '../executor.js'
import type { StepSpec, Value } from '../spec/types.js'
import type { Semaphore } from '../util/semaphore.js'
import { cacheKey } from './cache-key.js'
import type { PipelineEvent } from './events.js'
import type { LogShipper } from './log-shipper.js'
import {
  lookupIn,
  resolveEnv,
  resolveInputs,
  resolveParams,
  resolveRun,
  ResolveError,
  stepEnvironment,
  type ResolveContext,
} from './resolve.js'

export interface InstanceOutcome {
  status: StepStatus
  outputs: StepOutputs
  message: string
}

/** What every instance of a pipeline run shares. */
export interface RunShared {
  client: PipelinesClient
  executor: StepExecutor
  runId: string
  experimentId: string
  pipeline: string
  workdir: string
  useCache: boolean
  signal: AbortSignal
  slots: Semaphore
  logs: LogShipper
  reuse: Map<string, StepRecord>
  resumedFrom: string | null
  emit: (e: PipelineEvent) => void
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
  warn: (message: string) => void
  /** Sources digest per step, computed once. */
  sources: (step: StepSpec) => Promise<string | null>
}

export interface Instance {
  key: string
  position: number
  index?: number
  item?: Value
  hasItem: boolean
  /** The fan-out's own limit. */
  fanSlots: Semaphore | null
  /** onExit's view of the run's status. */
  pipelineStatus?: string
}

const NO_OUTPUTS = (): StepOutputs => ({ artifacts: {}, values: {} })

/** Records a step that never started (skipped, failed before start, cancelled before start). */
export async function recordNotRun(
  sh: RunShared,
  o: { key: string; step: string; status: StepStatus; message: string; item: boolean },
): Promise<InstanceOutcome> {
  try {
    await sh.client.updateStep(sh.runId, o.key, { status: o.status, message: o.message })
  } catch (err) {
    sh.warn(`could not record step ${o.key}: ${(err as Error).message}`)
  }
  sh.emit({
    type: 'step-finished',
    key: o.key,
    step: o.step,
    status: o.status,
    cacheHit: false,
    reused: false,
    durationMs: 0,
    message: o.message,
    exitCode: null,
    item: o.item,
  })
  return { status: o.status, outputs: NO_OUTPUTS(), message: o.message }
}

export function backoffMs(step: StepSpec, attempt: number): number {
  const r = step.retries
  return Math.min(r.backoffMs * r.factor ** (attempt - 1), r.maxBackoffMs)
}

export async function runInstance(
  sh: RunShared,
  step: StepSpec,
  inst: Instance,
  ctx: ResolveContext,
): Promise<InstanceOutcome> {
  const started = Date.now()
  const finished = (
    status: StepStatus,
    extra: { cacheHit?: boolean; reused?: boolean; message?: string; exitCode?: number | null },
  ): void =>
    sh.emit({
      type: 'step-finished',
      key: inst.key,
      step: step.name,
      status,
      cacheHit: extra.cacheHit ?? false,
      reused: extra.reused ?? false,
      durationMs: Date.now() - started,
      message: extra.message ?? '',
      exitCode: extra.exitCode ?? null,
      item: inst.hasItem,
    })
  const lookup = lookupIn({ ...ctx, item: inst.item, hasItem: inst.hasItem })
  let resolved: AttemptInput['resolved'] & { sources: string | null }
  try {
    const params = resolveParams(step, lookup)
    resolved = {
      params,
      env: resolveEnv(step.env, lookup),
      run: resolveRun(step.run, lookup),
      inputs: resolveInputs(step, ctx.upstream),
      sources: await sh.sources(step),
    }
  } catch (err) {
    const why =
      err instanceof ResolveError ? err.message : `could not prepare the step: ${(err as Error).message}`
    return recordNotRun(sh, {
      key: inst.key,
      step: step.name,
      status: 'failed',
      message: why,
      item: inst.hasItem,
    })
  }
  const key = cacheKey({
    run: resolved.run,
    image: step.image,
    params: resolved.params,
    env: resolved.env,
    inputs: resolved.inputs,
    outputs: step.outputs,
    item: inst.item,
    sourcesDigest: resolved.sources,
  })
  const base = {
    stepKey: inst.key,
    step: step.name,
    position: inst.position,
    params: resolved.params,
    cacheKey: key,
    ...(inst.index !== undefined ? { itemIndex: inst.index } : {}),
    ...(inst.hasItem ? { item: inst.item ?? null } : {}),
  }

  const previous = sh.reuse.get(inst.key)
  if (previous?.status === 'succeeded' && previous.outputs && previous.runId) {
    const message = `reused from pipeline run ${sh.resumedFrom ?? ''} (resume)`
    await sh.client.startStep(sh.runId, {
      ...base,
      status: 'succeeded',
      cacheHit: true,
      cachedFrom: previous.cachedFrom ?? previous.runId,
      outputs: previous.outputs,
      message,
    })
    finished('succeeded', { cacheHit: true, reused: true, message })
    return { status: 'succeeded', outputs: previous.outputs, message }
  }
  if (sh.useCache && step.cache) {
    const hit = await sh.client.lookupCache(key)
    if (hit) {
      const message = `cache hit: outputs of step run ${hit.runId}`
      await sh.client.startStep(sh.runId, {
        ...base,
        status: 'succeeded',
        cacheHit: true,
        cachedFrom: hit.runId,
        outputs: hit.outputs,
        message,
      })
      finished('succeeded', { cacheHit: true, message })
      return { status: 'succeeded', outputs: hit.outputs, message }
    }
  }

  let releaseFan: (() => void) | null = null
  let release: (() => void) | null = null
  try {
    releaseFan = inst.fanSlots ? await inst.fanSlots.acquire(sh.signal) : null
    release = await sh.slots.acquire(sh.signal)
  } catch {
    releaseFan?.()
    return recordNotRun(sh, {
      key: inst.key,
      step: step.name,
      status: 'cancelled',
      message: 'cancelled before it started',
      item: inst.hasItem,
    })
  }
  try {
    return await attempts(sh, step, inst, { base, resolved, finished })
  } finally {
    release()
    releaseFan?.()
  }
}

interface AttemptInput {
  base: Parameters<PipelinesClient['startStep']>[1]
  resolved: {
    params: Record<string, Value>
    env: Record<string, string>
    run: StepTask['run']
    inputs: StepTask['inputs']
  }
  finished: (status: StepStatus, extra: { message?: string; exitCode?: number | null }) => void
}

async function attempts(
  sh: RunShared,
  step: StepSpec,
  inst: Instance,
  a: AttemptInput,
): Promise<InstanceOutcome> {
  let result: StepResult | null = null
  let artifactUri = ''
  let stepRunId = ''
  let attempt = 0
  const log = (line: string): void => {
    sh.logs.line(inst.key, line)
    sh.emit({ type: 'step-log', key: inst.key, line })
  }
  for (attempt = 1; attempt <= step.retries.limit + 1; attempt++) {
    const started = await sh.client.startStep(sh.runId, { ...a.base, attempt })
    stepRunId = started.step.runId ?? ''
    artifactUri = started.artifactUri || artifactUri
    sh.emit({ type: 'step-started', key: inst.key, step: step.name, attempt, runId: stepRunId })
    const task: StepTask = {
      key: inst.key,
      step: step.name,
      pipeline: sh.pipeline,
      pipelineRunId: sh.runId,
      attempt,
      run: a.resolved.run,
      image: step.image,
      env: {
        ...a.resolved.env,
        ...stepEnvironment({
          trackingUri: sh.client.trackingUri,
          stepRunId,
          experimentId: sh.experimentId,
          pipeline: sh.pipeline,
          pipelineRunId: sh.runId,
          step: step.name,
          key: inst.key,
          attempt,
          params: a.resolved.params,
          item: inst.item,
          hasItem: inst.hasItem,
          ...(inst.pipelineStatus !== undefined ? { pipelineStatus: inst.pipelineStatus } : {}),
        }),
      },
      workdir: sh.workdir,
      resources: step.resources,
      timeoutMs: step.timeoutMs,
      tracking: { uri: sh.client.trackingUri, runId: stepRunId },
      inputs: a.resolved.inputs,
      outputs: step.outputs,
      params: a.resolved.params,
      ...(inst.hasItem ? { item: inst.item ?? null } : {}),
    }
    result = await sh.executor.run(task, { signal: sh.signal, log })
    if (result.status !== 'failed' || attempt > step.retries.limit || sh.signal.aborted) break
    const delay = backoffMs(step, attempt)
    log(
      `[cairn] attempt ${attempt} failed (${result.message}); retrying in ${delay} ms (${step.retries.limit + 1 - attempt} left)`,
    )
    sh.emit({ type: 'step-retrying', key: inst.key, attempt, delayMs: delay, message: result.message })
    try {
      await sh.sleep(delay, sh.signal)
    } catch {
      break
    }
  }
  const r = result!
  const status: StepStatus = sh.signal.aborted && r.status !== 'succeeded' ? 'cancelled' : r.status
  const message = status === 'cancelled' && r.status === 'failed' ? `cancelled (${r.message})` : r.message
  await sh.logs.flush()
  const text = sh.logs.take(inst.key)
  if (text !== '' && artifactUri !== '') {
    await sh.client
      .uploadText(artifactUri, 'logs/step.log', text)
      .catch((err: Error) => sh.warn(`could not upload the log of ${inst.key}: ${err.message}`))
  }
  await sh.client.updateStep(sh.runId, inst.key, {
    status,
    attempts: Math.min(attempt, step.retries.limit + 1),
    exitCode: r.exitCode,
    outputs: r.outputs,
    message,
  })
  a.finished(status, { message, exitCode: r.exitCode })
  return { status, outputs: r.outputs, message }
}
