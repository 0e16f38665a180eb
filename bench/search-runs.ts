/**
 * runs/search benchmark (issue 2): a fresh store per size seeded with runs of 5 params, 5 metrics
 * and 3 tags each, the real server started in-process on a loopback port, and POST
 * /api/2.0/mlflow/runs/search timed end to end (request to last response byte, the full runs
 * included) with one keep-alive client.
 *
 *   npx tsx bench/search-runs.ts [--json] [--scale 0.3] [--only filtered-100k,unfiltered-100k]
 *
 * Data: p1 ∈ {a, b, c, d} (so `params.p1 = 'a'` keeps 1/4), m1…m5 uniform in [0, 1) (so
 * `metrics.m1 > 0.5` keeps 1/2), start times 1 ms apart. Seeding goes through the store's own
 * createRun/logBatch, batched in transactions, so the tables and indexes are exactly the server's.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveServerConfig } from '../src/server/config.js'
import { silentLogger } from '../src/server/logging.js'
import { startServer } from '../src/server/server.js'
import { SqliteTrackingStore } from '../src/server/store/sqlite/sqlite-tracking-store.js'
import type { IdGenerator } from '../src/server/util/clock.js'
import { API, HttpClient } from './lib/http.js'
import { conditionsNow, parseArgs, percentile, printReport, progress, type CaseResult } from './lib/report.js'

const FILTER = "metrics.m1 > 0.5 and params.p1 = 'a'"

interface SearchCase {
  name: string
  runs: number
  body: Record<string, unknown>
  expect: number
  target: number
  /** Checks the answer's order, outside the timed region. */
  check?: (runs: WireRun[]) => void
}

interface WireRun {
  info: { run_id: string; start_time: number }
  data: {
    metrics?: { key: string; value: number }[]
    params?: { key: string; value: string }[]
    tags?: unknown[]
  }
}

/** A cheap deterministic PRNG, so every bench run searches the same data. */
function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function seed(path: string, runs: number): Promise<string> {
  let n = 0
  const ids: IdGenerator = { runId: () => (n++).toString(16).padStart(32, '0'), runName: () => `run-${n}` }
  const store = new SqliteTrackingStore({ path, defaultArtifactRoot: 'mlflow-artifacts:', ids })
  const experimentId = await store.createExperiment({ name: 'search-bench', tags: [] })
  const random = mulberry32(42)
  const started = performance.now()
  const BATCH = 2000
  for (let done = 0; done < runs; done += BATCH) {
    const pending: Promise<unknown>[] = []
    // The store's methods do their work synchronously; one outer transaction makes them savepoints.
    store.database.transaction(() => {
      for (let i = done; i < Math.min(runs, done + BATCH); i++) {
        const runId = i.toString(16).padStart(32, '0')
        const t = 1_700_000_000_000 + i
        pending.push(
          store.createRun({ experimentId, userId: 'bench', runName: `run-${i}`, startTime: t, tags: [] }),
        )
        pending.push(
          store.logBatch(runId, {
            params: [
              { key: 'p1', value: 'abcd'[Math.floor(random() * 4)]! },
              ...[2, 3, 4, 5].map((k) => ({ key: `p${k}`, value: `v${Math.floor(random() * 100)}` })),
            ],
            metrics: [1, 2, 3, 4, 5].map((k) => ({ key: `m${k}`, value: random(), timestamp: t, step: 0 })),
            tags: [1, 2, 3].map((k) => ({ key: `t${k}`, value: `tag-${Math.floor(random() * 10)}` })),
          }),
        )
      }
    })()
    await Promise.all(pending)
  }
  progress(`seeded ${runs} runs in ${Math.round(performance.now() - started)} ms`)
  await store.close()
  return experimentId
}

function metric(run: WireRun, key: string): number {
  return run.data.metrics?.find((m) => m.key === key)?.value ?? Number.NaN
}

