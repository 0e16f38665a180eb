/**
 * The real `cairn server` (built dist/) as a child process, so benchmarks can read its memory
 * from /proc and reliability tests can SIGKILL or SIGTERM it. Shared by bench/ and test/reliability/.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CLI = join(REPO_ROOT, 'bin', 'cairn.js')
const BUILT_MAIN = join(REPO_ROOT, 'dist', 'cli', 'main.js')

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface ServerProcess {
  url: string
  port: number
  pid: number
  /** CAIRN_HOME of this server; the SQLite file is `${home}/cairn.db`. */
  home: string
  child: ChildProcess
  /** Resolves when the process has exited. */
  exited: Promise<Exit>
  /** Everything the server wrote to stderr so far. */
  stderr(): string
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>
}

export interface StartOptions {
  /** Reuse a CAIRN_HOME (restart after a kill); a fresh temp dir otherwise. */
  home?: string
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[]
  env?: Record<string, string>
  /** How long to wait for "listening"; default 30 s. */
  timeoutMs?: number
}

export function freshHome(prefix = 'cairn-bench-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function removeHome(home: string): void {
  rmSync(home, { recursive: true, force: true })
}

/** Starts `node bin/cairn.js server --port 0` and resolves once it is listening. */
export async function startServerProcess(opts: StartOptions = {}): Promise<ServerProcess> {
  if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run \`npm run build\` first`)
  const home = opts.home ?? freshHome()
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), CLI, 'server', '--host', '127.0.0.1', '--port', '0'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'warn', ...opts.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  let err = ''
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`cairn server did not start within ${opts.timeoutMs ?? 30_000} ms:\n${err}`))
    }, opts.timeoutMs ?? 30_000)
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      err += chunk
      const m = /listening on (http:\/\/\S+)/.exec(err)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    void exited.then((e) => {
      clearTimeout(timer)
      reject(new Error(`cairn server exited before listening (${e.code ?? e.signal}):\n${err}`))
    })
  })
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid!,
    home,
    child,
    exited,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

export interface ProcMemory {
  rssBytes: number
  /** Peak RSS the kernel recorded for the process (VmHWM). */
  hwmBytes: number
}

/** VmRSS and VmHWM of a live process, from /proc (Linux). */
export function readProcMemory(pid: number): ProcMemory | null {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return null
  }
  const kb = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') }
}

/** User and system CPU seconds a process has used so far, from /proc/<pid>/stat. */
export function readProcCpu(pid: number): { user: number; system: number } | null {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return null
  }
  // Fields after the parenthesized command name; utime and stime are fields 14 and 15, in ticks.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return { user: Number(f[11]) / 100, system: Number(f[12]) / 100 }
}

export interface ProcUsage {
  maxRssBytes: number
  /** CPU the process used while sampled, as a share of one core (1 = one core busy). */
  userCores: number
  systemCores: number
}

/** Samples VmRSS every `intervalMs` and keeps the maximum; also measures CPU use over the span. */
export class RssSampler {
  private max = 0
  private readonly timer: NodeJS.Timeout
  private readonly startedAt = performance.now()
  private readonly cpuAtStart

  constructor(
    private readonly pid: number,
    intervalMs = 50,
  ) {
    this.cpuAtStart = readProcCpu(pid)
    this.timer = setInterval(() => this.sample(), intervalMs)
    this.timer.unref()
    this.sample()
  }

  private sample(): void {
    const m = readProcMemory(this.pid)
    if (m && m.rssBytes > this.max) this.max = m.rssBytes
  }

  /** Stops sampling; the maximum RSS seen, in bytes. */
  stop(): number {
    return this.usage().maxRssBytes
  }

  /** Stops sampling; peak RSS and CPU use since the sampler started. */
  usage(): ProcUsage {
    this.sample()
    clearInterval(this.timer)
    const seconds = (performance.now() - this.startedAt) / 1000
    const end = readProcCpu(this.pid)
    const start = this.cpuAtStart
    const share = (x: number): number => Math.round((100 * x) / seconds) / 100
    return {
      maxRssBytes: this.max,
      userCores: start && end ? share(end.user - start.user) : Number.NaN,
      systemCores: start && end ? share(end.system - start.system) : Number.NaN,
    }
  }
}
