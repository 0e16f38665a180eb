/**
 * The local executor: each step is a child process on this machine, at most `maxConcurrent` at
 * once, in the pipeline's folder, as the leader of its own process group so that a timeout or a
 * cancel stops everything the step started. Images and resource requests are ignored here (they
 * are for the Kubernetes executor); staging happens in this process.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HttpClient } from '../../../client/http.js'
import {
  cancelled,
  failed,
  type RunOptions,
  type StepExecutor,
  type StepResult,
  type StepTask,
} from '../../executor.js'
import type { FunctionContextEnv } from '../../function-runner.js'
import { formatDuration } from '../../spec/duration.js'
import { stageStep, StepOutputError, type StagedStep } from '../../staging/stage.js'
import { Semaphore } from '../../util/semaphore.js'
import { LineSplitter, signalGroup, stopGroup } from './process-group.js'

export interface LocalExecutorOptions {
  /** Most steps running at once (default: the machine's available parallelism). */
  maxConcurrent?: number
  /** Between SIGTERM and SIGKILL when a step is stopped (default 5 s). */
  killGraceMs?: number
  /** Where steps' input, output and value folders are made (default <tmp>/cairn-steps). */
  scratchDir?: string
  /** The HTTP client staging uses for a tracking URI (tests inject one). */
  http?: (trackingUri: string) => HttpClient
}

const RUNNER_JS = fileURLToPath(new URL('../../function-runner.js', import.meta.url))
const RUNNER_TS = fileURLToPath(new URL('../../function-runner.ts', import.meta.url))

/** `--import <tsx>` when TypeScript has to be loaded (Cairn run from source, or a .ts step module). */
function tsxImport(): string[] {
  try {
    return ['--import', import.meta.resolve('tsx')]
  } catch {
    return []
  }
}

function commandFor(
  task: StepTask,
  staged: StagedStep,
): { file: string; args: string[]; env: Record<string, string> } {
  const run = staged.run
  if (run.kind === 'shell') return { file: '/bin/sh', args: ['-c', run.script], env: {} }
  if (run.kind === 'argv') return { file: run.argv[0]!, args: run.argv.slice(1), env: {} }
  const fromSource = !existsSync(RUNNER_JS)
  const needsTsx = fromSource || /\.(c|m)?ts$/.test(run.module)
  const context: FunctionContextEnv = {
    step: task.step,
    params: task.params,
    item: task.item,
    inputs: staged.inputPaths,
    outputs: staged.outputPaths,
    values: staged.valuePaths,
    runId: task.tracking.runId,
    trackingUri: task.tracking.uri,
  }
  return {
    file: process.execPath,
    args: [...(needsTsx ? tsxImport() : []), fromSource ? RUNNER_TS : RUNNER_JS],
    env: {
      CAIRN_FUNCTION_MODULE: run.module,
      CAIRN_FUNCTION_EXPORT: run.export,
      CAIRN_FUNCTION_CONTEXT: JSON.stringify(context),
    },
  }
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGKILL: 9,
  SIGTERM: 15,
}

export class LocalExecutor implements StepExecutor {
  readonly name = 'local' as const
  private readonly slots: Semaphore
  private readonly killGraceMs: number
  private readonly scratchDir: string
  private readonly clients = new Map<string, HttpClient>()
  private readonly makeHttp: (uri: string) => HttpClient

  constructor(opts: LocalExecutorOptions = {}) {
    this.slots = new Semaphore(opts.maxConcurrent ?? availableParallelism())
    this.killGraceMs = opts.killGraceMs ?? 5000
    this.scratchDir = opts.scratchDir ?? join(tmpdir(), 'cairn-steps')
    this.makeHttp = opts.http ?? ((trackingUri) => new HttpClient({ trackingUri }))
  }

  private http(uri: string): HttpClient {
    let c = this.clients.get(uri)
    if (!c) this.clients.set(uri, (c = this.makeHttp(uri)))
    return c
  }

  async run(task: StepTask, opts: RunOptions): Promise<StepResult> {
    if (opts.signal.aborted) return cancelled('cancelled before it started')
    let release: () => void
    try {
      release = await this.slots.acquire(opts.signal)
    } catch {
      return cancelled('cancelled before it started')
    }
    try {
      return await this.runStaged(task, opts)
    } finally {
      release()
    }
  }

