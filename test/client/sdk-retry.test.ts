import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CairnApiError,
  CairnBatchError,
  CairnClient,
  CairnNetworkError,
  type CairnClientOptions,
} from '../../src/index.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'
import { startFlakyProxy, type FlakyProxy, type Verdict } from './support.js'

let server: TestServer
const proxies: FlakyProxy[] = []

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  for (const p of proxies) await p.close()
  await server.close()
})

const FAST_RETRY = { maxRetries: 5, baseDelayMs: 5, maxDelayMs: 20 }

async function proxyClient(
  decide: (req: { method: string; path: string; n: number }) => Verdict,
  opts: CairnClientOptions = {},
) {
  const proxy = await startFlakyProxy(server.url, decide)
  proxies.push(proxy)
  const client = new CairnClient({
    trackingUri: proxy.url,
    env: {},
    handleExit: false,
    flushIntervalMs: 60_000,
    retry: FAST_RETRY,
    ...opts,
  })
  return { proxy, client }
}

/** Fails the first `n` log-batch requests with `verdict`, passes everything else. */
function failFirstBatches(n: number, verdict: Verdict) {
  let failed = 0
  return ({ path }: { path: string }): Verdict => {
    if (path.endsWith('/runs/log-batch') && failed < n) {
      failed++
      return verdict
    }
    return 'pass'
  }
}

const batchVerdicts = (proxy: FlakyProxy) =>
  proxy.seen.filter((s) => s.path.endsWith('/runs/log-batch')).map((s) => s.verdict)

describe('SDK retries', () => {
  it('retries log-batch on 503 and 429 and logs every point exactly once', async () => {
    let n = 0
    const { proxy, client } = await proxyClient(({ path }) => {
      if (!path.endsWith('/runs/log-batch')) return 'pass'
      n++
      if (n === 1) return { status: 503 }
      if (n === 2)
        return { status: 429, body: { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' } }
      if (n === 3) return { status: 500, body: { error_code: 'INTERNAL_ERROR', message: 'boom' } }
      return 'pass'
    })
    const run = await client.startRun({ experimentName: 'sdk-retry' })
    for (let step = 0; step < 1500; step++) await run.logMetric('m', step, step)
    await run.endRun()
    expect(batchVerdicts(proxy).slice(0, 4)).toEqual(['503', '429', '500', 'pass'])
    const history = await client.getMetricHistory(run.runId, 'm')
    expect(history.map((m) => m.step)).toEqual(Array.from({ length: 1500 }, (_, i) => i))
  })

  it('retries when the connection drops without an answer', async () => {
    const { proxy, client } = await proxyClient(failFirstBatches(2, 'reset'))
    const run = await client.startRun({ experimentName: 'sdk-retry' })
    await run.logMetrics({ a: 1, b: 2 })
    await run.endRun()
    expect(batchVerdicts(proxy)).toEqual(['reset', 'reset', 'pass'])
    expect((await client.getRun(run.runId)).data.metrics.map((m) => m.key).sort()).toEqual(['a', 'b'])
  })

  it('never retries a 4xx answer', async () => {
    const { proxy, client } = await proxyClient(
      failFirstBatches(1, { status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'no' } }),
      { onError: () => {} },
    )
    const run = await client.startRun({ experimentName: 'sdk-retry' })
    await run.logMetrics({ a: 1 })
    const err = await run.flush().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CairnBatchError)
    expect((err as CairnBatchError).errors[0]).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', status: 400 })
    expect(batchVerdicts(proxy)).toEqual(['400'])
    await run.endRun()
  })

  it('gives up after maxRetries, reports the loss and keeps logging afterwards', async () => {
    const errors: Error[] = []
    const { proxy, client } = await proxyClient(failFirstBatches(3, { status: 503 }), {
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 },
      onError: (err) => errors.push(err),
    })
    const run = await client.startRun({ experimentName: 'sdk-retry' })
    await run.logMetrics({ lost: 1 })
    const err = (await run.flush().catch((e: unknown) => e)) as CairnBatchError
    expect(err).toBeInstanceOf(CairnBatchError)
    expect(err.dropped.metrics).toBe(1)
    expect(errors[0]).toBeInstanceOf(CairnApiError)
    expect(batchVerdicts(proxy)).toEqual(['503', '503', '503'])
    await run.logMetrics({ kept: 2 })
    await run.endRun()
    const keys = (await client.getRun(run.runId)).data.metrics.map((m) => m.key)
    expect(keys).toEqual(['kept'])
  })

  it('raises CairnNetworkError when nothing listens', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((r) => closed.close(() => r()))
    const client = new CairnClient({
      trackingUri: `http://127.0.0.1:${port}`,
      env: {},
      handleExit: false,
      retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 },
    })
    const err = await client.getExperiment('0').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CairnNetworkError)
    expect((err as Error).message).toContain('GET /api/2.0/mlflow/experiments/get')
    expect((err as Error).message).toContain('ECONNREFUSED')
  })
})

describe('SDK across a server restart', () => {
  it('holds queued points while the server is down and delivers them after it restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-sdk-restart-'))
    const backendStoreUri = `sqlite:///${join(dir, 'cairn.db')}`
    let first: TestServer | null = await startTestServer({ backendStoreUri })
    let second: TestServer | null = null
    try {
      const port = Number(new URL(first.url).port)
      let refused = 0
      const counting: typeof fetch = (input, init) =>
        fetch(input, init).catch((err: unknown) => {
          refused++
          throw err
        })
      const client = new CairnClient({
        trackingUri: first.url,
        env: {},
        handleExit: false,
        fetch: counting,
        flushIntervalMs: 60_000,
        retry: { maxRetries: 40, baseDelayMs: 20, maxDelayMs: 100 },
      })
      const run = await client.startRun({ experimentName: 'sdk-restart' })
      await run.logMetrics({ before: 1 })
      await run.flush()
      await first.close()
      first = null
      for (let step = 0; step < 10; step++) await run.logMetric('during', step, step)
      const flushed = run.flush()
      second = await startTestServer({ backendStoreUri, port })
      await flushed
      await run.endRun()
      expect(refused).toBeGreaterThan(0)
      const history = await client.getMetricHistory(run.runId, 'during')
      expect(history.map((m) => m.step)).toEqual(Array.from({ length: 10 }, (_, i) => i))
      expect((await client.getMetricHistory(run.runId, 'before')).length).toBe(1)
    } finally {
      await first?.close()
      await second?.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
