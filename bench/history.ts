/**
 * Metric-history benchmark: the full history of a 100,000-point and a 1,000,000-point metric in
 * one GET /api/2.0/mlflow/metrics/get-history request each (no pagination), against the built
 * server (dist/) as a child process. Timed from sending the request to the last response byte;
 * every answer is then parsed (untimed) and its point count and first/last steps checked.
 *
 *   npm run build && npx tsx bench/history.ts [--json] [--profile] [--only 100k,1m]
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { API, createExperiment, createRun, HttpClient, type WireMetric } from './lib/http.js'
import { pointValue } from './lib/load.js'
import { formatHot, newestProfile, summarizeProfile } from './lib/profile.js'
import {
  conditionsNow,
  MB,
  parseArgs,
  percentile,
  printReport,
  progress,
  type CaseResult,
} from './lib/report.js'
import { removeHome, RssSampler, startServerProcess } from './lib/server-process.js'

const KEY = 'loss'
const BASE_TS = 1_700_000_000_000

interface HistoryCase {
  name: string
  points: number
  requests: number
  targetMs: number
  peerMs?: number
}

const CASES: HistoryCase[] = [
  { name: '100k', points: 100_000, requests: 9, targetMs: 100, peerMs: 4200 },
  { name: '1m', points: 1_000_000, requests: 5, targetMs: 1000 },
]

/** Logs steps 0..points-1 of KEY to a run in 1000-point batches, four requests at a time. */
async function load(client: HttpClient, runId: string, points: number): Promise<void> {
  let next = 0
  const batches = Math.ceil(points / 1000)
  const worker = async (): Promise<void> => {
    for (let b = next++; b < batches; b = next++) {
      const items: string[] = []
      for (let step = b * 1000; step < Math.min(points, (b + 1) * 1000); step++) {
        items.push(
          `{"key":"${KEY}","value":${pointValue(0, step)},"timestamp":${BASE_TS + step},"step":${step}}`,
        )
      }
      const a = await client.post(
        `${API}/runs/log-batch`,
        `{"run_id":"${runId}","metrics":[${items.join(',')}]}`,
      )
      if (a.status !== 200)
        throw new Error(`log-batch answered ${a.status}: ${a.body.toString().slice(0, 200)}`)
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()])
}

function check(body: Buffer, points: number): number {
  const t = performance.now()
  const { metrics } = JSON.parse(body.toString('utf8')) as { metrics?: WireMetric[] }
  const ms = performance.now() - t
  const n = metrics?.length ?? 0
  if (n !== points) throw new Error(`history has ${n} points, expected ${points}`)
  const first = metrics![0]!
  const last = metrics![n - 1]!
  if (first.step !== 0 || last.step !== points - 1 || last.timestamp !== BASE_TS + points - 1) {
    throw new Error(`history out of order: first ${JSON.stringify(first)}, last ${JSON.stringify(last)}`)
  }
  if (Number(last.value) !== pointValue(0, points - 1))
    throw new Error(`last value ${last.value} is not the one logged`)
  return ms
}

async function main(): Promise<void> {
  const args = parseArgs()
  const cases = CASES.filter((c) => args.only.length === 0 || args.only.includes(c.name))
  const conditions = conditionsNow()
  const profDir = args.profile ? mkdtempSync(join(tmpdir(), 'cairn-prof-')) : undefined
  const server = await startServerProcess({
    nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
  })
  progress(`server pid ${server.pid} at ${server.url}, home ${server.home}`)
  const client = new HttpClient(server.url, { connections: 4 })
  const results: CaseResult[] = []
  try {
    const experimentId = await createExperiment(client, 'bench-history')
    for (const c of cases) {
      const runId = await createRun(client, experimentId, `history-${c.name}`)
      progress(`loading ${c.points.toLocaleString('en-US')} points ...`)
      const loadStart = performance.now()
      await load(client, runId, c.points)
      const loadSeconds = (performance.now() - loadStart) / 1000
      const path = `${API}/metrics/get-history?run_id=${runId}&metric_key=${KEY}`
      check((await client.get(path)).body, c.points) // warm the page cache and the JIT
      const rss = new RssSampler(server.pid)
      const times: number[] = []
      const firstByte: number[] = []
      const parse: number[] = []
      let bytes = 0
      for (let i = 0; i < c.requests; i++) {
        const a = await client.get(path)
        if (a.status !== 200) throw new Error(`get-history answered ${a.status}`)
        times.push(a.lastByteMs)
        firstByte.push(a.firstByteMs)
        bytes = a.body.length
        parse.push(check(a.body, c.points))
      }
      const usage = rss.usage()
      const round = (x: number): number => Math.round(x * 10) / 10
      results.push({
        case: `get-history, ${c.points.toLocaleString('en-US')} points (one request, p50 of ${c.requests})`,
        measured: percentile(times, 50),
        unit: 'ms',
        target: c.targetMs,
        better: 'lower',
        ...(c.peerMs ? { peer: c.peerMs } : {}),
        details: {
          minMs: round(Math.min(...times)),
          maxMs: round(Math.max(...times)),
          firstByteP50Ms: round(percentile(firstByte, 50)),
          clientJsonParseP50Ms: round(percentile(parse, 50)),
          answerMb: round(bytes / MB),
          loadPointsPerSec: Math.round(c.points / loadSeconds),
          serverMaxRssMb: Math.round(usage.maxRssBytes / MB),
        },
      })
    }
  } finally {
    client.close()
    await server.stop('SIGTERM')
    removeHome(server.home)
  }
  printReport({ bench: 'history', conditions, results }, args.json)
  if (profDir) {
    const file = newestProfile(profDir)
    if (file) process.stderr.write(`\nserver CPU profile ${file}\n${formatHot(summarizeProfile(file))}\n`)
  }
}

await main()
