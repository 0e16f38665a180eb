/** The prediction and feedback logs over HTTP, and the /metrics page, as monitoring will read them. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeLogisticModel } from '../test-support/model-fixtures.js'
import { loggedColumns } from './logged-columns.js'
import { predictionLine } from './prediction-log.js'
import { eventually } from '../test-support/registry-fixtures.js'
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
      const nan = await s.fetch('/invocations', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'nan' },
        body: '{"dataframe_split": {"columns": ["f0", "f1", "note"], "data": [[0, 1, NaN]]}}',
      })
      const csv = await s.fetch('/invocations', {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', 'X-Request-Id': 'csv' },
        body: 'f1,f0\n2,1\n4,3\n',
      })
      expect([nan.status, csv.status]).toEqual([200, 200])
      await s.stop()

      const lines = read(join(tmp, 'logs', 'lr'), 'predictions-')
      expect(lines).toHaveLength(64)
      // Bare NaN is not JSON: that body is logged as the checked values.
      expect(lines.find((l) => l['request_id'] === 'nan')).toMatchObject({ inputs: { f0: [0], f1: [1] } })
      const fromCsv = lines.find((l) => l['request_id'] === 'csv')!
      expect(fromCsv['request_csv']).toBe('f1,f0\n2,1\n4,3\n')
      expect(loggedColumns(fromCsv).inputs).toEqual({ f0: [1, 3], f1: [2, 4] })
      expect(lines.some((l) => l['request_id'] === 'refused')).toBe(false)
      const first = lines.find((l) => l['request_id'] === 'inv-3')!
      expect(first).toMatchObject({
        model: 'lr',
        model_uri: model,
        model_version: null,
        role: 'primary',
        protocol: 'mlflow',
        rows: 1,
        // The body and the answer as sent.
        columns: ['f0', 'f1'],
        request: { dataframe_records: [{ f0: 3, f1: 0, extra: 1 }] },
        output_names: ['label', 'probabilities'],
      })
      const back = loggedColumns(first)
      expect(back.inputs).toEqual({ f0: [3], f1: [0] })
      expect(back.outputs).toMatchObject({ label: [1] })
      expect((back.outputs!['probabilities'] as number[][])[0]).toHaveLength(2)
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

  it('loses no entry of an answered request when the server stops gracefully under load', async () => {
    const s = await startTestServe(model, { name: 'lr', predictionLogDir: join(tmp, 'stop') })
    const answered: string[] = []
    let n = 0
    let stopping = false
    const client = async (): Promise<void> => {
      while (!stopping || n < 400) {
        const id = `load-${n++}`
        try {
          const r = await s.post('/invocations', { inputs: { f0: [n], f1: [1] } }, { 'X-Request-Id': id })
          if (r.status === 200) answered.push(id)
        } catch {
          return // the server has stopped listening
        }
      }
    }
    try {
      const clients = Array.from({ length: 16 }, client)
      await eventually(() => answered.length >= 100)
      stopping = true
      await s.stop()
      await Promise.all(clients)
      const logged = new Set(
        read(join(tmp, 'stop', 'lr'), 'predictions-').map((l) => l['request_id'] as string),
      )
      expect(answered.length).toBeGreaterThanOrEqual(100)
      expect(answered.filter((id) => !logged.has(id))).toEqual([])
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

describe('prediction log lines', () => {
  it('write bigints as numbers, bytes as base64, NaN as null, booleans as booleans and [rows, k] outputs as a list per row', () => {
    const line = predictionLine({
      ts: Date.UTC(2024, 0, 2),
      requestId: 'r"1',
      origin: { uri: 'models:/m@champion', name: 'm', version: null, location: '/m' },
      role: 'shadow',
      protocol: 'oip',
      latencyMs: 1.23456,
      input: {
        kind: 'columns',
        rows: 2,
        columns: { x: Float64Array.of(1.5, NaN), b: [Uint8Array.of(1, 2), null], s: ['a', 'b'] },
      },
      prediction: {
        rows: 2,
        orient: 'records',
        outputs: [
          { name: 'label', dtype: 'int64', shape: [2], data: BigInt64Array.of(1n, 0n) },
          { name: 'p', dtype: 'float32', shape: [2, 2], data: Float32Array.of(0.25, 0.75, 1, 0) },
          { name: 'ok', dtype: 'bool', shape: [2], data: Uint8Array.of(1, 0) },
          { name: 'tags', dtype: 'object', shape: [2], data: [{ n: 1n }, 'y'] },
        ],
      },
    })
    expect(JSON.parse(line)).toEqual({
      ts: '2024-01-02T00:00:00.000Z',
      request_id: 'r"1',
      model: 'm',
      model_uri: 'models:/m@champion',
      model_version: null,
      role: 'shadow',
      protocol: 'oip',
      latency_ms: 1.235,
      rows: 2,
      inputs: { x: [1.5, null], b: ['AQI=', null], s: ['a', 'b'] },
      outputs: {
        label: [1, 0],
        p: [
          [0.25, 0.75],
          [1, 0],
        ],
        ok: [true, false],
        tags: [{ n: 1 }, 'y'],
      },
    })
  })
  it("carry inline validation's verdict when rows were flagged, and nothing when every row passed", () => {
    const base = {
      ts: Date.UTC(2024, 0, 2),
      requestId: 'v1',
      origin: { uri: 'models:/m/1', name: 'm', version: '1', location: '/m' },
      role: 'primary' as const,
      protocol: 'predict' as const,
      latencyMs: 1,
      input: { kind: 'columns' as const, rows: 2, columns: { x: Float64Array.of(1, 500) } },
    }
    const flagged = JSON.parse(
      predictionLine({
        ...base,
        validation: {
          rows: 2,
          failedRows: 1,
          failures: [{ expectation: 'max', column: 'x', expected: 100, count: 1, rows: [1], values: [500] }],
        },
      }),
    )
    expect(flagged.validation).toEqual({
      failed_rows: 1,
      failures: [{ expectation: 'max', column: 'x', count: 1, rows: [1] }],
    })
    const clean = JSON.parse(
      predictionLine({ ...base, validation: { rows: 2, failedRows: 0, failures: [] } }),
    )
    expect(clean).not.toHaveProperty('validation')
  })
})
