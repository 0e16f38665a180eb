import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportLinearClassifier } from '../../../models/index.js'
import { startTestServe, type TestServe } from '../test-support/serve-harness.js'
import { writeLogisticModel, writeOnnxFolder } from '../test-support/model-fixtures.js'

describe('Open Inference Protocol v2', () => {
  let tmp: string
  let serve: TestServe
  let tensorServe: TestServe

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cairn-oip-'))
    serve = await startTestServe(await writeLogisticModel(join(tmp, 'lr'), [1, -1, 0.5], 0), { name: 'lr' })
    const tensorModel = await writeOnnxFolder(
      join(tmp, 'tensor'),
      exportLinearClassifier({ coefficients: [[1, 1]], intercepts: [0], classes: [0, 1] }),
      {
        signature: {
          inputs: {
            kind: 'tensors',
            tensors: [{ kind: 'tensor', name: 'input', dtype: 'float32', shape: [-1, 2] }],
          },
          outputs: null,
          params: null,
        },
      },
    )
    tensorServe = await startTestServe(tensorModel, { name: 'tm' })
  })
  afterAll(async () => {
    await serve.close()
    await tensorServe.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  const infer = (s: TestServe, body: unknown, path = '/v2/models/lr/infer') => s.post(path, body)

  it('answers health, server metadata and the model list', async () => {
    expect(await serve.get('/v2/health/live')).toMatchObject({ status: 200, json: { live: true } })
    expect(await serve.get('/v2/health/ready')).toMatchObject({ status: 200, json: { ready: true } })
    expect((await serve.get('/v2')).json).toMatchObject({ name: 'cairn', extensions: [] })
    expect((await serve.get('/v2/models')).json.models[0]).toMatchObject({ name: 'lr', ready: true })
    expect(await serve.get('/v2/models/lr/ready')).toMatchObject({
      status: 200,
      json: { name: 'lr', ready: true },
    })
  })

  it('describes the model: one FP64 input per signature column, the graph’s outputs', async () => {
    const { json } = await serve.get('/v2/models/lr')
    expect(json.platform).toBe('onnxruntime_onnx')
    expect(json.inputs).toEqual([
      { name: 'f0', datatype: 'FP64', shape: [-1] },
      { name: 'f1', datatype: 'FP64', shape: [-1] },
      { name: 'f2', datatype: 'FP64', shape: [-1] },
    ])
    expect(json.outputs.map((o: { name: string; datatype: string }) => `${o.name}:${o.datatype}`)).toEqual([
      'label:INT64',
      'probabilities:FP32',
    ])
  })

  it('infers from one input per column, any column order, answering typed outputs', async () => {
    const r = await infer(serve, {
      id: 'req-7',
      inputs: [
        { name: 'f2', shape: [2], datatype: 'FP32', data: [0, 0] },
        { name: 'f0', shape: [2, 1], datatype: 'FP64', data: [[3], [-3]] },
        { name: 'f1', shape: [2], datatype: 'INT64', data: [0, 0] },
      ],
    })
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ model_name: 'lr', id: 'req-7', parameters: {} })
    const label = r.json.outputs.find((o: { name: string }) => o.name === 'label')
    expect(label).toEqual({ name: 'label', datatype: 'INT64', shape: [2], data: [1, 0] })
    const proba = r.json.outputs.find((o: { name: string }) => o.name === 'probabilities')
    expect(proba.shape).toEqual([2, 2])
    expect(proba.data[1]).toBeCloseTo(1 / (1 + Math.exp(-3)), 5)
  })

  it('infers from one [N, columns] input holding the columns in signature order', async () => {
    const r = await infer(serve, {
      inputs: [{ name: 'input', shape: [1, 3], datatype: 'FP64', data: [3, 0, 0] }],
      outputs: [{ name: 'label' }],
    })
    expect(r.status).toBe(200)
    expect(r.json.outputs).toEqual([{ name: 'label', datatype: 'INT64', shape: [1], data: [1] }])
  })

  it('checks a tensor signature: shape and datatype (FP64 accepted for FP32, as MLflow casts)', async () => {
    const ok = await infer(
      tensorServe,
      { inputs: [{ name: 'input', shape: [1, 2], datatype: 'FP64', data: [1, 1] }] },
      '/v2/models/tm/infer',
    )
    expect(ok.status).toBe(200)
    const shape = await infer(
      tensorServe,
      { inputs: [{ name: 'input', shape: [1, 3], datatype: 'FP32', data: [1, 1, 1] }] },
      '/v2/models/tm/infer',
    )
    expect(shape.status).toBe(400)
    expect(shape.json.error).toContain('expected [-1, 2]')
    const dtype = await infer(
      tensorServe,
      { inputs: [{ name: 'input', shape: [1, 2], datatype: 'INT32', data: [1, 1] }] },
      '/v2/models/tm/infer',
    )
    expect(dtype.status).toBe(400)
    expect(dtype.json.error).toContain('float32')
  })

  it('answers {"error"} with a 4xx for every kind of bad request', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{}, 400, /"inputs"/],
      [{ inputs: [{ name: 'f0', shape: [2], datatype: 'FP64', data: [1] }] }, 400, /needs 2 values/],
      [{ inputs: [{ name: 'f0', shape: [1], datatype: 'BF16', data: [1] }] }, 400, /"BF16" is not supported/],
      [
        { inputs: [{ name: 'f0', shape: [1], datatype: 'FP64', data: [1] }] },
        400,
        /missing inputs \['f1', 'f2'\]/,
      ],
      [
        {
          inputs: ['f0', 'f1', 'f2'].map((name) => ({ name, shape: [1], datatype: 'BYTES', data: ['x'] })),
        },
        400,
        /BYTES/,
      ],
      [
        {
          inputs: ['f0', 'f1', 'f2'].map((name) => ({ name, shape: [1], datatype: 'FP64', data: [1] })),
          outputs: [{ name: 'nope' }],
        },
        400,
        /Unknown output 'nope'/,
      ],
    ]
    for (const [body, status, message] of cases) {
      const r = await infer(serve, body)
      expect(r.status, JSON.stringify(body)).toBe(status)
      expect(Object.keys(r.json)).toEqual(['error'])
      expect(r.json.error).toMatch(message)
    }
    const malformed = await serve.fetch('/v2/models/lr/infer', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"inputs": [',
    })
    expect(malformed.status).toBe(400)
    expect(((await malformed.json()) as { error: string }).error).toContain('Malformed JSON')
  })

  it('answers 404 for unknown models and versions, 405 for the wrong method', async () => {
    const unknown = await infer(serve, { inputs: [] }, '/v2/models/nope/infer')
    expect(unknown.status).toBe(404)
    expect(unknown.json.error).toContain("'nope'")
    expect((await serve.get('/v2/models/lr/versions/9')).status).toBe(404)
    expect(
      (
        await infer(
          serve,
          { inputs: [{ name: 'f0', shape: [1], datatype: 'FP64', data: [1] }] },
          '/v2/models/lr/versions/9/infer',
        )
      ).status,
    ).toBe(404)
    const wrong = await serve.fetch('/v2/models/lr/infer')
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('POST')
  })
})
