import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CairnError } from '../../../protocol/errors.js'
import {
  columnSignature,
  copyGoldenModel,
  featureNames,
  writeJsFolder,
  writeLogisticModel,
} from '../test-support/model-fixtures.js'
import type { LoadedModel, ModelInput, ModelOrigin } from '../types.js'
import { loadModelDir, validateModel } from './load-model.js'
import { toHalf } from './onnx-feeds.js'

const BATCHING = { enabled: true, maxBatchSize: 64, maxWaitMs: 2 }
const origin = (dir: string): ModelOrigin => ({ uri: dir, name: 'm', version: '1', location: dir })

function columnsInput(rows: number[][], names = featureNames(rows[0]!.length)): ModelInput {
  return {
    kind: 'columns',
    rows: rows.length,
    columns: Object.fromEntries(names.map((n, c) => [n, Float64Array.from(rows, (r) => r[c]!)])),
  }
}

describe('loading models for serving', () => {
  let root: string
  const models: LoadedModel[] = []
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cairn-load-'))
  })
  afterEach(async () => {
    for (const m of models.splice(0)) await m.dispose()
    rmSync(root, { recursive: true, force: true })
  })
  const load = async (dir: string): Promise<LoadedModel> => {
    const m = await loadModelDir(dir, origin(dir), { batching: BATCHING })
    models.push(m)
    return m
  }

  it('serves the golden onnx model: a table fed as one [rows, 8] float tensor in column order', async () => {
    const m = await load(copyGoldenModel(join(root, 'golden')))
    expect(m.flavor).toBe('onnx')
    const rows = [
      [1.5, -0.5, 0.2, 0.8, -1.0, 0.3, 0.0, 1.0],
      [-1.0, 0.5, 1.2, -0.3, 0.4, -0.8, 1.1, 0.0],
      [0.25, 1.75, -0.6, 0.1, 0.9, -1.4, 0.5, -0.2],
      [2.0, 0.0, 0.0, -1.5, 0.0, 1.0, -0.5, 0.5],
      [-0.5, -1.2, 0.7, 1.3, -0.2, 0.6, -1.0, 0.9],
    ]
    const p = await m.predict(columnsInput(rows), {})
    expect(p.outputs.map((o) => o.name)).toEqual(['label'])
    expect(Array.from(p.outputs[0]!.data as BigInt64Array, Number)).toEqual([1, 0, 1, 1, 0])
    expect(m.inputs.map((i) => i.datatype)).toEqual(Array(8).fill('FP64'))
  })

  it('answers label and probabilities for a Cairn logistic regression export', async () => {
    const m = await load(await writeLogisticModel(join(root, 'lr'), [2, -1], 0))
    const p = await m.predict(
      columnsInput([
        [1, 0],
        [-1, 0],
      ]),
      {},
    )
    const proba = p.outputs.find((o) => o.name === 'probabilities')!
    expect(proba.shape).toEqual([2, 2])
    const p1 = (proba.data as Float32Array)[1]!
    expect(p1).toBeCloseTo(1 / (1 + Math.exp(-2)), 5)
    expect(Array.from(p.outputs.find((o) => o.name === 'label')!.data as BigInt64Array, Number)).toEqual([
      1, 0,
    ])
  })

  it('refuses a folder whose model.onnx is missing, naming the file', async () => {
    const dir = await writeLogisticModel(join(root, 'lr'), [1], 0)
    rmSync(join(dir, 'model.onnx'))
    await expect(load(dir)).rejects.toThrow(/model\.onnx is missing/)
  })

  it('refuses a corrupt model.onnx with the runtime’s reason', async () => {
    const dir = await writeLogisticModel(join(root, 'lr'), [1], 0, {
      overrideOnnx: new Uint8Array([1, 2, 3, 4, 5]),
    })
    const err = await load(dir).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CairnError)
    expect((err as Error).message).toContain('is not a valid ONNX model')
  })

  it('refuses a signature whose column count the graph cannot take', async () => {
    const dir = await writeLogisticModel(join(root, 'lr'), [1, 2, 3], 0, {
      signature: columnSignature(['a', 'b']),
    })
    await expect(load(dir)).rejects.toThrow(/2 columns .* takes 3 features/)
  })

  it('refuses a folder without MLmodel, and a model of another flavor', async () => {
    await expect(load(root)).rejects.toThrow(/No MLmodel/)
    writeFileSync(join(root, 'MLmodel'), 'flavors:\n  sklearn: {pickled_model: model.pkl}\n')
    await expect(load(root)).rejects.toThrow(/'onnx' or 'js' flavor/)
  })

  it('loads a js-flavor module and normalizes its outputs', async () => {
    const dir = await writeJsFolder(
      join(root, 'js'),
      `export function load() { return { w: 2 } }
       export function predict(inputs, params, state) {
         const n = inputs.x.length
         return { label: Array.from(inputs.x, (v) => (v * state.w > 1 ? 'UP' : 'DOWN')), probabilities: Array.from(inputs.x, () => [0.3, 0.7]) }
       }`,
      columnSignature(['x']),
    )
    const m = await load(dir)
    const p = await m.predict(columnsInput([[1], [0]], ['x']), {})
    expect(p.orient).toBe('records')
    expect(p.outputs.find((o) => o.name === 'label')!.data).toEqual(['UP', 'DOWN'])
    expect(p.outputs.find((o) => o.name === 'probabilities')!.shape).toEqual([2, 2])
  })

  it('validates a model with its input example, or a synthetic row, before it serves', async () => {
    const withExample = await load(
      await writeLogisticModel(join(root, 'ex'), [1, 1], 0, { example: [{ f0: 1, f1: 2 }] }),
    )
    await expect(validateModel(withExample, join(root, 'ex'))).resolves.toBe('example')
    const without = await load(await writeLogisticModel(join(root, 'plain'), [1, 1], 0))
    await expect(validateModel(without, join(root, 'plain'))).resolves.toBe('synthetic')
  })

  it('fails validation when the model throws on its example', async () => {
    const dir = await writeJsFolder(
      join(root, 'broken'),
      `export function load() { return null }
       export function predict() { throw new Error('weights not found') }`,
      columnSignature(['x']),
    )
    const m = await load(dir)
    await expect(validateModel(m, dir)).rejects.toThrow(/synthetic row: weights not found/)
  })
})

describe('float16 conversion', () => {
  it('rounds to the nearest half-precision value', () => {
    expect(toHalf(1)).toBe(0x3c00)
    expect(toHalf(-2)).toBe(0xc000)
    expect(toHalf(65504)).toBe(0x7bff)
    expect(toHalf(1e6)).toBe(0x7c00)
    expect(toHalf(2 ** -24)).toBe(0x0001)
    expect(toHalf(0.1)).toBe(0x2e66)
  })
})
