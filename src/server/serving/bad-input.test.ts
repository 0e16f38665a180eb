/**
 * Issue 4's bad input: each mistake gets a clear 4xx/5xx with a message, never a crash, and the
 * server goes on serving the current model (every case is followed by a good request).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelRef, ModelSource } from './sources/model-source.js'
import { writeLogisticModel } from './test-support/model-fixtures.js'
import { eventually } from './test-support/registry-fixtures.js'
import { startTestServe, type TestServe } from './test-support/serve-harness.js'

const GOOD = { dataframe_split: { columns: ['f0', 'f1'], data: [[1, 2]] } }

async function raw(
  s: TestServe,
  path: string,
  body: string,
  type = 'application/json',
): Promise<{ status: number; json: any }> {
  const res = await s.fetch(path, { method: 'POST', headers: { 'Content-Type': type }, body })
  return { status: res.status, json: await res.json() }
}

describe('bad input', () => {
  let tmp: string
  let model: string
  let s: TestServe

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cairn-bad-'))
    model = await writeLogisticModel(join(tmp, 'lr'), [1, 1], 0)
    s = await startTestServe(model, { name: 'lr', maxRequestMb: '0.01' })
  })
  afterAll(async () => {
    await s.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  const stillServing = async (): Promise<void> => {
    const r = await s.post('/invocations', GOOD)
    expect(r.status).toBe(200)
    expect(r.json.predictions).toHaveLength(1)
  }

  it('malformed JSON: 400 on every route', async () => {
    for (const path of ['/invocations', '/predict', '/v2/models/lr/infer', '/feedback']) {
      const r = await raw(s, path, '{"dataframe_split": {"columns": [')
      expect(r.status, path).toBe(400)
      expect(JSON.stringify(r.json)).toMatch(/JSON/)
    }
    await stillServing()
  })

  it('wrong shapes and types: 400 naming what is wrong', async () => {
    const cases: [unknown, RegExp][] = [
      [{ dataframe_split: { columns: ['f0', 'f1'], data: [[1]] } }, /2 columns passed/],
      [{ dataframe_split: { columns: ['f0', 'f1'], data: [['a', 2]] } }, /column f0/],
      [{ dataframe_split: { columns: ['f0', 'f1'], data: 7 } }, /'data' must be a list/],
      [{ dataframe_records: { f0: 1 } }, /list of records/],
      [{ inputs: { f0: [1, 2], f1: [1] } }, /same length/],
      [{ instances: [[1, 2]] }, /missing inputs/],
      [{ dataframe_split: { columns: ['f0', 'f1'], data: [[[1], 2]] } }, /column f0/],
    ]
    for (const [body, message] of cases) {
      const r = await s.post('/invocations', body)
      expect(r.status, JSON.stringify(body)).toBe(400)
      expect(r.json.message).toMatch(message)
    }
    await stillServing()
  })

  it('NaN, null and infinities where a value is required: 400 naming the column, before the model, on every protocol', async () => {
    for (const text of [
      '{"dataframe_split": {"columns": ["f0", "f1"], "data": [[NaN, 1]]}}',
      '{"dataframe_split": {"columns": ["f0", "f1"], "data": [[1, null]]}}',
      '{"dataframe_split": {"columns": ["f0", "f1"], "data": [[-Infinity, 1]]}}',
      '{"inputs": {"f0": ["nan"], "f1": [1]}}',
    ]) {
      const r = await raw(s, '/invocations', text)
      expect(r.status, text).toBe(400)
      expect(r.json.message).toMatch(/Column 'f[01]'/)
    }
    const oip = await s.post('/v2/models/lr/infer', {
      inputs: [{ name: 'input', shape: [1, 2], datatype: 'FP64', data: [null, 1] }],
    })
    expect(oip.status).toBe(400)
    for (const text of ['{"f0": NaN, "f1": 1}', '{"features": {"f0": 1, "f1": Infinity}}']) {
      const r = await raw(s, '/predict', text)
      expect(r.status, text).toBe(400)
      expect(r.json.message).toMatch(/Column 'f[01]'/)
    }
    await stillServing()
  })

  it('an oversized body: 413 and the connection closed on every route, then new requests are served', async () => {
    const big = JSON.stringify({
      dataframe_split: { columns: ['f0', 'f1'], data: Array.from({ length: 2000 }, () => [1, 2]) },
    })
    const post = (path: string): Promise<{ status: number; connection: string | undefined; body: string }> =>
      new Promise((resolve, reject) => {
        const url = new URL(s.url)
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path,
            headers: { 'Content-Type': 'application/json' },
          },
          (res) => {
            let body = ''
            res.on('data', (c: Buffer) => (body += c.toString()))
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }),
            )
          },
        )
        req.on('error', reject)
        req.end(big)
      })
    for (const [path, shape] of [
      ['/invocations', { error_code: 'RESOURCE_EXHAUSTED' }],
      ['/predict', { error_code: 'RESOURCE_EXHAUSTED' }],
      ['/feedback', { error_code: 'RESOURCE_EXHAUSTED' }],
      ['/v2/models/lr/infer', { error: expect.stringMatching(/exceeds the limit/) }],
    ] as const) {
      const answer = await post(path)
      expect(answer.status, path).toBe(413)
      expect(answer.connection, path).toBe('close')
      expect(JSON.parse(answer.body), path).toMatchObject(shape)
    }
    await stillServing()
  })

  it('unknown model names: 404 on every protocol', async () => {
    expect((await s.post('/invocations?model=nope', GOOD)).status).toBe(404)
    expect((await s.post('/predict?model=nope', { f0: 1, f1: 1 })).status).toBe(404)
    expect((await s.post('/v2/models/nope/infer', { inputs: [] })).status).toBe(404)
    expect((await s.get('/v2/models/nope')).status).toBe(404)
    expect((await s.get('/v2/models/nope/ready')).status).toBe(404)
    await stillServing()
  })

  it('a model folder with a missing or corrupt model.onnx: cairn serve refuses to start, saying which file', async () => {
    const missing = await writeLogisticModel(join(tmp, 'missing'), [1], 0)
    rmSync(join(missing, 'model.onnx'))
    await expect(startTestServe(missing)).rejects.toThrow(/model\.onnx is missing/)
    const corrupt = await writeLogisticModel(join(tmp, 'corrupt'), [1], 0, {
      overrideOnnx: Buffer.from('not onnx'),
    })
    await expect(startTestServe(corrupt)).rejects.toThrow(/model\.onnx is not a valid ONNX model/)
  })

  it('an alias moved to a folder with a missing model.onnx: the current model keeps serving', async () => {
    const missing = await writeLogisticModel(join(tmp, 'gone'), [1, 1], 0)
    rmSync(join(missing, 'model.onnx'))
    let current: ModelRef = { uri: 'models:/lr@champion', name: 'lr', version: '1', location: model }
    const source: ModelSource = {
      resolve: async () => current,
      fetch: async (ref) => ref.location,
    }
    const swapping = await startTestServe('models:/lr@champion', { pollInterval: '0.01' }, { source })
    try {
      current = { ...current, version: '2', location: missing }
      await eventually(async () => {
        const { json } = await swapping.get('/v2/models/lr')
        return json.cairn.status[0].last_error?.version === '2'
      })
      const { json } = await swapping.get('/v2/models/lr')
      expect(json.cairn.status[0].last_error.message).toMatch(/model\.onnx is missing/)
      const r = await swapping.post('/invocations', GOOD)
      expect(r.status).toBe(200)
      expect(r.headers.get('x-model-version')).toBe('1')
    } finally {
      await swapping.close()
    }
  })
})
