import { describe, expect, it } from 'vitest'
import { mlflowPredictionsJson, pyFloat } from './output-format.js'

describe("MLflow's answer format", () => {
  it("spells floats as Python's repr does", () => {
    expect([1, -2, 0, 0.5, 1e-5, 1.5e16, 1e-7, 123.25, 0.0001].map(pyFloat)).toEqual([
      '1.0',
      '-2.0',
      '0.0',
      '0.5',
      '1e-05',
      '1.5e+16',
      '1e-07',
      '123.25',
      '0.0001',
    ])
    expect([NaN, Infinity].map(pyFloat)).toEqual(['null', 'null'])
  })

  it('writes one output as a list and several as records, with json.dumps spacing', () => {
    const label = { name: 'label', dtype: 'int64' as const, shape: [2], data: BigInt64Array.from([1n, 0n]) }
    const proba = {
      name: 'probabilities',
      dtype: 'float32' as const,
      shape: [2, 2],
      data: Float32Array.from([0.25, 0.75, 1, 0]),
    }
    expect(mlflowPredictionsJson({ rows: 2, outputs: [label], orient: 'records' })).toBe(
      '{"predictions": [1, 0]}',
    )
    expect(mlflowPredictionsJson({ rows: 2, outputs: [label, proba], orient: 'records' })).toBe(
      '{"predictions": [{"label": 1, "probabilities": [0.25, 0.75]}, {"label": 0, "probabilities": [1.0, 0.0]}]}',
    )
    expect(mlflowPredictionsJson({ rows: 2, outputs: [label, proba], orient: 'tensors' })).toBe(
      '{"predictions": {"label": [1, 0], "probabilities": [[0.25, 0.75], [1.0, 0.0]]}}',
    )
  })
})