function cases(scale: number): SearchCase[] {
  const out: SearchCase[] = []
  for (const runs of [5000, 100_000]) {
    const label = runs >= 1000 ? `${runs / 1000}k` : String(runs)
    out.push({
      name: `filtered-${label}`,
      runs,
      body: { filter: FILTER, order_by: ['metrics.m2 DESC'], max_results: 100 },
      expect: 100,
      target: runs === 5000 ? 10 : 50,
      check: (rs) => {
        for (let i = 0; i < rs.length; i++) {
          const r = rs[i]!
          if (!(metric(r, 'm1') > 0.5) || r.data.params?.find((p) => p.key === 'p1')?.value !== 'a')
            throw new Error('filter check failed')
          if (i > 0 && metric(rs[i - 1]!, 'm2') < metric(r, 'm2')) throw new Error('order check failed')
          if (
            (r.data.metrics?.length ?? 0) !== 5 ||
            (r.data.params?.length ?? 0) !== 5 ||
            (r.data.tags?.length ?? 0) !== 4
          ) {
            throw new Error('runs are not complete')
          }
        }
      },
    })
    out.push({
      name: `unfiltered-${label}`,
      runs,
      body: { max_results: 1000 },
      expect: 1000,
      target: 40,
      check: (rs) => {
        for (let i = 1; i < rs.length; i++)
          if (rs[i - 1]!.info.start_time < rs[i]!.info.start_time)
            throw new Error('default order check failed')
      },
    })
  }
  return out.map((c) => ({ ...c, runs: Math.max(1000, Math.round(c.runs * Math.min(scale, 1))) }))
}

async function measure(client: HttpClient, body: string, iterations: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < iterations; i++) {
    const a = await client.post(`${API}/runs/search`, body)
    if (a.status !== 200)
      throw new Error(`runs/search answered ${a.status}: ${a.body.toString().slice(0, 300)}`)
    times.push(a.lastByteMs)
  }
  return times
}

async function main(): Promise<void> {
  const args = parseArgs()
  const conditions = conditionsNow()
  const results: CaseResult[] = []
  const selected = cases(args.scale).filter((c) => args.only.length === 0 || args.only.includes(c.name))
  for (const runs of [...new Set(selected.map((c) => c.runs))]) {
    const home = mkdtempSync(join(tmpdir(), 'cairn-search-bench-'))
    try {
      const dbPath = join(home, 'cairn.db')
      const experimentId = await seed(dbPath, runs)
      const config = {
        ...resolveServerConfig({ port: 0 }, { CAIRN_HOME: home }),
        backendStoreUri: `sqlite:///${dbPath}`,
      }
      const server = await startServer(config, silentLogger())
      const client = new HttpClient(server.url, { connections: 1 })
      try {
        for (const c of selected.filter((x) => x.runs === runs)) {
          const body = JSON.stringify({ experiment_ids: [experimentId], ...c.body })
          const first = await client.postJson<{ runs?: WireRun[] }>(`${API}/runs/search`, JSON.parse(body))
          if ((first.runs?.length ?? 0) !== c.expect)
            throw new Error(`${c.name}: expected ${c.expect} runs, got ${first.runs?.length ?? 0}`)
          c.check?.(first.runs ?? [])
          await measure(client, body, 20)
          const times = await measure(client, body, Math.max(30, Math.round(200 * Math.min(args.scale, 1))))
          const p50 = percentile(times, 50)
          progress(`${c.name}: p50 ${p50.toFixed(2)} ms`)
          results.push({
            case: `runs/search ${c.name} (${runs} runs, top ${c.expect})`,
            measured: Math.round(p50 * 100) / 100,
            unit: 'ms',
            target: c.target,
            better: 'lower',
            ...(c.name === 'filtered-5k' ? { peer: 422 } : {}),
            details: {
              p95: Math.round(percentile(times, 95) * 100) / 100,
              samples: times.length,
              body: c.body,
            },
          })
        }
      } finally {
        client.close()
        await server.close()
      }
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  }
  printReport({ bench: 'search-runs', conditions, results }, args.json)
}

await main()
