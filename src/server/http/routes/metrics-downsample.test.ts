import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test-support/test-server.js'

describe('GET /api/2.0/cairn/metrics/downsample', () => {
  let s: TestServer
  let runA: string
  let runB: string
  const PATH = '/api/2.0/cairn/metrics/downsample'

  beforeAll(async () => {
    s = await startTestServer()
    const create = async (): Promise<string> =>
      (await s.post('/api/2.0/mlflow/runs/create', { experiment_id: '0', start_time: 1 })).json.run.info
        .run_id as string
    runA = await create()
    runB = await create()
    const metrics = Array.from({ length: 1000 }, (_, step) => ({
      key: 'loss',
      value: step === 500 ? 99 : step === 999 ? 'NaN' : step / 1000,
      timestamp: 1_000 + step,
      step,
    }))
    expect((await s.post('/api/2.0/mlflow/runs/log-batch', { run_id: runA, metrics })).status).toBe(200)
  })
  afterAll(async () => {
    await s.close()
  })

  it('answers min, max, last and count per step bucket, keeping a spike and spelling NaN as a string', async () => {
    const { status, json } = await s.get(PATH, { run_id: runA, metric_key: 'loss', buckets: '10' })
    expect(status).toBe(200)
    expect(json).toMatchObject({ metric_key: 'loss', x: 'step', buckets: 10 })
    const [series] = json.series
    expect(series).toMatchObject({ run_id: runA, start: 0, end: 999, count: 1000 })
    expect(series.x_start).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900])
    expect(series.x_end[0]).toBe(99)
    expect(series.counts).toEqual(Array(10).fill(100))
    expect(series.max[5]).toBe(99)
    expect(series.min[5]).toBe(0.501)
    expect(series.last[9]).toBe('NaN')
    expect(series.max[9]).toBe(0.998)
    expect(series.last_x[0]).toBe(99)
  })

  it('buckets by time within start and end, and leaves out runs without the metric', async () => {
    const { json } = await s.get('/ajax-api/2.0/cairn/metrics/downsample', {
      run_id: [runB, runA],
      metric_key: 'loss',
      x: 'time',
      start: '1100',
      end: '1199',
      buckets: '4',
    })
    expect(json.series).toHaveLength(1)
    expect(json.series[0]).toMatchObject({ run_id: runA, start: 1100, end: 1199, count: 100 })
    expect(json.series[0].x_start).toEqual([1100, 1125, 1150, 1175])
    expect(json.series[0].last).toEqual([0.124, 0.149, 0.174, 0.199])
  })

  it.each([
    [{ metric_key: 'loss' }, "at least one 'run_id'"],
    [{ run_id: 'x', metric_key: 'loss', buckets: '0' }, "'buckets' must be between 1 and 5000"],
    [{ run_id: 'x', metric_key: 'loss', start: '5', end: '4' }, "'start' (5) must not be greater"],
    [{ run_id: 'x', metric_key: 'loss', x: 'epoch' }, 'x'],
  ])('refuses %j with INVALID_PARAMETER_VALUE', async (query, message) => {
    const { status, json } = await s.get(PATH, query)
    expect(status).toBe(400)
    expect(json.error_code).toBe('INVALID_PARAMETER_VALUE')
    expect(json.message).toContain(message)
  })
})
