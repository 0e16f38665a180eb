import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CairnApiError,
  CairnBatchError,
  CairnClient,
  CairnError,
  type CairnClientOptions,
} from '../../src/index.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'
import { logBatches, recordingFetch } from './support.js'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const makeClient = (opts: CairnClientOptions = {}) =>
  new CairnClient({ trackingUri: server.url, env: {}, handleExit: false, flushIntervalMs: 60_000, ...opts })

const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r))
}

describe('SDK runs: start, log, end', () => {
  it('starts a run with a name, tags and MLflow system tags, then ends it FINISHED', async () => {
    const client = makeClient()
    const run = await client.startRun({
      experimentName: 'sdk-logging',
      runName: 'first',
      tags: { team: 'a' },
    })
    expect(run.info).toMatchObject({ status: 'RUNNING', runName: 'first' })
    await run.endRun()
    const stored = await client.getRun(run.runId)
    expect(stored.info.status).toBe('FINISHED')
    expect(stored.info.endTime).toEqual(expect.any(Number))
    const tags = Object.fromEntries(stored.data.tags.map((t) => [t.key, t.value]))
    expect(tags).toMatchObject({ team: 'a', 'mlflow.runName': 'first', 'mlflow.source.type': 'LOCAL' })
    expect(tags['mlflow.user']).toEqual(expect.any(String))
    expect(client.openRuns).toHaveLength(0)
  })

  it('makes nested runs with mlflow.parentRunId', async () => {
    const client = makeClient()
    const parent = await client.startRun({ experimentName: 'sdk-logging' })
    const child = await client.startRun({ experimentId: parent.experimentId, parentRunId: parent.runId })
    const stored = await client.getRun(child.runId)
    expect(stored.data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: parent.runId })
    await child.endRun('FAILED')
    await parent.endRun()
    expect((await client.getRun(child.runId)).info.status).toBe('FAILED')
  })

  it('sends nothing until endRun, then flushes before marking the run ended', async () => {
    const rec = recordingFetch()
    const client = makeClient({ fetch: rec.fetch })
    const run = await client.startRun({ experimentName: 'sdk-logging' })
    await run.logParams({ lr: 0.01, layers: 3, augment: true })
    for (let step = 0; step < 5; step++) await run.logMetrics({ loss: 1 / (step + 1), acc: step / 10 }, step)
    await run.setTags({ phase: 'train' })
    expect(logBatches(rec.requests)).toHaveLength(0)
    await run.endRun()
    const paths = rec.requests.map((r) => r.path.replace('/api/2.0/mlflow/', ''))
    expect(paths.indexOf('runs/log-batch')).toBeGreaterThan(-1)
    expect(paths.lastIndexOf('runs/log-batch')).toBeLessThan(paths.indexOf('runs/update'))
    const stored = await client.getRun(run.runId)
    expect(stored.data.params).toEqual(
      expect.arrayContaining([
        { key: 'lr', value: '0.01' },
        { key: 'layers', value: '3' },
        { key: 'augment', value: 'true' },
      ]),
    )
    expect(stored.data.tags).toContainEqual({ key: 'phase', value: 'train' })
    const loss = await client.getMetricHistory(run.runId, 'loss')
    expect(loss.map((m) => [m.step, m.value])).toEqual([0, 1, 2, 3, 4].map((s) => [s, 1 / (s + 1)]))
  })

  it('batches thousands of single logMetric calls into few log-batch requests within MLflow limits', async () => {
    const rec = recordingFetch()
    const client = makeClient({ fetch: rec.fetch })
    const run = await client.startRun({ experimentName: 'sdk-logging' })
    for (let step = 0; step < 2500; step++) await run.logMetric('x', step * 2, step)
    await run.flush()
    const batches = logBatches(rec.requests)
    expect(batches.length).toBeGreaterThanOrEqual(3)
    expect(batches.length).toBeLessThanOrEqual(6)
    for (const b of batches) expect(b.metrics!.length).toBeLessThanOrEqual(1000)
    const history = await client.getMetricHistory(run.runId, 'x')
    expect(history.map((m) => m.step)).toEqual(Array.from({ length: 2500 }, (_, i) => i))
    await run.endRun()
  })

  it('sends params in their own requests of at most 100, ahead of metrics logged before them', async () => {
    const rec = recordingFetch()
    const client = makeClient({ fetch: rec.fetch })
    const run = await client.startRun({ experimentName: 'sdk-logging' })
    await run.logMetrics({ early: 1 })
    await run.logParams(Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i])))
    await run.endRun()
    const batches = logBatches(rec.requests)
    expect(batches.map((b) => [b.params?.length ?? 0, b.metrics?.length ?? 0])).toEqual([
      [100, 0],
      [50, 0],
      [0, 1],
    ])
    expect((await client.getRun(run.runId)).data.params).toHaveLength(150)
  })

  // JSON has no NaN/Infinity; they travel as "NaN"/"Infinity" strings. MLflow stores ±Infinity as ±float max.
  it('sends NaN and infinite metric values instead of nulls', async () => {
    const client = makeClient()
    const run = await client.startRun({ experimentName: 'sdk-logging' })
    await run.logMetrics({ nan: Number.NaN, inf: Number.POSITIVE_INFINITY, ninf: Number.NEGATIVE_INFINITY })
    await run.endRun()
    expect((await client.getMetricHistory(run.runId, 'nan'))[0]!.value).toBeNaN()
    expect((await client.getMetricHistory(run.runId, 'inf'))[0]!.value).toBeGreaterThanOrEqual(
      Number.MAX_VALUE,
    )
    expect((await client.getMetricHistory(run.runId, 'ninf'))[0]!.value).toBeLessThanOrEqual(
      -Number.MAX_VALUE,
    )
  })

  it('keeps the last value of a tag set several times', async () => {
    const client = makeClient()
    const run = await client.startRun({ experimentName: 'sdk-logging' })
    await run.setTag('phase', 'a')
    await run.setTag('phase', 'b')
    await run.endRun()
    expect((await client.getRun(run.runId)).data.tags).toContainEqual({ key: 'phase', value: 'b' })
  })
})

