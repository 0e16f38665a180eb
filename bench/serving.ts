/**
 * Serving benchmark (issue 4): a logistic regression with 8 features exported to ONNX, registered
 * in a tracking server (in this process) and served by `cairn serve models:/bench@champion` in a
 * child process, driven by wrk on the same machine (one wrk thread; the 2-core VM runs both):
 *
 * - single-row `POST /invocations`, 16 connections: requests/s (target ≥ 15,000) and p99
 *   (target ≤ 5 ms);
 * - 100-row `POST /invocations`, 8 connections: rows/s (target ≥ 1,000,000);
 * - single-row `POST /predict` and OIP `POST /v2/models/bench/infer`, for information;
 * - swap under load: the alias moves between two versions every 0.5 s while wrk scores single
 *   rows; failed requests (target 0), and the swaps the server made;
 * - the server's RSS with one model loaded (target ≤ 250 MB): peak during the runs;
 * - the prediction log's cost: single-row and 100-row throughput with the log on against a second
 *   server with `--no-prediction-log`, runs alternated (monitoring's target: ≤ 5 % loss).
 *
 * Beside each figure: MLflow's scoring server (gunicorn + Flask, one worker) measured on this
 * machine serving the same kind of model: ~290 single-row requests/s (p99 74 ms), 25,000 rows/s.
 *
 *   npm run bench:serving [-- --json] [-- --scale 0.3] [-- --only single-row,batch-100,predict,oip,swap,log] [-- --profile]
 *   SERVE_ARGS="--no-prediction-log" npx tsx bench/serving.ts   (extra cairn serve flags)
 *
 * The server is the built CLI (`node bin/cairn.js serve …`) when dist/ is newer than src/, else
 * the CLI from the sources (`node --import tsx bench/serving.ts --child serve …`): tsx only
 * transpiles at load, but its loader adds ~45 MB of RSS.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveServerConfig } from '../src/server/config.js'
import { silentLogger } from '../src/server/logging.js'
import { startServer, type RunningServer } from '../src/server/server.js'
import { featureNames, writeLogisticModel } from '../src/server/serving/test-support/model-fixtures.js'
import { registerFolders, setAlias } from '../src/server/serving/test-support/registry-fixtures.js'
import { formatHot, newestProfile, summarizeProfile } from './lib/profile.js'
import { conditionsNow, MB, parseArgs, printReport, progress, type CaseResult } from './lib/report.js'
import { readProcMemory, REPO_ROOT, RssSampler } from './lib/server-process.js'
import { wrkAvailable } from './lib/wrk.js'

const SELF = fileURLToPath(import.meta.url)
const PEER = { singleRps: 290, singleP99Ms: 74, rowsPerSecond: 25_000 }
const FEATURES = featureNames(8)

interface Serve {
  url: string
  pid: number
  child: ChildProcess
  stop(): Promise<void>
}

/** Newest modification time of the .ts files under `dir`. */
function newestSource(dir: string): number {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name)
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path))
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

/**
 * The built CLI (bin/cairn.js) when dist/ is newer than every source file, as users run it; else
 * the CLI from the sources through tsx, whose loader adds ~45 MB to the server's RSS.
 */
function serveCommand(): { kind: 'dist' | 'tsx'; argv: string[] } {
  const built = join(REPO_ROOT, 'dist', 'cli', 'main.js')
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource(join(REPO_ROOT, 'src'))) {
    return { kind: 'dist', argv: [join(REPO_ROOT, 'bin', 'cairn.js')] }
  }
  return { kind: 'tsx', argv: ['--import', 'tsx', SELF, '--child'] }
}

async function startServe(args: string[], env: Record<string, string>, nodeArgs: string[]): Promise<Serve> {
  const child = spawn(process.execPath, [...nodeArgs, ...serveCommand().argv, 'serve', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CAIRN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (c: string) => {
      err += c
      const m = / on (http:\/\/\S+)/.exec(err)
      if (m) resolve(m[1]!)
    })
    void exited.then(() => reject(new Error(`cairn serve exited before listening:\n${err}`)))
  })
  return {
    url,
    pid: child.pid!,
    child,
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}

interface WrkRun {
  requests: number
  perSecond: number
  p50Ms: number
  p99Ms: number
  failed: number
}

