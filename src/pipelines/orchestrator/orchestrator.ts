/**
 * The orchestrator: runs a pipeline spec in DAG order through any StepExecutor, with at most
 * `spec.parallelism` steps at once, caching, retries, conditions, fan-out and the exit step, and
 * records everything through Cairn's HTTP API (PipelinesClient), so it runs the same in the CLI
 * process and inside the server (scheduled runs). It never knows where steps run.
 *
 * Semantics:
 * - a step runs when every step it depends on ended; if one of them failed or was cancelled it is
 *   skipped ("not run: upstream step … failed"), if one was skipped it is skipped too;
 * - `when` is evaluated on the upstream values; false skips the step;
 * - a fan-out runs one instance per item (`step[i]`), at most `forEach.parallelism` at once; later
 *   steps see its values and artifacts as lists, in item order;
 * - the onExit step runs after all others ended, whatever happened, with `pipeline.status`;
 * - cancelling (the signal, or `cairn pipeline cancel` seen on a heartbeat) stops running steps,
 *   starts nothing new except onExit, and ends the run as cancelled.
 */
import { setMaxListeners } from 'node:events'
import { hostname } from 'node:os'
import type { PipelineRunStatus, StepRecord } from '../../protocol/pipeline-entities.js'
import type { PipelinesClient } from '../client.js'
import type { StepExecutor } from '../executor.js'
import { evaluateExpr } from '../spec/expr/evaluate.js'
import { parseExpr } from '../spec/expr/parse.js'
import { resolveValue } from '../spec/template.js'
import type { PipelineSpec, StepSpec, Value } from '../spec/types.js'
import { stepDependencies } from '../spec/validate.js'
import { Semaphore } from '../util/semaphore.js'
import { sourcesDigest } from './cache-key.js'
import type { PipelineEvent } from './events.js'
import { LogShipper } from './log-shipper.js'
import { lookupIn, type ResolveContext, type Upstream } from './resolve.js'
import { recordNotRun, runInstance, type InstanceOutcome, type RunShared } from './run-instance.js'

export interface OrchestratorOptions {
  spec: PipelineSpec
  /** Resolved values (spec/params.ts resolveParams). */
  params: Record<string, Value>
  /** The pipeline's folder. */
  workdir: string
  executor: StepExecutor
  client: PipelinesClient
  /** Caching for the whole run (steps can still turn it off for themselves). Default true. */
  useCache?: boolean
  signal?: AbortSignal
  /** Aborts the onExit step too (a second Ctrl-C). */
  exitSignal?: AbortSignal
  onEvent?: (e: PipelineEvent) => void
  experimentName?: string
  runName?: string
  scheduleName?: string
  scheduledTime?: number
  source?: string
  user?: string
  tags?: Record<string, string>
  /** Who orchestrates, for the record (default `cli:<host>:<pid>`). */
  orchestrator?: string
  /** Reuse the succeeded steps of this earlier run (Metaflow-style resume). */
  resume?: { fromRunId: string; steps: StepRecord[] }
  heartbeatMs?: number
  logFlushMs?: number
  /** Waits between retries; abortable. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** Problems that do not stop the run (a log that could not be shipped). */
  onWarning?: (message: string) => void
}

export interface PipelineOutcome {
  runId: string
  status: PipelineRunStatus
  message: string
}

export interface LaunchedPipeline {
  runId: string
  experimentId: string
  /** Settles when the run ended and is recorded. */
  done: Promise<PipelineOutcome>
  /** Stops the run (as `cairn pipeline cancel` does). */
  cancel(): void
}

export const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolveSleep, reject) => {
    if (signal.aborted) return reject(new Error('aborted'))
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolveSleep()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(t)
      reject(new Error('aborted'))
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })

