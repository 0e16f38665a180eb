/** The prediction and feedback logs over HTTP, and the /metrics page, as monitoring will read them. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeLogisticModel } from '../test-support/model-fixtures.js'
import { startTestServe } from '../test-support/serve-harness.js'

function read(dir: string, prefix: string): Record<string, any>[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, any>)
}

describe('prediction log', () => {
  let tmp: string
  let model: string
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cairn-plog-'))
    model = await writeLogisticModel(join(tmp, 'lr'), [1, -1], 0)
  })
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  it('has every answered request of every protocol, with inputs, outputs, version and latency, after a graceful stop', async () => {
    const s = await startTestServe(model, { name: 'lr', predictionLogDir: join(tmp, 'logs') })
    try {
      const requests = Array.from({ length: 60 }, (_, i) =>
        s.post(
          '/invocations',
          { dataframe_records: [{ f0: i, f1: 0, extra: 1 }] },
          { 'X-Request-Id': `inv-${i}` },
        ),
      )
      const answers = await Promise.all(requests)
      expect(answers.every((a) => a.status === 200)).toBe(true)
      await s.post('/predict', { features: { f0: 1, f1: 2 }, request_id: 'pred-1' })
      await s.post('/v2/models/lr/infer', {
        id: 'oip-1',
        inputs: [{ name: 'input', shape: [2, 2], datatype: 'FP64', data: [1, 2, 3, 4] }],
      })
      await s.post('/invocations', { dataframe_records: [{ f0: 'x', f1: 0 }] }, { 'X-Request-Id': 'refused' })
      await s.stop()

      const lines = read(join(tmp, 'logs', 'lr'), 'predictions-')
      expect(lines).toHaveLength(62)
      expect(lines.some((l) => l['request_id'] === 'refused')).toBe(false)
      const first = lines.find((l) => l['request_id'] === 'inv-3')!
      expect(first).toMatchObject({
        model: 'lr',
        model_uri: model,
        model_version: null,
        role: 'primary',
        protocol: 'mlflow',
        rows: 1,
        inputs: { f0: [3], f1: [0] },
        outputs: { label: [1] },
      })
      expect(first['outputs'].probabilities[0]).toHaveLength(2)
      expect(typeof first['latency_ms']).toBe('number')
      expect(Number.isNaN(Date.parse(first['ts']))).toBe(false)
      expect(lines.find((l) => l['request_id'] === 'pred-1')).toMatchObject({ protocol: 'predict' })
      expect(lines.find((l) => l['request_id'] === 'oip-1')).toMatchObject({
        protocol: 'oip',
        rows: 2,
        inputs: { f0: [1, 3], f1: [2, 4] },
      })
    } finally {
      await s.close()
    }
  })

  it('appends feedback by request id, and refuses feedback without an id or ground truth', async () => {
    const s = await startTestServe(model, { name: 'lr', predictionLogDir: join(tmp, 'fb') })
    try {
      expect(await s.post('/feedback', { request_id: 'inv-3', ground_truth: 1 })).toMatchObject({
        status: 200,
        json: { request_id: 'inv-3' },
      })
      expect((await s.post('/feedback', { ground_truth: 1 })).status).toBe(400)
      expect((await s.post('/feedback', { request_id: 'x' })).status).toBe(400)
      await s.stop()
      expect(read(join(tmp, 'fb', 'lr'), 'feedback-')).toEqual([
        expect.objectContaining({ request_id: 'inv-3', model: 'lr', ground_truth: 1 }),
      ])
    } finally {
      await s.close()
    }
  })

  it('writes nothing with --no-prediction-log, and says feedback has nowhere to go', async () => {
    const s = await startTestServe(model, { predictionLog: false, predictionLogDir: join(tmp, 'none') })
    try {
      expect((await s.post('/invocations', { inputs: { f0: 1, f1: 1 } })).status).toBe(200)
      expect((await s.post('/feedback', { request_id: 'a', ground_truth: 0 })).status).toBe(400)
      await s.stop()
      expect(() => readdirSync(join(tmp, 'none'))).toThrow()
    } finally {
      await s.close()
    }
  })
})

describe('/metrics', () => {
  it('counts requests, errors, latency, batch rows, dropped columns and the served version, per model', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cairn-metrics-'))
    const s = await startTestServe(await writeLogisticModel(join(tmp, 'lr'), [1], 0), { name: 'lr' })
    try {
      await s.post('/invocations', { dataframe_records: [{ f0: 1, note: 'x', other: 2 }] })
      await s.post('/invocations', { dataframe_records: [{ g: 1 }] })
      const res = await s.fetch('/metrics')
      expect(res.headers.get('content-type')).toContain('text/plain')
      const text = await res.text()
      expect(text).toContain('cairn_serving_requests_total{model="lr",route="invocations",status="200"} 1')
      expect(text).toContain('cairn_serving_errors_total{model="lr",route="invocations",status="400"} 1')
      expect(text).toContain('cairn_serving_request_duration_seconds_count{model="lr",route="invocations"} 2')
      expect(text).toMatch(/cairn_serving_batch_rows_count\{model="lr"\} [1-9]/)
      expect(text).toContain('cairn_serving_extra_columns_dropped_total{model="lr"} 2')
      expect(text).toMatch(
        /cairn_serving_model_info\{model="lr",version="",uri="[^"]+",role="primary",flavor="onnx"\} 1/,
      )
      expect(text).toContain('cairn_serving_model_swaps_total{model="lr",role="primary",result="success"} 1')
      expect(text).toContain('cairn_process_resident_memory_bytes')
    } finally {
      await s.close()
      rmSync(tmp, { recursive: true, force: true })
    }
  })
})
