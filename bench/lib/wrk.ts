/** Running wrk (a C load generator, Debian package `wrk`) with one of the Lua scripts in bench/wrk/. */
import { execFile, execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from './server-process.js'

export function wrkAvailable(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' })
    return true
  } catch (err) {
    // wrk --version prints its usage and exits 1; only a missing binary is ENOENT.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT'
  }
}

export interface WrkResult {
  requests: number
  seconds: number
  perSecond: number
  non2xx: number
  socketErrors: number
  output: string
}

export interface WrkOptions {
  url: string
  script: string
  connections: number
  threads?: number
  durationS: number
  env?: Record<string, string>
}

export function runWrk(opts: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${opts.threads ?? 1}`,
    `-c${opts.connections}`,
    `-d${Math.max(1, Math.round(opts.durationS))}s`,
    '-s',
    join(REPO_ROOT, 'bench', 'wrk', opts.script),
    opts.url,
  ]
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { env: { ...process.env, ...opts.env } }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}\n${stdout}${stderr}`))
      const m = /(\d+) requests in ([\d.]+)(m?s)/.exec(stdout)
      if (!m) return reject(new Error(`cannot read wrk output:\n${stdout}`))
      const requests = Number(m[1])
      const seconds = Number(m[2]) / (m[3] === 'ms' ? 1000 : 1)
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)
      resolve({
        requests,
        seconds,
        perSecond: requests / seconds,
        non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
        socketErrors: socket ? socket.slice(1).reduce((a, x) => a + Number(x), 0) : 0,
        output: stdout,
      })
    })
  })
}
