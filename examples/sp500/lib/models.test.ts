import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runExport } from '../../../src/models/test-support/onnx-run.js'
import { parsePriceCsv } from './data.js'
import { computeFeatures } from './features.js'
import { DEFAULT_HYPER, MODEL_FAMILIES, trainModel } from './models.js'
import { timeSplit, xOf, yOf } from './split.js'

const CSV = fileURLToPath(new URL('../../../node_modules/vega-datasets/data/sp500-2000.csv', import.meta.url))
const table = parsePriceCsv(readFileSync(CSV, 'utf8'))
const ft = computeFeatures(table.rows, table.columns)
const split = timeSplit(ft.rows, 0.15, 0.15)

describe('model families', () => {
  it.each(MODEL_FAMILIES)(
    '%s: the ONNX export on raw features answers what the trained model answers',
    async (family) => {
      const model = trainModel(family, xOf(split.train), yOf(split.train), { ...DEFAULT_HYPER, nTrees: 15 })
      const rows = xOf(split.val.slice(0, 200))
      const want = model.predictUp(rows)
      const got = await runExport(model.toOnnx(), rows)
      const up = got.probabilities!.map((p) => p[1]!)
      for (let i = 0; i < rows.length; i++) expect(Math.abs(up[i]! - want[i]!)).toBeLessThan(1e-5)
      expect(got.label).toEqual(Array.from(want, (p) => (p > 0.5 ? 1 : 0)))
      // Not a constant: the model separates days.
      expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.01)
    },
  )

  it('splits by time: training days, then validation days, then test days, none shared', () => {
    expect(split.train.at(-1)!.date < split.val[0]!.date).toBe(true)
    expect(split.val.at(-1)!.date < split.test[0]!.date).toBe(true)
    const labelled = ft.rows.filter((r) => r.label !== null).length
    expect(split.train.length + split.val.length + split.test.length).toBe(labelled)
    expect(split.test.length).toBe(Math.round(labelled * 0.15))
    expect(() => timeSplit(ft.rows.slice(0, 100), 0.15, 0.15)).toThrow(
      'the val period has 15 days; at least 30 are needed',
    )
    expect(() => timeSplit(ft.rows, 0.5, 0.45)).toThrow(
      'must be above 0 and leave at least 10% of the days for training',
    )
  })
})