/** Starts a pipeline run; resolves once the run is recorded (its id known), with `done` for the end. */
export async function launchPipeline(o: OrchestratorOptions): Promise<LaunchedPipeline> {
  const { spec, client } = o
  const record = await client.createRun({
    spec,
    params: o.params,
    workdir: o.workdir,
    backend: o.executor.name,
    useCache: o.useCache ?? true,
    orchestrator: o.orchestrator ?? `cli:${hostname()}:${process.pid}`,
    ...(o.experimentName !== undefined ? { experimentName: o.experimentName } : {}),
    ...(o.runName !== undefined ? { runName: o.runName } : {}),
    ...(o.scheduleName !== undefined ? { scheduleName: o.scheduleName } : {}),
    ...(o.scheduledTime !== undefined ? { scheduledTime: o.scheduledTime } : {}),
    ...(o.resume ? { resumedFrom: o.resume.fromRunId } : {}),
    ...(o.source !== undefined ? { source: o.source } : {}),
    ...(o.user !== undefined ? { user: o.user } : {}),
    ...(o.tags ? { tags: o.tags } : {}),
  })
  const runId = record.runId
  const controller = new AbortController()
  // Every waiting and running step listens on this one signal.
  setMaxListeners(0, controller.signal)
  const onOuterAbort = (): void => controller.abort(o.signal?.reason)
  if (o.signal?.aborted) controller.abort(o.signal.reason)
  o.signal?.addEventListener('abort', onOuterAbort, { once: true })
  const emit = o.onEvent ?? ((): void => {})
  const warn = o.onWarning ?? ((): void => {})

  const heartbeat = setInterval(() => {
    client.heartbeat(runId).then(
      (h) => {
        if (h.cancelRequested || h.status !== 'running') controller.abort(new Error('cancel requested'))
      },
      (err: Error) => warn(`heartbeat failed: ${err.message}`),
    )
  }, o.heartbeatMs ?? 2000)
  heartbeat.unref()

  const done = (async (): Promise<PipelineOutcome> => {
    try {
      await client.declareSteps(runId, [
        ...spec.steps.map((s, i) => ({ stepKey: s.name, step: s.name, position: i })),
        ...(spec.onExit
          ? [{ stepKey: spec.onExit.name, step: spec.onExit.name, position: spec.steps.length }]
          : []),
      ])
      emit({
        type: 'run-started',
        runId,
        pipeline: spec.name,
        steps: spec.steps.map((s) => s.name),
        experimentId: record.experimentId,
      })
      const logs = new LogShipper(client, runId, o.logFlushMs ?? 300, (err) =>
        warn(`could not ship logs: ${err.message}`),
      )
      const sourceDigests = new Map<string, Promise<string | null>>()
      const shared: RunShared = {
        client,
        executor: o.executor,
        runId,
        experimentId: record.experimentId,
        pipeline: spec.name,
        workdir: o.workdir,
        useCache: o.useCache ?? true,
        signal: controller.signal,
        slots: new Semaphore(spec.parallelism),
        logs,
        reuse: new Map((o.resume?.steps ?? []).map((s) => [s.stepKey, s])),
        resumedFrom: o.resume?.fromRunId ?? null,
        emit,
        sleep: o.sleep ?? defaultSleep,
        warn,
        sources: (step) => {
          let p = sourceDigests.get(step.name)
          if (!p) sourceDigests.set(step.name, (p = sourcesDigest(o.workdir, step.sources)))
          return p
        },
      }
      const outcome = await execute(o, shared)
      await logs.flush()
      const finished = await client.finishRun(runId, outcome.status, outcome.message)
      const result = { runId, status: finished.status, message: outcome.message }
      emit({ type: 'run-finished', ...result })
      return result
    } catch (err) {
      // The orchestrator itself broke (the server went away): end the record if it still can.
      const message = `orchestrator error: ${(err as Error).message}`
      await client.finishRun(runId, 'failed', message).catch(() => undefined)
      emit({ type: 'run-finished', runId, status: 'failed', message })
      return { runId, status: 'failed', message }
    } finally {
      clearInterval(heartbeat)
      o.signal?.removeEventListener('abort', onOuterAbort)
    }
  })()
  return {
    runId,
    experimentId: record.experimentId,
    done,
    cancel: () => controller.abort(new Error('cancelled')),
  }
}

export async function runPipeline(o: OrchestratorOptions): Promise<PipelineOutcome> {
  return (await launchPipeline(o)).done
}

async function execute(
  o: OrchestratorOptions,
  sh: RunShared,
): Promise<{ status: PipelineRunStatus; message: string }> {
  const { spec } = o
  const upstream = new Map<string, Upstream>()
  const results = new Map<string, Promise<Upstream>>()
  const ctx: ResolveContext = {
    params: o.params,
    upstream,
    pipeline: { name: spec.name, runId: sh.runId },
    hasItem: false,
  }
  const byName = new Map(spec.steps.map((s, i) => [s.name, { step: s, position: i }]))

  const outcomeOf = (name: string): Promise<Upstream> => {
    let p = results.get(name)
    if (!p) {
      const { step, position } = byName.get(name)!
      p = (async () => {
        const deps = [...stepDependencies(spec, step)]
        await Promise.all(deps.map(outcomeOf))
        const up = await runStep(sh, step, { position, deps, ctx }).catch(
          async (err: Error): Promise<Upstream> => {
            const out = await recordNotRun(sh, {
              key: step.name,
              step: step.name,
              status: 'failed',
              message: `orchestrator error: ${err.message}`,
              item: false,
            })
            return { status: out.status, outputs: [out.outputs], fanout: false, message: out.message }
          },
        )
        upstream.set(name, up)
        return up
      })()
      results.set(name, p)
    }
    return p
  }
  await Promise.all(spec.steps.map((s) => outcomeOf(s.name)))

  const failedStep = spec.steps.find((s) => upstream.get(s.name)?.status === 'failed')
  let status: PipelineRunStatus = sh.signal.aborted
    ? 'cancelled'
    : failedStep
      ? 'failed'
      : spec.steps.some((s) => upstream.get(s.name)?.status === 'cancelled')
        ? 'cancelled'
        : 'succeeded'
  let message = failedStep
    ? `step '${failedStep.name}' failed: ${upstream.get(failedStep.name)!.message}`
    : status === 'cancelled'
      ? 'cancelled'
      : ''

  if (spec.onExit) {
    const exitController = new AbortController()
    setMaxListeners(0, exitController.signal)
    if (o.exitSignal?.aborted) exitController.abort()
    o.exitSignal?.addEventListener('abort', () => exitController.abort(), { once: true })
    const exitShared: RunShared = {
      ...sh,
      signal: exitController.signal,
      slots: new Semaphore(1),
      useCache: false,
      reuse: new Map(),
    }
    const out = await runInstance(
      exitShared,
      spec.onExit,
      {
        key: spec.onExit.name,
        position: spec.steps.length,
        hasItem: false,
        fanSlots: null,
        pipelineStatus: status,
      },
      { ...ctx, pipeline: { ...ctx.pipeline, status } },
    ).catch((err: Error): InstanceOutcome => ({
      status: 'failed',
      outputs: { artifacts: {}, values: {} },
      message: `orchestrator error: ${err.message}`,
    }))
    if (out.status === 'failed' && status === 'succeeded') {
      status = 'failed'
      message = `exit step '${spec.onExit.name}' failed: ${out.message}`
    }
  }
  return { status, message }
}

