/**
 * Model registry benchmark (issue 3): 10,000 registered models × 10 versions, seeded through the
 * registry store (so tables and indexes are exactly the server's), then
 *
 * - resolving `models:/<name>@champion` in process through the RegistryService, p50 (target ≤ 1 ms);
 * - GET /api/2.0/mlflow/registered-models/search over HTTP on loopback, whole answers with
 *   latest_versions, tags and aliases, one keep-alive client: `name LIKE 'model-12%'` (111 models,
 *   first page of 100) and the unfiltered first page (target ≤ 20 ms each);
 * - a tag filter, the newest 100 versions of all, and one model's 10 versions, for information.
 *
 *   npx tsx bench/registry.ts [--json] [--scale 0.3] [--only resolve-alias,search-like]
 *
 * Each model `model-<i>` (i = 0…9999, not zero-padded) has tags `team` ∈ {a, b, c, d} and `tier`,
 * versions 1…10 (source s3://bench/<i>/<v>, a run id, a tag), version 10 in Production with the
 * others archived, and the alias `champion` on version 10.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { openArtifactStore } from '../src/server/artifacts/open-artifacts.js'
import { resolveServerConfig } from '../src/server/config.js'
import { silentLogger } from '../src/server/logging.js'
import { monotonicClock } from '../src/server/registry/monotonic-clock.js'
import { RegistryService } from '../src/server/registry/registry-service.js'
import { startServer } from '../src/server/server.js'
import { openSqliteStores } from '../src/server/store/sqlite/open-sqlite-stores.js'
import { systemClock } from '../src/server/util/clock.js'
import { HttpClient } from './lib/http.js'
import { conditionsNow, parseArgs, percentile, printReport, progress, type CaseResult } from './lib/report.js'

const MODELS = 10_000
const VERSIONS = 10
const who = { user: 'bench' }

async function seed(path: string, models: number): Promise<void> {
  // The server's registry clock: no two changes share a millisecond (so neither do seeded ones).
  const { tracking, registry } = openSqliteStores({
    path,
    defaultArtifactRoot: 'mlflow-artifacts:',
    registryClock: monotonicClock(systemClock),
  })
  const started = performance.now()
  const BATCH = 500
  for (let done = 0; done < models; done += BATCH) {
    const pending: Promise<unknown>[] = []
    // The store works synchronously inside each call; one outer transaction makes them savepoints.
    tracking.database.transaction(() => {
      for (let i = done; i < Math.min(models, done + BATCH); i++) {
        const name = `model-${i}`
        pending.push(
          registry.createRegisteredModel({
            name,
            description: `model number ${i}`,
            tags: [
              { key: 'team', value: 'abcd'[i % 4]! },
              { key: 'tier', value: i % 10 === 0 ? 'gold' : 'standard' },
            ],
          }),
        )
        for (let v = 1; v <= VERSIONS; v++) {
          const source = `s3://bench/${i}/${v}`
          pending.push(
            registry.createModelVersion(
              {
                name,
                source,
                storageLocation: source,
                runId: (i * VERSIONS + v).toString(16).padStart(32, '0'),
                runLink: '',
                description: '',
                userId: 'bench',
                tags: [{ key: 'trained_on', value: `2024-01-${String(v).padStart(2, '0')}` }],
                status: 'READY',
                statusMessage: '',
                signature: null,
              },
              who,
            ),
          )
        }
        pending.push(
          registry.transitionModelVersionStage(
            { name, version: VERSIONS, stage: 'Production', archiveExisting: false },
            who,
          ),
        )
        for (let v = 1; v < VERSIONS; v++) {
          pending.push(
            registry.transitionModelVersionStage(
              { name, version: v, stage: 'Archived', archiveExisting: false },
              who,
            ),
          )
        }
        pending.push(registry.setAlias({ name, alias: 'champion', version: VERSIONS }, who))
      }
    })()
    await Promise.all(pending)
  }
  tracking.database.pragma('optimize')
  progress(`seeded ${models} models × ${VERSIONS} versions in ${Math.round(performance.now() - started)} ms`)
  await registry.close()
  await tracking.close()
}

/** resolve `models:/<name>@champion` in process: the hot path serving takes on every model load. */
async function resolveAlias(
  home: string,
  dbPath: string,
  models: number,
  iterations: number,
): Promise<number[]> {
  const { tracking, registry } = openSqliteStores({ path: dbPath, defaultArtifactRoot: 'mlflow-artifacts:' })
  const artifacts = await openArtifactStore(pathToFileURL(join(home, 'artifacts')).href, {
    maxUploadBytes: 1024,
  })
  const service = new RegistryService({ store: registry, tracking, artifacts })
  try {
    const times: number[] = []
    for (let i = 0; i < iterations + 200; i++) {
      const name = `model-${(i * 7919) % models}`
      const started = performance.now()
      const r = await service.resolve(`models:/${name}@champion`)
      const ms = performance.now() - started
      if (
        r.version?.version !== String(VERSIONS) ||
        r.location !== `s3://bench/${(i * 7919) % models}/${VERSIONS}`
      ) {
        throw new Error(`resolved ${name}@champion wrongly: ${JSON.stringify(r)}`)
      }
      if (i >= 200) times.push(ms)
    }
    return times
  } finally {
    await registry.close()
    await tracking.close()
  }
}

interface SearchCase {
  name: string
  path: string
  expect: number
  target?: number
  check: (answer: any) => void
}

const MV = '/api/2.0/mlflow/model-versions/search'
const RM = '/api/2.0/mlflow/registered-models/search'