  private async runStaged(task: StepTask, opts: RunOptions): Promise<StepResult> {
    await mkdir(this.scratchDir, { recursive: true })
    const dir = await mkdtemp(join(this.scratchDir, `${task.key.replace(/[^A-Za-z0-9_-]/g, '_')}-`))
    const http = this.http(task.tracking.uri)
    let staged: StagedStep
    try {
      staged = await stageStep(task, { http, dir })
    } catch (err) {
      await rm(dir, { recursive: true, force: true })
      return failed(`could not stage inputs: ${(err as Error).message}`)
    }
    try {
      const outcome = await this.spawnStep(task, staged, opts)
      if (outcome.status !== 'succeeded') return outcome
      try {
        return { ...outcome, outputs: await staged.collect() }
      } catch (err) {
        if (err instanceof StepOutputError) return failed(err.message, { exitCode: outcome.exitCode })
        return failed(`could not upload outputs: ${(err as Error).message}`, { exitCode: outcome.exitCode })
      }
    } finally {
      await staged.cleanup()
    }
  }

  private spawnStep(task: StepTask, staged: StagedStep, opts: RunOptions): Promise<StepResult> {
    if (opts.signal.aborted) return Promise.resolve(cancelled('cancelled before it started'))
    const cmd = commandFor(task, staged)
    return new Promise<StepResult>((resolveRun) => {
      let child: ChildProcess
      try {
        child = spawn(cmd.file, cmd.args, {
          cwd: task.workdir,
          env: { ...process.env, ...staged.env, ...cmd.env },
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      } catch (err) {
        resolveRun(failed(`could not start '${cmd.file}': ${(err as Error).message}`))
        return
      }
      let stopping: 'timeout' | 'cancel' | null = null
      let stopped: Promise<void> = Promise.resolve()
      const stop = (why: 'timeout' | 'cancel'): void => {
        if (stopping) return
        stopping = why
        stopped = stopGroup(child, this.killGraceMs)
      }
      const onAbort = (): void => stop('cancel')
      opts.signal.addEventListener('abort', onAbort, { once: true })
      const timer = task.timeoutMs !== null ? setTimeout(() => stop('timeout'), task.timeoutMs) : null

      const out = new LineSplitter(opts.log)
      const err = new LineSplitter(opts.log)
      child.stdout!.setEncoding('utf8').on('data', (c: string) => out.push(c))
      child.stderr!.setEncoding('utf8').on('data', (c: string) => err.push(c))

      let settled = false
      const finish = (r: StepResult): void => {
        if (settled) return
        settled = true
        if (timer) clearTimeout(timer)
        opts.signal.removeEventListener('abort', onAbort)
        resolveRun(r)
      }
      child.once('error', (e) => {
        // Spawning failed (no such program, not executable): there is no process to wait for.
        if (child.pid === undefined)
          finish(failed(`could not start '${cmd.file}': ${e.message}`, { exitCode: 127 }))
      })
      let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null
      child.once('exit', (code, signal) => {
        exit = { code, signal }
        // The step's main process ended; anything it left running in its group goes too (and
        // with it the pipes a background process kept open, so 'close' follows).
        void stopped.then(() => {
          if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL')
        })
      })
      child.once('close', () => {
        void stopped.then(() => {
          out.end()
          err.end()
          const { code, signal } = exit ?? { code: null, signal: null }
          const exitCode = code ?? (signal ? 128 + (SIGNAL_NUMBERS[signal] ?? 0) : null)
          if (stopping === 'cancel') finish(cancelled('cancelled while running', exitCode))
          else if (stopping === 'timeout') {
            finish(
              failed(`timed out after ${formatDuration(task.timeoutMs ?? 0)}`, { exitCode, timedOut: true }),
            )
          } else if (code === 0) {
            finish({
              status: 'succeeded',
              exitCode: 0,
              timedOut: false,
              message: '',
              outputs: { artifacts: {}, values: {} },
            })
          } else {
            finish(
              failed(code !== null ? `exited with code ${code}` : `killed by ${signal ?? 'a signal'}`, {
                exitCode,
              }),
            )
          }
        })
      })
    })
  }
}
