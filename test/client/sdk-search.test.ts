import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnApiError, CairnClient } from '../../src/index.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'

let server: TestServer
let client: CairnClient
let experimentId: string
const runIds: string[] = []

beforeAll(async () => {
  server = await startTestServer()
  client = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
  experimentId = await client.createExperiment('sdk-search')
  for (let i = 0; i < 7; i++) {
    const run = await client.startRun({
      experimentId,
      runName: `r${i}`,
      tags: { parity: i % 2 ? 'odd' : 'even' },
    })
    await run.logParams({ lr: i < 4 ? '0.1' : '0.01', i })
    await run.logMetrics({ acc: i / 10, loss: 1 - i / 10 })
    await run.endRun()
    runIds.push(run.runId)
  }
})
afterAll(async () => {
  await server.close()
})

describe('SDK searchRuns', () => {
  it('returns one page and a token, or every page with autoPaginate', async () => {
    const page = await client.searchRuns({ experimentIds: [experimentId], maxResults: 3 })
    expect(page.runs).toHaveLength(3)
    expect(page.nextPageToken).toEqual(expect.any(String))
    const all = await client.searchRuns({ experimentIds: [experimentId], autoPaginate: true })
    expect(all.runs.map((r) => r.info.runId).sort()).toEqual([...runIds].sort())
    expect(all.nextPageToken).toBeNull()
    expect(all.runs[0]!.data.params.length).toBe(2)
  })

  it('caps auto-pagination at maxResults', async () => {
    const some = await client.searchRuns({ experimentIds: [experimentId], autoPaginate: true, maxResults: 5 })
    expect(some.runs).toHaveLength(5)
  })

  it('filters and orders with the search language', async () => {
    const found = await client.searchRuns({
      experimentIds: [experimentId],
      filter: "params.lr = '0.1' and metrics.acc > 0.05",
      orderBy: ['metrics.acc DESC'],
    })
    expect(found.runs.map((r) => r.info.runName)).toEqual(['r3', 'r2', 'r1'])
  })

  it('surfaces a bad filter as INVALID_PARAMETER_VALUE', async () => {
    const err = await client
      .searchRuns({ experimentIds: [experimentId], filter: 'metrics.acc >>> 1' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CairnApiError)
    expect(err).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', status: 400 })
  })
})

describe('SDK getRun and getMetricHistory', () => {
  it('reads a run with its latest metrics, and a metric history whole or page by page', async () => {
    const rec: string[] = []
    const recording: typeof fetch = (input, init) => {
      if (typeof input === 'string' && input.includes('/metrics/get-history')) rec.push(input)
      return fetch(input, init)
    }
    const reader = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false, fetch: recording })
    const run = await client.startRun({ experimentId })
    for (let step = 0; step < 2500; step++) await run.logMetric('dense', step * 2, step)
    await run.endRun()
    const whole = await reader.getMetricHistory(run.runId, 'dense')
    expect(rec).toHaveLength(1)
    const paged = await reader.getMetricHistory(run.runId, 'dense', { pageSize: 1000 })
    expect(rec).toHaveLength(4)
    for (const history of [whole, paged]) {
      expect(history.map((m) => m.step)).toEqual(Array.from({ length: 2500 }, (_, i) => i))
      expect(history.at(-1)).toMatchObject({ key: 'dense', value: 4998, step: 2499 })
    }
    const stored = await client.getRun(run.runId)
    expect(stored.data.metrics).toEqual([expect.objectContaining({ key: 'dense', value: 4998, step: 2499 })])
  })

  it('throws RESOURCE_DOES_NOT_EXIST for an unknown run', async () => {
    await expect(client.getRun('00000000000000000000000000000001')).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      status: 404,
    })
  })
})
