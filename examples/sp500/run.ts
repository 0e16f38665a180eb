/**
 * `npm run example:sp500`: the whole example with one command, from a fresh clone after
 * `npm install`. It starts a Cairn server (CAIRN_HOME under examples/sp500/.cairn) unless
 * `--tracking-uri` names one, runs the pipeline with live progress, schedules the daily
 * retraining, starts the prediction API, adds the drift monitor `sp500-drift` (monitor.yaml) with
 * a local webhook receiver, runs it once — its alert calls the webhook and starts the retraining
 * schedule — and prints where to see the report. Ctrl-C stops everything.
 *
 *   npm run example:sp500 -- [--data PATH|URL] [--param k=v]… [--port 8055] [--server-port 5055]
 *                            [--tracking-uri URI] [--home DIR] [--fresh] [--once]
 *                            [--monitor-period last-250|FROM..TO] [--webhook-port 8056]
 *
 * `--once` stops after the API answered once (benchmarks, CI). Cairn runs from this checkout's
 * sources through tsx (examples/sp500/cairn.ts), so no build is needed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync, rmSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { HttpClient } from '../../src/client/http.js'
import { RegistryClient } from '../../src/client/registry.js'
import { main as cairn } from '../../src/cli/main.js'
import { DEFAULT_PERIOD, parsePeriod } from './lib/windows.js'
import { SECRET_ENV } from './monitoring/monitor.js'
import { startMonitoring, type Monitoring } from './monitoring/run-monitor.js'
import { DEFAULT_DATA, MODEL_NAME } from './pipeline.js'
import { CRON, SCHEDULE, scheduleRetraining } from './schedule.js'
import { startPredictionApi, type PredictionApi } from './serve/api.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, '../..')
const PIPELINE = join(HERE, 'pipeline.ts')

const { values: flags } = parseArgs({
  options: {
    data: { type: 'string' },
    param: { type: 'string', multiple: true, default: [] },
    port: { type: 'string', default: process.env['SP500_API_PORT'] ?? '8055' },
    'server-port': { type: 'string', default: '5055' },
    'tracking-uri': { type: 'string' },
    home: { type: 'string', default: join(HERE, '.cairn') },
    fresh: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
    'monitor-period': { type: 'string', default: DEFAULT_PERIOD },
    'webhook-port': { type: 'string', default: '8056' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

const say = (line = ''): void => void process.stdout.write(`${line}\n`)
const started = performance.now()
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`

/** The user's relative paths are relative to where they ran npm, not to the package root. */
function dataParam(data: string): string {
  return /^(https?|file):/i.test(data) ? data : resolve(process.env['INIT_CWD'] ?? process.cwd(), data)
}

interface Server {
  url: string
  stop(): Promise<void>
}

/** `cairn server` as a child process in its own process group (Ctrl-C reaches us, not it). */
function spawnServer(home: string, port: string, secret: string): Promise<Server> {
  mkdirSync(home, { recursive: true })
  const log = createWriteStream(join(home, 'server.log'), { flags: 'a' })
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      join(HERE, 'cairn.ts'),
      'server',
      '--port',
      port,
      '--log-level',
      'warn',
    ],
    {
      cwd: ROOT,
      env: { ...process.env, CAIRN_HOME: home, [SECRET_ENV]: secret },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const kill = (): void => {
    if (child.exitCode === null) child.kill('SIGTERM')
  }
  process.on('exit', kill)
  child.stdout!.pipe(log)
  return new Promise((resolveStart, reject) => {
    let text = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      log.write(chunk)
      text += chunk.toString()
      const m = /listening on (http:\/\/\S+)/.exec(text)
      if (m) {
        resolveStart({
          url: m[1]!,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done()
              const force = setTimeout(() => child.kill('SIGKILL'), 15_000)
              child.once('exit', () => {
                clearTimeout(force)
                process.off('exit', kill)
                done()
              })
              child.kill('SIGTERM')
            }),
        })
      }
    })
    child.once('exit', (code) =>
      reject(
        Object.assign(new Error(`cairn server exited (${code}) before listening:\n${text.trim()}`), { text }),
      ),
    )
  })
}

async function startServer(home: string, secret: string): Promise<Server> {
  try {
    return await spawnServer(home, flags['server-port'], secret)
  } catch (err) {
    if (!String((err as { text?: string }).text).includes('EADDRINUSE')) throw err
    say(`port ${flags['server-port']} is taken; the Cairn server takes a free port instead`)
    return spawnServer(home, '0', secret)
  }
}