const ms = (v: string, unit: string): number => Number(v) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1)

function wrk(
  url: string,
  opts: { connections: number; seconds: number; body: string; path: string },
): Promise<WrkRun> {
  const bodyFile = join(
    tmpdir(),
    `cairn-bench-body-${process.pid}-${opts.connections}-${opts.body.length}.json`,
  )
  writeFileSync(bodyFile, opts.body)
  const args = [
    '-t1',
    `-c${opts.connections}`,
    `-d${Math.max(1, Math.round(opts.seconds))}s`,
    '--latency',
    '-s',
  ]
  args.push(join(REPO_ROOT, 'bench', 'wrk', 'scoring.lua'), url)
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      args,
      { env: { ...process.env, BODY_FILE: bodyFile, PATH_INFO: opts.path } },
      (err, stdout) => {
        rmSync(bodyFile, { force: true })
        if (err) return reject(new Error(`wrk failed: ${err.message}\n${stdout}`))
        const total = /(\d+) requests in ([\d.]+)(m?s)/.exec(stdout)
        const lat = (p: string): number => {
          const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout)
          return m ? ms(m[1]!, m[2]!) : Number.NaN
        }
        if (!total) return reject(new Error(`cannot read wrk output:\n${stdout}`))
        const seconds = Number(total[2]) / (total[3] === 'ms' ? 1000 : 1)
        const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)
        const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0)
        resolve({
          requests: Number(total[1]),
          perSecond: Number(total[1]) / seconds,
          p50Ms: lat('50'),
          p99Ms: lat('99'),
          failed: non2xx + (socket ? socket.slice(1).reduce((a, x) => a + Number(x), 0) : 0),
        })
      },
    )
  })
}

function rows(n: number, seed: number): number[][] {
  return Array.from({ length: n }, (_, r) =>
    FEATURES.map((_, c) => Math.round(Math.sin(seed + r * 8 + c) * 1000) / 1000),
  )
}

const split = (n: number): string =>
  JSON.stringify({ dataframe_split: { columns: FEATURES, data: rows(n, 1) } })