describe('SDK logging: validation and failures', () => {
  it('rejects invalid names and values at the call, queueing nothing', async () => {
    const client = makeClient()
    const run = await client.startRun({ experimentName: 'sdk-logging' })
    await expect(run.logMetrics({ 'bad*key': 1 })).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' })
    await expect(run.logMetrics({ ok: 1, x: 'one' as unknown as number })).rejects.toBeInstanceOf(CairnError)
    await expect(run.logParams({ p: 'x'.repeat(6001) })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    })
    await expect(run.logMetric('s', 1, 1.5)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' })
    expect(run.pending).toBe(0)
    await run.endRun()
    expect((await client.getRun(run.runId)).data.metrics).toEqual([])
  })

  it('refuses to change a param locally, and re-logging the same value sends nothing new', async () => {
    const rec = recordingFetch()
    const client = makeClient({ fetch: rec.fetch })
    const run = await client.startRun({ experimentName: 'sdk-logging' })
    await run.logParams({ lr: 0.1 })
    await run.logParam('lr', 0.1)
    const err = await run.logParam('lr', 0.2).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'INVALID_PARAMETER_VALUE' })
    expect((err as Error).message).toContain("Changing param values is not allowed. Param with key='lr'")
    await run.endRun()
    expect(logBatches(rec.requests).flatMap((b) => b.params ?? [])).toEqual([{ key: 'lr', value: '0.1' }])
  })

  it('reports a param the server refuses through onError and flush, and still logs the metrics', async () => {
    const errors: { err: Error; runId: string }[] = []
    const a = makeClient()
    const b = makeClient({ onError: (err, ctx) => errors.push({ err, runId: ctx.runId }) })
    const runA = await a.startRun({ experimentName: 'sdk-logging' })
    const runB = await b.startRun({ runId: runA.runId })
    await runA.logParams({ seed: 1 })
    await runA.flush()
    await runB.logParams({ seed: 2 })
    await runB.logMetrics({ after: 5 })
    const err = await runB.flush().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CairnBatchError)
    const batchErr = err as CairnBatchError
    expect(batchErr.dropped).toEqual({ metrics: 0, params: 1, tags: 0 })
    expect(batchErr.errors[0]).toBeInstanceOf(CairnApiError)
    expect(batchErr.errors[0]).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', status: 400 })
    expect(errors).toHaveLength(1)
    expect(errors[0]!.runId).toBe(runA.runId)
    expect((await a.getMetricHistory(runA.runId, 'after')).map((m) => m.value)).toEqual([5])
    await runB.flush()
    await runA.endRun()
  })

  it('ends the run even when the final flush failed, then rejects with the flush error', async () => {
    const client = makeClient({ onError: () => {} })
    const other = makeClient()
    const run = await client.startRun({ experimentName: 'sdk-logging' })
    const twin = await other.startRun({ runId: run.runId })
    await twin.logParam('k', 'first')
    await twin.flush()
    await run.logParam('k', 'second')
    await expect(run.endRun('FINISHED')).rejects.toBeInstanceOf(CairnBatchError)
    expect((await client.getRun(run.runId)).info.status).toBe('FINISHED')
    await expect(run.logMetric('late', 1)).rejects.toThrow(/has ended/)
  })

  it('returns at once while the server is stalled, and waits for room when the queue is full', async () => {
    let open!: () => void
    const gate = new Promise<void>((r) => (open = r))
    const stalled: typeof fetch = async (input, init) => {
      if (typeof input === 'string' && input.endsWith('/runs/log-batch')) await gate
      return fetch(input, init)
    }
    const client = makeClient({ fetch: stalled, maxQueueSize: 50 })
    const run = await client.startRun({ experimentName: 'sdk-logging' })
    for (let step = 0; step < 50; step++) await run.logMetric('q', step, step)
    let done = false
    const waiting = run.logMetric('q', 50, 50).then(() => {
      done = true
    })
    await ticks()
    expect(done).toBe(false)
    expect(run.pending).toBe(51)
    open()
    await waiting
    expect(done).toBe(true)
    await run.endRun()
    expect((await client.getMetricHistory(run.runId, 'q')).map((m) => m.step)).toEqual(
      Array.from({ length: 51 }, (_, i) => i),
    )
  })
})
