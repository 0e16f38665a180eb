import { describe, expect, it } from 'vitest'
import { tableFromColumns } from '../table/table.js'
import { datasetDrift } from './dataset.js'
import { prepareReference } from './sample.js'

const seq = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i))
// A deterministic spread of values (no RNG needed): i * golden ratio mod 1.
const spread = (n: number, shift = 0): number[] => seq(n, (i) => ((i * 0.6180339887498949) % 1) + shift)

describe('datasetDrift', () => {
  const reference = tableFromColumns({
    a: spread(500),
    b: spread(500),
    c: seq(500, (i) => (i % 3 === 0 ? 'x' : 'y')).map(String),
  })

  it('reports no drift for a copy of the reference and picks KS for small numerical references', () => {
    const r = datasetDrift(reference, reference)
    expect(r.datasetDrift).toBe(false)
    expect(r.verdict).toBe('no_drift')
    expect(r.columns.map((c) => c.method)).toEqual(['ks', 'ks', 'z'])
    expect(r.columns.every((c) => c.score !== null)).toBe(true)
  })

  it('drifts the dataset when at least half of the columns drift', () => {
    const current = tableFromColumns({ a: spread(400, 0.5), b: spread(400), c: seq(400, () => 'x') })
    const r = datasetDrift(reference, current)
    expect(r.columns.map((c) => c.verdict)).toEqual(['drift', 'no_drift', 'drift'])
    expect(r.numberOfDriftedColumns).toBe(2)
    expect(r.shareOfDriftedColumns).toBeCloseTo(2 / 3)
    expect(r.datasetDrift).toBe(true)
    expect(datasetDrift(reference, current, { driftShare: 0.9 }).datasetDrift).toBe(false)
  })

  it('applies per-column, per-type and global methods and thresholds in that order', () => {
    const current = tableFromColumns({
      a: spread(400, 0.05),
      b: spread(400, 0.05),
      c: seq(400, (i) => (i % 2 ? 'x' : 'y')),
    })
    const r = datasetDrift(reference, current, {
      method: 'psi',
      numericalMethod: 'wasserstein',
      numericalThreshold: 0.5,
      perColumn: { b: { method: 'ks', threshold: 0.01 } },
    })
    expect(r.columns.map((c) => [c.column, c.method, c.threshold])).toEqual([
      ['a', 'wasserstein', 0.5],
      ['b', 'ks', 0.01],
      ['c', 'psi', 0.1],
    ])
  })

  it('reports a column missing from the current data as drift with an explanation', () => {
    const current = tableFromColumns({ a: spread(100), c: seq(100, () => 'y') })
    const b = datasetDrift(reference, current).columns.find((c) => c.column === 'b')!
    expect(b.verdict).toBe('drift')
    expect(b.score).toBeNull()
    expect(b.explanation).toMatch(/missing from the current data/)
  })

  it('leaves every column undetermined for an empty window, never "no drift"', () => {
    const current = tableFromColumns({ a: [], b: [], c: [] as string[] })
    const r = datasetDrift(reference, current)
    expect(r.columns.every((c) => c.verdict === 'undetermined' && c.score === null)).toBe(true)
    expect(r.verdict).toBe('undetermined')
    expect(r.shareOfDriftedColumns).toBeNull()
    expect(r.datasetDrift).toBe(false)
    expect(r.explanation).toMatch(/no rows/)
  })

  it('calls an all-missing current column drift, and an all-missing pair undetermined', () => {
    const ref = tableFromColumns({ v: spread(50), w: seq(50, () => NaN) })
    const cur = tableFromColumns({ v: seq(20, () => NaN), w: seq(20, () => NaN) })
    const [v, w] = datasetDrift(ref, cur).columns
    expect(v!.verdict).toBe('drift')
    expect(v!.explanation).toMatch(/all 20 current values are missing/)
    expect(w!.verdict).toBe('undetermined')
    expect(w!.explanation).toMatch(/every value is missing/)
  })

  it('reads numbers written as text in the current data, and calls real text a type change', () => {
    const ref = tableFromColumns({ v: spread(50) })
    const asText = tableFromColumns({ v: spread(50).map(String) })
    expect(datasetDrift(ref, asText).columns[0]!.verdict).toBe('no_drift')
    const words = tableFromColumns({ v: seq(50, () => 'n/a') })
    const r = datasetDrift(ref, words).columns[0]!
    expect(r.verdict).toBe('drift')
    expect(r.explanation).toMatch(/numerical but the current one holds text \(e.g. 'n\/a'\)/)
  })

  it('gives a single-category column a defined p = 1 instead of NaN', () => {
    const ref = tableFromColumns({ k: seq(30, () => 'only') })
    const r = datasetDrift(ref, ref, { method: 'chisquare' }).columns[0]!
    expect(r.score).toBe(1)
    expect(r.definedResult).toBe(true)
    expect(r.verdict).toBe('no_drift')
  })

  it('refuses a numerical-only test on a categorical column with an explanation', () => {
    const r = datasetDrift(reference, reference, { perColumn: { c: { method: 'ks' } } }).columns[2]!
    expect(r.verdict).toBe('undetermined')
    expect(r.explanation).toMatch(/needs a numerical column/)
  })

  it('reads a numeric column as categories when told to', () => {
    const ref = tableFromColumns({ label: seq(200, (i) => i % 2) })
    const r = datasetDrift(ref, ref, { perColumn: { label: { columnType: 'categorical' } } }).columns[0]!
    expect(r.columnType).toBe('categorical')
    expect(r.method).toBe('z')
  })

  it('rejects unknown methods and bad thresholds', () => {
    expect(() => datasetDrift(reference, reference, { method: 'nope' as never })).toThrow(
      /Unknown drift method 'nope'/,
    )
    expect(() => datasetDrift(reference, reference, { threshold: -1 })).toThrow(/threshold/)
    expect(() => datasetDrift(reference, reference, { columns: ['zz'] })).toThrow(/not in the reference/)
  })

  it('gives the same answer from a prepared reference as from the table', () => {
    const current = tableFromColumns({ a: spread(300, 0.1), b: spread(300), c: seq(300, () => 'y') })
    expect(datasetDrift(prepareReference(reference), current)).toEqual(datasetDrift(reference, current))
  })
})