async function check(url: string, path: string, body: string): Promise<void> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  })
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`)
}

async function swapsMade(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return Number(/cairn_serving_model_swaps_total\{[^}]*result="success"\} (\d+)/.exec(text)?.[1] ?? 0)
}

async function bench(): Promise<void> {
  const args = parseArgs()
  if (!wrkAvailable()) throw new Error('wrk is not installed (Debian package wrk)')
  const want = (c: string): boolean => args.only.length === 0 || args.only.includes(c)
  const seconds = Math.max(2, 10 * args.scale)
  const conditions = conditionsNow()
  const results: CaseResult[] = []
  const home = mkdtempSync(join(tmpdir(), 'cairn-bench-serving-'))
  let tracking: RunningServer | null = null
  let serve: Serve | null = null
  try {
    tracking = await startServer(
      { ...resolveServerConfig({ port: 0 }, { CAIRN_HOME: join(home, 'tracking') }) },
      silentLogger(),
    )
    const w = FEATURES.map((_, i) => (i % 2 === 0 ? 0.5 : -0.25) * (i + 1) * 0.1)
    const v1 = await writeLogisticModel(join(home, 'v1'), w, 0.1, {
      example: [Object.fromEntries(FEATURES.map((f) => [f, 0.5]))],
    })
    const v2 = await writeLogisticModel(
      join(home, 'v2'),
      w.map((x) => -x),
      -0.1,
    )
    await registerFolders(tracking.url, 'bench', [v1, v2])
    await setAlias(tracking.url, 'bench', 'champion', '1')
    progress(`tracking server ${tracking.url}; model bench v1, v2 (8-feature logistic regression, ONNX)`)

    // SERVE_ARGS adds flags to cairn serve (e.g. "--no-prediction-log" to see the log's cost apart).
    const extra = (process.env['SERVE_ARGS'] ?? '').split(' ').filter((a) => a !== '')
    const serveArgs = [
      'models:/bench@champion',
      '--port',
      '0',
      '--tracking-uri',
      tracking.url,
      '--poll-interval',
      '0.1',
    ]
    serve = await startServe(
      [...serveArgs, ...extra],
      { CAIRN_HOME: join(home, 'serve') },
      args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(home, 'profile')}`] : [],
    )
    progress(
      `cairn serve ${serve.url} (pid ${serve.pid}, ${serveCommand().kind === 'dist' ? 'built CLI' : 'CLI from the sources: dist/ is missing or older than src/ (npm run build)'})`,
    )
    const idle = readProcMemory(serve.pid)
    const single = split(1)
    await check(serve.url, '/invocations', single)
    const sampler = new RssSampler(serve.pid)

    if (want('single-row')) {
      progress('warm-up')
      await wrk(serve.url, { connections: 16, seconds: 2, body: single, path: '/invocations' })
      progress(`single-row /invocations, 16 connections, ${seconds} s`)
      const r = await wrk(serve.url, { connections: 16, seconds, body: single, path: '/invocations' })
      results.push(
        {
          case: 'single-row /invocations (16 conns) throughput',
          measured: Math.round(r.perSecond),
          unit: 'req/s',
          target: 15_000,
          better: 'higher',
          peer: PEER.singleRps,
          details: { requests: r.requests, failed: r.failed, p50Ms: r.p50Ms },
        },
        {
          case: 'single-row /invocations (16 conns) p99',
          measured: r.p99Ms,
          unit: 'ms',
          target: 5,
          better: 'lower',
          peer: PEER.singleP99Ms,
        },
      )
    }
    if (want('batch-100')) {
      const body = split(100)
      await check(serve.url, '/invocations', body)
      progress(`100-row /invocations, 8 connections, ${seconds} s`)
      const r = await wrk(serve.url, { connections: 8, seconds, body, path: '/invocations' })
      results.push({
        case: '100-row /invocations (8 conns)',
        measured: Math.round(r.perSecond * 100),
        unit: 'rows/s',
        target: 1_000_000,
        better: 'higher',
        peer: PEER.rowsPerSecond,
        details: { requestsPerSecond: Math.round(r.perSecond), p99Ms: r.p99Ms, failed: r.failed },
      })
    }
    if (want('predict')) {
      const body = JSON.stringify({
        features: Object.fromEntries(FEATURES.map((f, i) => [f, rows(1, 2)[0]![i]])),
      })
      await check(serve.url, '/predict', body)
      progress(`single-row /predict, 16 connections, ${seconds / 2} s`)
      const r = await wrk(serve.url, { connections: 16, seconds: seconds / 2, body, path: '/predict' })
      results.push({
        case: 'single-row /predict (16 conns)',
        measured: Math.round(r.perSecond),
        unit: 'req/s',
        better: 'higher',
        details: { p99Ms: r.p99Ms, failed: r.failed },
      })
    }
    if (want('oip')) {
      const body = JSON.stringify({
        inputs: [{ name: 'input', shape: [1, 8], datatype: 'FP32', data: rows(1, 3)[0] }],
      })
      await check(serve.url, '/v2/models/bench/infer', body)
      progress(`single-row /v2/models/bench/infer, 16 connections, ${seconds / 2} s`)
      const r = await wrk(serve.url, {
        connections: 16,
        seconds: seconds / 2,
        body,
        path: '/v2/models/bench/infer',
      })
      results.push({
        case: 'single-row OIP infer (16 conns)',
        measured: Math.round(r.perSecond),
        unit: 'req/s',
        better: 'higher',
        details: { p99Ms: r.p99Ms, failed: r.failed },
      })
    }
    if (want('swap')) {
      const before = await swapsMade(serve.url)
      progress(`swap under load: alias moved every 0.5 s for ${seconds} s while wrk scores single rows`)
      const load = wrk(serve.url, { connections: 16, seconds, body: single, path: '/invocations' })
      let moves = 0
      const mover = (async () => {
        const until = Date.now() + seconds * 1000 - 700
        while (Date.now() < until) {
          await new Promise((r) => setTimeout(r, 500))
          await setAlias(tracking.url, 'bench', 'champion', moves % 2 === 0 ? '2' : '1')
          moves++
        }
      })()
      const [r] = await Promise.all([load, mover])
      const swaps = (await swapsMade(serve.url)) - before
      results.push({
        case: 'swap under load: failed requests',
        measured: r.failed,
        unit: 'req',
        target: 0,
        better: 'lower',
        details: {
          requests: r.requests,
          aliasMoves: moves,
          swapsMade: swaps,
          perSecond: Math.round(r.perSecond),
          p99Ms: r.p99Ms,
        },
      })
    }
    const usage = sampler.usage()
    results.push({
      case: 'server RSS, one model loaded (peak under load)',
      measured: Math.round(usage.maxRssBytes / MB),
      unit: 'MB',
      target: 250,
      better: 'lower',
      details: {
        idleMb: idle ? Math.round(idle.rssBytes / MB) : null,
        cli: serveCommand().kind,
        serverCores: usage.userCores + usage.systemCores,
      },
    })
    if (want('log') && !extra.includes('--no-prediction-log')) {
      // The prediction log's cost: the same load on a second server without it, runs alternated
      // so that other work on the machine weighs on both alike.
      const off = await startServe(
        [...serveArgs, '--no-prediction-log'],
        { CAIRN_HOME: join(home, 'serve-no-log') },
        [],
      )
      try {
        const batch = split(100)
        await check(off.url, '/invocations', single)
        // Both servers warmed alike (JIT, buffers) before anything is compared.
        for (const url of [serve.url, off.url]) {
          await wrk(url, { connections: 16, seconds: 1, body: single, path: '/invocations' })
          await wrk(url, { connections: 8, seconds: 1, body: batch, path: '/invocations' })
        }
        const each = Math.max(1, seconds / 4)
        const rounds = Math.max(3, Math.round(6 * args.scale))
        const rps = { on: [] as number[], off: [] as number[] }
        const rows = { on: [] as number[], off: [] as number[] }
        progress(
          `prediction log on vs off: single-row (16 conns) and 100-row (8 conns), ${rounds} rounds × ${each} s each`,
        )
        for (let round = 0; round < rounds; round++) {
          // The order flips every round so that a trend in the machine's load weighs on both alike.
          const order = [
            ['on', serve.url],
            ['off', off.url],
          ] as const
          for (const [which, url] of round % 2 === 0 ? order : [...order].reverse()) {
            rps[which].push(
              (await wrk(url, { connections: 16, seconds: each, body: single, path: '/invocations' }))
                .perSecond,
            )
            rows[which].push(
              (await wrk(url, { connections: 8, seconds: each, body: batch, path: '/invocations' }))
                .perSecond * 100,
            )
          }
        }
        const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
        const pct = (x: number): number => Math.round(x * 1000) / 10
        // Each round's on and off runs are neighbours in time: their ratio cancels most of the other
        // load on a shared machine, and the median keeps one disturbed round from deciding.
        const perRound = (on: number[], offs: number[]): number[] => on.map((x, i) => 1 - x / offs[i]!)
        const median = (xs: number[]): number => {
          const s = [...xs].sort((a, b) => a - b)
          const m = s.length >> 1
          return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
        }
        const lossCase = (name: string, on: number[], offs: number[], unit: string): CaseResult => {
          const rounds = perRound(on, offs)
          return {
            case: `prediction log on: ${name} throughput loss (median of rounds)`,
            measured: Math.max(0, pct(median(rounds))),
            unit: '%',
            target: 5,
            better: 'lower',
            details: {
              roundsPct: rounds.map(pct),
              [`on${unit}`]: Math.round(mean(on)),
              [`off${unit}`]: Math.round(mean(offs)),
            },
          }
        }
        results.push(
          lossCase('single-row', rps.on, rps.off, 'PerSecond'),
          lossCase('100-row', rows.on, rows.off, 'RowsPerSecond'),
        )
      } finally {
        await off.stop()
      }
    }
  } finally {
    await serve?.stop()
    await tracking?.close()
    if (args.profile) {
      const file = newestProfile(join(home, 'profile'))
      if (file) process.stderr.write(formatHot(summarizeProfile(file)) + '\n')
    }
    rmSync(home, { recursive: true, force: true })
  }
  printReport({ bench: 'serving', conditions, results }, args.json)
}

if (process.argv[2] === '--child') {
  const { main } = await import('../src/cli/main.js')
  process.exitCode = await main(['node', 'cairn', ...process.argv.slice(3)])
} else {
  await bench()
}
