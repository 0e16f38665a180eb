/**
 * Pipeline benchmark (issue 5), local executor against the real `cairn server` (built dist/) as a
 * child process, the orchestrator in this process as `cairn pipeline run` runs it:
 *
 * - step overhead: a chain of no-op steps (`true`), each waiting for the one before; one step's
 *   overhead is the time from the previous step recorded finished to this one recorded finished:
 *   cache lookup, step run created, process spawned and exited, status recorded (p50 ≤ 50 ms);
 * - fan-out: 200 no-op items at parallelism 8, launch to recorded end (≤ 15 s);
 * - cached re-run: a 20-step pipeline run once, then again with every step a cache hit, launch to
 *   recorded end (≤ 1 s);
 * - for information: spawn → exit of a no-op process through the executor alone.
 *
 *   npm run build && npx tsx bench/pipelines.ts [--json] [--scale 0.3] [--only step-overhead,fan-out]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PipelinesClient } from '../src/pipelines/client.js'
import { LocalExecutor } from '../src/pipelines/executors/local/local-executor.js'
import type { PipelineEvent } from '../src/pipelines/orchestrator/events.js'
import { runPipeline } from '../src/pipelines/orchestrator/orchestrator.js'
import { normalizePipeline } from '../src/pipelines/spec/normalize.js'
import type { PipelineSpec } from '../src/pipelines/spec/types.js'
import { conditionsNow, parseArgs, percentile, printReport, progress, type CaseResult } from './lib/report.js'
import { startServerProcess } from './lib/server-process.js'

const args = parseArgs()
const conditions = conditionsNow()
const want = (name: string): boolean => args.only.length === 0 || args.only.includes(name)
const results: CaseResult[] = []
const workdir = mkdtempSync(join(tmpdir(), 'cairn-bench-pipes-'))

const chain = (name: string, n: number): PipelineSpec =>
  normalizePipeline({
    name,
    parallelism: 8,
    steps: Array.from({ length: n }, (_, i) => ({
      name: `s${i}`,
      command: ['true'],
      ...(i > 0 ? { dependsOn: [`s${i - 1}`] } : {}),
    })),
  })

const server = await startServerProcess()
const client = PipelinesClient.forUri(server.url)
const executor = new LocalExecutor({ maxConcurrent: 8, scratchDir: join(workdir, '.scratch') })
try {
  async function run(
    spec: PipelineSpec,
    useCache: boolean,
    onEvent?: (e: PipelineEvent) => void,
  ): Promise<number> {
    const t0 = performance.now()
    const out = await runPipeline({
      spec,
      params: {},
      workdir,
      executor,
      client,
      useCache,
      ...(onEvent ? { onEvent } : {}),
    })
    if (out.status !== 'succeeded') throw new Error(`${spec.name} ${out.status}: ${out.message}`)
    return performance.now() - t0
  }

  // Warm up the server, the HTTP connection pool and the process spawn path.
  await run(chain('warmup', 5), false)

  if (want('step-overhead')) {
    const n = Math.max(10, Math.round(60 * args.scale))
    progress(`step overhead: a chain of ${n} no-op steps`)
    const finished: number[] = []
    await run(chain('overhead', n), false, (e) => {
      if (e.type === 'step-finished') finished.push(performance.now())
    })
    const per = finished.slice(1).map((t, i) => t - finished[i]!)
    results.push({
      case: 'step overhead p50 (no-op, spawn → recorded finished)',
      measured: percentile(per, 50),
      unit: 'ms',
      target: 50,
      better: 'lower',
      details: {
        steps: n,
        p90: Math.round(percentile(per, 90) * 10) / 10,
        max: Math.round(Math.max(...per) * 10) / 10,
      },
    })
  }

  if (want('spawn')) {
    progress('executor alone: spawn → exit of a no-op process')
    const times: number[] = []
    const lone = new LocalExecutor({ maxConcurrent: 1, scratchDir: join(workdir, '.scratch') })
    for (let i = 0; i < Math.max(10, Math.round(50 * args.scale)); i++) {
      const t0 = performance.now()
      await lone.run(
        {
          key: 'k',
          step: 'k',
          pipeline: 'p',
          pipelineRunId: 'r',
          attempt: 1,
          run: { kind: 'argv', argv: ['true'] },
          image: null,
          env: {},
          workdir,
          resources: { cpu: null, memory: null, gpu: null },
          timeoutMs: null,
          tracking: { uri: server.url, runId: 'none' },
          inputs: {},
          outputs: { artifacts: [], values: {} },
          params: {},
        },
        { signal: new AbortController().signal, log: () => {} },
      )
      times.push(performance.now() - t0)
    }
    results.push({
      case: 'executor alone p50 (spawn → exit, no recording)',
      measured: percentile(times, 50),
      unit: 'ms',
      better: 'lower',
    })
  }

  if (want('fan-out')) {
    const items = Math.max(20, Math.round(200 * args.scale))
    progress(`fan-out: ${items} no-op items at parallelism 8`)
    const spec = normalizePipeline({
      name: 'fanout',
      parallelism: 8,
      steps: [
        {
          name: 'fan',
          forEach: { items: Array.from({ length: items }, (_, i) => i), parallelism: 8 },
          command: ['true'],
        },
      ],
    })
    const ms = await run(spec, false)
    results.push({
      case: `fan-out of ${items} no-op steps, parallelism 8`,
      measured: ms / 1000,
      unit: 's',
      ...(items === 200 ? { target: 15 } : {}),
      better: 'lower',
      details: { perItemMs: Math.round((ms / items) * 10) / 10 },
    })
  }

  if (want('cached-rerun')) {
    progress('cached re-run: 20 steps, first run then all cache hits')
    const spec = chain('cached', 20)
    const first = await run(spec, true)
    let hits = 0
    const second = await run(spec, true, (e) => {
      if (e.type === 'step-finished' && e.cacheHit) hits++
    })
    if (hits !== 20) throw new Error(`expected 20 cache hits, got ${hits}`)
    results.push({
      case: 'cached re-run of a 20-step pipeline',
      measured: second,
      unit: 'ms',
      target: 1000,
      better: 'lower',
      details: { firstRunMs: Math.round(first) },
    })
  }
} finally {
  await server.stop()
  rmSync(workdir, { recursive: true, force: true })
}

printReport({ bench: 'pipelines', conditions, results }, args.json)