async function startApi(o: Parameters<typeof startPredictionApi>[0]): Promise<PredictionApi> {
  try {
    return await startPredictionApi(o)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    say(`port ${o.port} is taken; the prediction API takes a free port instead`)
    return startPredictionApi({ ...o, port: 0 })
  }
}

async function run(): Promise<number> {
  if (flags.help) {
    say(
      'npm run example:sp500 -- [--data PATH|URL] [--param k=v]… [--port 8055] [--server-port 5055] [--tracking-uri URI] [--home DIR] [--fresh] [--once] [--monitor-period last-250|FROM..TO] [--webhook-port 8056]',
    )
    return 0
  }
  const home = resolve(flags.home)
  if (flags.fresh && !flags['tracking-uri']) rmSync(home, { recursive: true, force: true })
  const params = [...(flags.data !== undefined ? [`data=${dataParam(flags.data)}`] : []), ...flags.param]
  const data = flags.data !== undefined ? dataParam(flags.data) : resolve(HERE, DEFAULT_DATA)
  const period = parsePeriod(flags['monitor-period'])
  // The webhooks' shared secret: the server signs with it (secret_env), the receiver checks it.
  // A server given with --tracking-uri must have been started with the same SP500_WEBHOOK_SECRET.
  const secret = process.env[SECRET_ENV] ?? randomBytes(16).toString('hex')

  let server: Server | null = null
  const trackingUri = flags['tracking-uri'] ?? (server = await startServer(home, secret)).url
  say(
    `Cairn server ${trackingUri}${server ? ` (CAIRN_HOME=${relative(process.cwd(), home) || '.'}, log in server.log) — ${elapsed()}` : ''}`,
  )
  let api: PredictionApi | null = null
  let monitoring: Monitoring | null = null
  const stop = async (): Promise<void> => {
    await api?.close()
    await monitoring?.close()
    await server?.stop()
  }
  try {
    say('\n== pipeline sp500: ingest → features → train ×3 → evaluate → register → reference → promote')
    const code = await cairn([
      'node',
      'cairn',
      'pipeline',
      'run',
      PIPELINE,
      '--tracking-uri',
      trackingUri,
      '--logs',
      ...params.flatMap((p) => ['--param', p]),
    ])
    if (code !== 0) {
      say(`\nThe pipeline did not succeed (exit ${code}); see above. Stopping.`)
      await stop()
      return code
    }
    const next = await scheduleRetraining(PIPELINE, trackingUri, params)
    say(`\n== daily retraining: schedule ${SCHEDULE}, cron "${CRON}" (UTC), next run ${next}`)

    const registry = new RegistryClient(new HttpClient({ trackingUri }))
    const champion = await registry.getVersionByAlias(MODEL_NAME, 'champion').catch(() => null)
    api = await startApi({
      trackingUri,
      data,
      home,
      port: Number(flags.port),
    })
    const first = await fetch(`${api.url}/predictionForTomorrow`)
    const answer = await first.text()
    const family = champion?.tags.find((t) => t.key === 'model_family')?.value
    say(
      `\n== prediction API ${api.url} (model ${MODEL_NAME}@champion = version ${champion?.version ?? 'none yet'}${family ? `, ${family}` : ''})`,
    )
    say(`\n  curl '${api.url}/predictionForTomorrow'`)
    say(`  curl '${api.url}/predictionForTomorrow?threshold=0.3'`)
    say(`\n  → ${first.status} ${answer}`)

    monitoring = await startMonitoring({
      trackingUri,
      home,
      data,
      period,
      secret,
      webhookPort: Number(flags['webhook-port']),
      say,
    })
    say(
      `\n  UI: ${trackingUri}    retrain now: npx cairn schedule trigger ${SCHEDULE} --tracking-uri ${trackingUri}`,
    )
    say(`  ready in ${elapsed()}`)
    if (flags.once) {
      await stop()
      return first.ok && monitoring.ok ? 0 : 1
    }
    say('  Ctrl-C stops the API, the webhook receiver and the server.')
    // Kept listening while stopping: a second Ctrl-C (or the one tsx relays) must not kill us mid-cleanup.
    await new Promise<void>((done) => {
      process.on('SIGINT', done)
      process.on('SIGTERM', done)
    })
    say('\nstopping…')
    await stop()
    return 0
  } catch (err) {
    await stop()
    throw err
  }
}

run().then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`sp500: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  },
)
