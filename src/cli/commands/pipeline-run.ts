/**
 * Running a pipeline from the CLI: this process is the orchestrator. It talks to the tracking
 * server over HTTP (the run, its steps, cache lookups and live logs are recorded there) and runs
 * steps through the chosen executor. Another terminal finds the run on the server:
 * `cairn pipeline cancel` records a cancel request this process sees on its next heartbeat
 * (every 2 s); `cairn pipeline logs --follow` reads the live logs this process ships; `cairn
 * pipeline resume` starts a new run anywhere the pipeline's folder is.
 *
 * Ctrl-C cancels (running steps are stopped, the onExit step still runs); a second Ctrl-C stops
 * the onExit step too; a third exits at once.
 */
import { hostname, userInfo } from 'node:os'
import type { CairnClient } from '../../client/index.js'
import { PipelinesClient } from '../../pipelines/client.js'
import type { KubernetesSettings } from '../../pipelines/executors/kubernetes/options.js'
import { openExecutor } from '../../pipelines/executors/open-executor.js'
import type { PipelineEvent } from '../../pipelines/orchestrator/events.js'
import { launchPipeline, type OrchestratorOptions } from '../../pipelines/orchestrator/orchestrator.js'
import type { PipelineRunStatus } from '../../protocol/pipeline-entities.js'
import { styleFor } from '../format/style.js'
import { createProgress } from './pipeline-progress.js'

export interface ExecuteOptions {
  client: CairnClient
  /** Everything but the client, executor, signals and events. */
  run: Omit<OrchestratorOptions, 'client' | 'executor' | 'signal' | 'exitSignal' | 'onEvent'>
  backend: string
  /** Max steps the local executor runs at once. */
  maxConcurrent?: number
  /** Settings of the kubernetes backend. */
  kubernetes?: KubernetesSettings
  /** Print step output lines (prefixed) with the progress. */
  logs: boolean
  /** Print nothing but the step output (job submit). */
  quiet?: boolean
  json: boolean
  /** Extra listener (job submit streams its step's output). */
  onEvent?: (e: PipelineEvent) => void
}

export interface ExecuteResult {
  runId: string
  status: PipelineRunStatus
  message: string
  experimentId: string
}

export const EXIT_FOR_STATUS: Record<PipelineRunStatus, number> = {
  succeeded: 0,
  failed: 1,
  cancelled: 130,
  running: 1,
}

function who(): string {
  try {
    return userInfo().username
  } catch {
    return 'unknown'
  }
}

export async function executePipeline(o: ExecuteOptions): Promise<ExecuteResult> {
  const executor = await openExecutor(o.backend, {
    ...(o.maxConcurrent !== undefined ? { local: { maxConcurrent: o.maxConcurrent } } : {}),
    ...(o.kubernetes ? { kubernetes: o.kubernetes } : {}),
  })
  const client = new PipelinesClient(o.client.http)
  const tty = process.stderr.isTTY === true && !o.json && !o.quiet
  const progress = createProgress({
    tty,
    style: styleFor(process.stderr),
    write: (t) => void process.stderr.write(t),
    logs: o.logs,
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
  })
  const cancel = new AbortController()
  const stopExit = new AbortController()
  let interrupts = 0
  const onSigint = (): void => {
    interrupts++
    if (interrupts === 1) {
      process.stderr.write('\ncairn: cancelling the run (Ctrl-C again to stop its cleanup step too)…\n')
      cancel.abort(new Error('interrupted'))
    } else if (interrupts === 2) {
      process.stderr.write('cairn: stopping the cleanup step…\n')
      stopExit.abort()
    } else process.exit(130)
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigint)
  try {
    const launched = await launchPipeline({
      ...o.run,
      client,
      executor,
      signal: cancel.signal,
      exitSignal: stopExit.signal,
      orchestrator: o.run.orchestrator ?? `cli:${hostname()}:${process.pid}`,
      user: o.run.user ?? who(),
      onEvent: (e) => {
        if (!o.quiet && !o.json) progress.event(e)
        o.onEvent?.(e)
      },
      onWarning: (m) => void process.stderr.write(`cairn: warning: ${m}\n`),
    })
    const out = await launched.done
    progress.finish()
    return { ...out, experimentId: launched.experimentId }
  } finally {
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigint)
    await executor.close?.()
  }
}

/** The closing line of `pipeline run` / `resume`. */
export function summary(r: ExecuteResult, trackingUri: string): string {
  const head =
    r.status === 'succeeded'
      ? 'succeeded'
      : r.status === 'cancelled'
        ? 'was cancelled'
        : `failed: ${r.message}`
  return `pipeline run ${r.runId} ${head}\n  details: cairn pipeline show ${r.runId}    logs: cairn pipeline logs ${r.runId}\n  ui: ${trackingUri}/runs/${r.runId}\n`
}
