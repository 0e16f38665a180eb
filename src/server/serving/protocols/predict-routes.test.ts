import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportLinearClassifier } from '../../../models/index.js'
import {
  columnSignature,
  copyGoldenModel,
  featureNames,
  writeLinearRegressionModel,
  writeLogisticModel,
  writeOnnxFolder,
} from '../test-support/model-fixtures.js'
import { startTestServe, type TestServe } from '../test-support/serve-harness.js'

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z))

describe('POST /predict', () => {
  let tmp: string
  const serves: TestServe[] = []
  let binary: TestServe

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cairn-predict-'))
    binary = await startTestServe(await writeLogisticModel(join(tmp, 'lr'), [1, 0], 0), {
      labels: 'DOWN,UP',
      name: 'sp500',
    })
    serves.push(binary)
  })
  afterAll(async () => {
    for (const s of serves) await s.close()
    rmSync(tmp, { recursive: true, force: true })
  })
  const start = async (...args: Parameters<typeof startTestServe>): Promise<TestServe> => {
    const s = await startTestServe(...args)
    serves.push(s)
    return s
  }

  it('answers the label, its probability, the threshold and the model’s origin', async () => {
    const r = await binary.post('/predict', { features: { f0: 0.45, f1: 9 } })
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ prediction: 'UP', threshold: 0.5, model_version: null })
    expect(r.json.confidence).toBeCloseTo(sigmoid(0.45), 5)
    expect(r.json.model_uri).toBe(join(tmp, 'lr'))
    expect(typeof r.json.request_id).toBe('string')
  })

  it('takes ?threshold= over the default, and gives the probability of the label returned', async () => {
    const r = await binary.post('/predict?threshold=0.7', { f0: 0.45, f1: 0 })
    expect(r.json).toMatchObject({ prediction: 'DOWN', threshold: 0.7 })
    expect(r.json.confidence).toBeCloseTo(1 - sigmoid(0.45), 5)
  })

  it('uses the request id from X-Request-Id or the body, and echoes it', async () => {
    const byHeader = await binary.post('/predict', { f0: 1, f1: 1 }, { 'X-Request-Id': 'abc-1' })
    expect(byHeader.json.request_id).toBe('abc-1')
    expect(byHeader.headers.get('x-request-id')).toBe('abc-1')
    expect(
      (await binary.post('/predict', { features: { f0: 1, f1: 1 }, request_id: 'abc-2' })).json.request_id,
    ).toBe('abc-2')
  })

  it('refuses bad thresholds, missing features and non-object bodies with 400s', async () => {
    expect((await binary.post('/predict?threshold=high', { f0: 1, f1: 1 })).status).toBe(400)
    const missing = await binary.post('/predict', { f0: 1 })
    expect(missing.status).toBe(400)
    expect(missing.json.message).toContain("missing inputs ['f1']")
    expect((await binary.post('/predict', [1, 2])).status).toBe(400)
  })

  it('answers the most probable class of a multiclass model, and refuses a threshold there', async () => {
    const onnx = exportLinearClassifier({
      coefficients: [
        [1, 0],
        [0, 1],
        [-1, -1],
      ],
      intercepts: [0, 0, 0],
      classes: ['a', 'b', 'c'],
    })
    const s = await start(
      await writeOnnxFolder(join(tmp, 'multi'), onnx, {
        signature: columnSignature(featureNames(2)),
        metadata: { classes: ['a', 'b', 'c'] },
      }),
    )
    const r = await s.post('/predict', { f0: 0, f1: 3 })
    expect(r.json).toMatchObject({ prediction: 'b', threshold: null })
    expect(r.json.confidence).toBeGreaterThan(0.5)
    expect((await s.post('/predict?threshold=0.3', { f0: 0, f1: 3 })).status).toBe(400)
  })

  it('answers a regressor’s value, or a label from --labels when a threshold is given', async () => {
    const dir = await writeLinearRegressionModel(join(tmp, 'reg'), [2, 0], 1)
    const plain = await start(dir)
    expect((await plain.post('/predict', { f0: 1, f1: 0 })).json).toMatchObject({
      prediction: 3,
      value: 3,
      confidence: null,
      threshold: null,
    })
    const labelled = await start(dir, { labels: 'DOWN,UP', threshold: '0' })
    expect((await labelled.post('/predict', { f0: -1, f1: 0 })).json).toMatchObject({
      prediction: 'DOWN',
      value: -1,
      threshold: 0,
    })
    expect((await labelled.post('/predict?threshold=-5', { f0: -1, f1: 0 })).json).toMatchObject({
      prediction: 'UP',
      threshold: -5,
    })
  })

  it('answers the label of a label-only model (the golden MLflow one), mapped through --labels', async () => {
    const s = await start(copyGoldenModel(join(tmp, 'golden')), { labels: 'DOWN,UP' })
    const row = { f0: 1.5, f1: -0.5, f2: 0.2, f3: 0.8, f4: -1.0, f5: 0.3, f6: 0.0, f7: 1.0 }
    expect((await s.post('/predict', row)).json).toMatchObject({
      prediction: 'UP',
      confidence: null,
      threshold: null,
    })
    expect((await s.post('/predict?threshold=0.9', row)).status).toBe(400)
  })
})

describe('MLflow scoring answers of a model with several outputs', () => {
  it('writes one record per row (MLflow’s DataFrame answer) for table input', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cairn-records-'))
    const s = await startTestServe(await writeLogisticModel(join(tmp, 'lr'), [1], 0))
    try {
      const res = await s.fetch('/invocations', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ dataframe_records: [{ f0: 0 }, { f0: 2 }] }),
      })
      const text = await res.text()
      expect(text).toMatch(
        /^\{"predictions": \[\{"label": 0, "probabilities": \[0\.5, 0\.5\]\}, \{"label": 1, /,
      )
    } finally {
      await s.close()
      rmSync(tmp, { recursive: true, force: true })
    }
  })
})
