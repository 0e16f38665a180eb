import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../test-support/test-server.js'

describe('HTTP app', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
  })
  afterAll(async () => {
    await s.close()
  })

  it('answers /health with OK', async () => {
    const res = await s.fetch('/health')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('OK')
  })

  it('returns ENDPOINT_NOT_FOUND as JSON for an unknown route', async () => {
    const { status, json } = await s.get('/api/2.0/mlflow/nope')
    expect(status).toBe(404)
    expect(json.error_code).toBe('ENDPOINT_NOT_FOUND')
  })

  it('returns 405 with an Allow header for a wrong method', async () => {
    const res = await s.fetch('/api/2.0/mlflow/experiments/get', { method: 'POST' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toContain('GET')
    expect(((await res.json()) as { error_code: string }).error_code).toBe('ENDPOINT_NOT_FOUND')
  })

  it('refuses malformed JSON with INVALID_PARAMETER_VALUE and keeps serving', async () => {
    const res = await s.fetch('/api/2.0/mlflow/experiments/create', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{not json',
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE')
    expect((await s.get('/api/2.0/mlflow/experiments/get', { experiment_id: '0' })).status).toBe(200)
  })

  it('refuses a body over the limit with 413 and stores nothing', async () => {
    const small = await startTestServer({ maxJsonBytes: 1024 })
    try {
      const res = await small.fetch('/api/2.0/mlflow/experiments/create', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'x'.repeat(2000) }),
      })
      expect(res.status).toBe(413)
      const search = await small.post('/api/2.0/mlflow/experiments/search', { max_results: 100 })
      expect(search.json.experiments.map((e: { name: string }) => e.name)).toEqual(['Default'])
    } finally {
      await small.close()
    }
  })

  it('accepts bare NaN tokens and stores NaN, not 0', async () => {
    const { json } = await s.post('/api/2.0/mlflow/runs/create', { experiment_id: '0', start_time: 1 })
    const runId = json.run.info.run_id
    const res = await s.fetch('/api/2.0/mlflow/runs/log-metric', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: `{"run_id": "${runId}", "key": "m", "value": NaN, "timestamp": 5}`,
    })
    expect(res.status).toBe(200)
    const history = await s.get('/api/2.0/mlflow/metrics/get-history', { run_id: runId, metric_key: 'm' })
    expect(history.json.metrics).toEqual([{ key: 'm', value: 'NaN', timestamp: 5, step: 0 }])
  })
})