interface StepPlace {
  position: number
  deps: string[]
  ctx: ResolveContext
}

async function runStep(sh: RunShared, step: StepSpec, place: StepPlace): Promise<Upstream> {
  const single = (out: InstanceOutcome): Upstream => ({
    status: out.status,
    outputs: [out.outputs],
    fanout: false,
    message: out.message,
  })
  const notRun = async (status: 'skipped' | 'failed' | 'cancelled', message: string): Promise<Upstream> =>
    single(await recordNotRun(sh, { key: step.name, step: step.name, status, message, item: false }))

  if (sh.signal.aborted) return notRun('cancelled', 'cancelled before it started')
  for (const d of place.deps) {
    const up = place.ctx.upstream.get(d)!
    if (up.status === 'failed' || up.status === 'cancelled')
      return notRun(
        'skipped',
        `not run: upstream step '${d}' ${up.status === 'failed' ? 'failed' : 'was cancelled'}`,
      )
  }
  for (const d of place.deps) {
    if (place.ctx.upstream.get(d)!.status === 'skipped')
      return notRun('skipped', `not run: upstream step '${d}' was skipped`)
  }
  const lookup = lookupIn(place.ctx)
  if (step.when !== null) {
    let ok: Value
    try {
      ok = evaluateExpr(parseExpr(step.when), lookup)
    } catch (err) {
      return notRun('failed', `condition could not be evaluated: ${(err as Error).message}`)
    }
    if (ok !== true) return notRun('skipped', `condition is false: ${step.when}`)
  }
  if (!step.forEach) {
    return single(
      await runInstance(
        sh,
        step,
        { key: step.name, position: place.position, hasItem: false, fanSlots: null },
        place.ctx,
      ),
    )
  }

  let items: Value
  try {
    items = resolveValue(step.forEach.items, lookup)
  } catch (err) {
    return notRun('failed', `fan-out items could not be resolved: ${(err as Error).message}`)
  }
  if (!Array.isArray(items))
    return notRun('failed', `type mismatch: forEach items must be a list, got ${JSON.stringify(items)}`)
  const keys = items.map((_, i) => `${step.name}[${i}]`)
  await sh.client.declareSteps(
    sh.runId,
    items.map((item, i) => ({
      stepKey: keys[i]!,
      step: step.name,
      itemIndex: i,
      item,
      position: place.position,
    })),
  )
  await sh.client.updateStep(sh.runId, step.name, { status: 'running', message: `${items.length} items` })
  sh.emit({ type: 'fanout', step: step.name, keys })
  const fanSlots = new Semaphore(step.forEach.parallelism)
  const outs = await Promise.all(
    items.map((item, i) =>
      runInstance(
        sh,
        step,
        { key: keys[i]!, position: place.position, index: i, item, hasItem: true, fanSlots },
        place.ctx,
      ),
    ),
  )
  const failedCount = outs.filter((x) => x.status === 'failed').length
  const cancelledCount = outs.filter((x) => x.status === 'cancelled').length
  const status = failedCount > 0 ? 'failed' : cancelledCount > 0 ? 'cancelled' : 'succeeded'
  const firstFailure = outs.findIndex((x) => x.status === 'failed')
  const message =
    failedCount > 0
      ? `${failedCount} of ${items.length} items failed (first: ${keys[firstFailure]}: ${outs[firstFailure]!.message})`
      : `${items.length} items${cancelledCount ? `, ${cancelledCount} cancelled` : ''}`
  await sh.client.updateStep(sh.runId, step.name, { status, message })
  sh.emit({
    type: 'step-finished',
    key: step.name,
    step: step.name,
    status,
    cacheHit: false,
    reused: false,
    durationMs: 0,
    message,
    exitCode: null,
    item: false,
  })
  return { status, outputs: outs.map((x) => x.outputs), fanout: true, message }
}