function searchCases(models: number): SearchCase[] {
  const names = Array.from({ length: models }, (_, i) => `model-${i}`)
  const like = names.filter((n) => n.startsWith('model-12'))
  const gold = names.filter((n, i) => i % 10 === 0 && n.startsWith('model-5'))
  const complete = (m: any): void => {
    if (m.latest_versions?.length !== 2 || m.tags?.length !== 2 || m.aliases?.[0]?.alias !== 'champion') {
      throw new Error(`incomplete model in answer: ${JSON.stringify(m).slice(0, 300)}`)
    }
  }
  return [
    {
      name: 'search-like',
      path: `${RM}?${new URLSearchParams({ filter: "name LIKE 'model-12%'" }).toString()}`,
      expect: Math.min(100, like.length),
      target: 20,
      check: (a) => {
        const names = (a.registered_models as any[]).map((m) => m.name as string)
        const want = [...like].sort().slice(0, 100)
        if (JSON.stringify(names) !== JSON.stringify(want))
          throw new Error('LIKE search answered other models')
        a.registered_models.forEach(complete)
      },
    },
    {
      name: 'search-first-page',
      path: RM,
      expect: 100,
      target: 20,
      check: (a) => {
        const names = (a.registered_models as any[]).map((m) => m.name as string)
        if (JSON.stringify(names) !== JSON.stringify([...names].sort()))
          throw new Error('first page not ordered by name')
        if (!a.next_page_token) throw new Error('first page has no next_page_token')
        a.registered_models.forEach(complete)
      },
    },
    {
      name: 'search-tag',
      path: `${RM}?${new URLSearchParams({ filter: "tags.tier = 'gold' AND name LIKE 'model-5%'" }).toString()}`,
      expect: Math.min(100, gold.length),
      check: (a) => (a.registered_models as any[]).forEach(complete),
    },
    {
      name: 'versions-first-page',
      path: `${MV}?max_results=100`,
      expect: 100,
      check: (a) => {
        const times = (a.model_versions as any[]).map((v) => v.last_updated_timestamp as number)
        if (times.some((t, i) => i > 0 && t > times[i - 1]!)) throw new Error('versions not newest first')
      },
    },
    {
      name: 'versions-of-one',
      path: `${MV}?${new URLSearchParams({ filter: "name = 'model-1234'" }).toString()}`,
      expect: VERSIONS,
      check: (a) => {
        const versions = (a.model_versions as any[]).map((v) => v.version as string)
        if (versions.length !== VERSIONS) throw new Error('versions-of-one answered the wrong versions')
      },
    },
  ]
}

async function measure(client: HttpClient, path: string, iterations: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < iterations; i++) {
    const a = await client.get(path)
    if (a.status !== 200) throw new Error(`${path} answered ${a.status}: ${a.body.toString().slice(0, 300)}`)
    times.push(a.lastByteMs)
  }
  return times
}

const round = (n: number): number => Math.round(n * 1000) / 1000

async function main(): Promise<void> {
  const args = parseArgs()
  const conditions = conditionsNow()
  const results: CaseResult[] = []
  const models = Math.max(1000, Math.round(MODELS * Math.min(args.scale, 1)))
  const want = (name: string): boolean => args.only.length === 0 || args.only.includes(name)
  const home = mkdtempSync(join(tmpdir(), 'cairn-registry-bench-'))
  try {
    const dbPath = join(home, 'cairn.db')
    await seed(dbPath, models)

    if (want('resolve-alias')) {
      const times = await resolveAlias(home, dbPath, models, Math.round(20_000 * Math.min(args.scale, 1)))
      const p50 = percentile(times, 50)
      progress(`resolve-alias: p50 ${p50.toFixed(3)} ms`)
      results.push({
        case: `resolve models:/<name>@champion in process (${models} models × ${VERSIONS} versions)`,
        measured: round(p50),
        unit: 'ms',
        target: 1,
        better: 'lower',
        details: {
          p95: round(percentile(times, 95)),
          p99: round(percentile(times, 99)),
          samples: times.length,
        },
      })
    }

    const config = {
      ...resolveServerConfig({ port: 0 }, { CAIRN_HOME: home }),
      backendStoreUri: `sqlite:///${dbPath}`,
    }
    const server = await startServer(config, silentLogger())
    const client = new HttpClient(server.url, { connections: 1 })
    try {
      for (const c of searchCases(models).filter((x) => want(x.name))) {
        const first = await client.getJson(c.path)
        const items = (first.registered_models ?? first.model_versions ?? []) as unknown[]
        if (items.length !== c.expect) {
          throw new Error(`${c.name}: expected ${c.expect} items, got ${items.length}`)
        }
        c.check(first)
        await measure(client, c.path, 20)
        const times = await measure(client, c.path, Math.max(30, Math.round(300 * Math.min(args.scale, 1))))
        const p50 = percentile(times, 50)
        progress(`${c.name}: p50 ${p50.toFixed(2)} ms (${items.length} items)`)
        results.push({
          case: `${c.path.startsWith(RM) ? 'registered-models' : 'model-versions'}/search ${c.name} (${models} models × ${VERSIONS} versions, ${items.length} answered)`,
          measured: Math.round(p50 * 100) / 100,
          unit: 'ms',
          ...(c.target !== undefined ? { target: c.target } : {}),
          better: 'lower',
          details: {
            p95: Math.round(percentile(times, 95) * 100) / 100,
            samples: times.length,
            path: c.path,
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
  printReport({ bench: 'registry', conditions, results }, args.json)
}

await main()
