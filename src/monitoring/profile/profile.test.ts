import { describe, expect, it } from 'vitest'
import { datasetDrift } from '../drift/dataset.js'
import { tableFromColumns } from '../table/table.js'
import { computeProfile, sampleRows } from './profile.js'
import { parseProfile, referenceFromProfile, serializeProfile } from './serialize.js'

const range = <T = number>(n: number, f: (i: number) => T = (i) => (i + 1) as T): T[] =>
  Array.from({ length: n }, (_, i) => f(i))

describe('computeProfile', () => {
  const table = tableFromColumns({
    x: [...range(100), NaN, Infinity],
    city: [...range(100, (i) => ['a', 'b', 'b', 'c'][i % 4]!).map(String), '', 'a'],
    id: range(102, (i) => i * 7),
  })
  const profile = computeProfile(table, { target: 'id', now: new Date(0) })

  it('counts rows, missing values, non-finite values and distinct values', () => {
    const [x, city, id] = profile.columns
    expect(profile.rowCount).toBe(102)
    expect(x).toMatchObject({
      type: 'numerical',
      count: 102,
      missing: 1,
      distinct: 100,
      unique: false,
      role: 'feature',
    })
    expect(x!.missingShare).toBeCloseTo(1 / 102, 15)
    expect(x!.numerical!.nonFinite).toBe(1)
    expect(city).toMatchObject({ type: 'categorical', missing: 1, distinct: 3, unique: false })
    expect(id).toMatchObject({ unique: true, role: 'target' })
  })

  it('computes min, max, mean, population std and numpy linear quantiles of the finite values', () => {
    const s = profile.columns[0]!.numerical!
    expect([s.min, s.max, s.mean]).toEqual([1, 100, 50.5])
    expect(s.std).toBeCloseTo(Math.sqrt((100 * 100 - 1) / 12), 12)
    // numpy.quantile(1..100, q): (n − 1)q = 24.75 → 25 + 0.75 · (26 − 25)
    expect(s.quantiles['0.25']).toBeCloseTo(25.75, 12)
    expect(s.quantiles['0.5']).toBeCloseTo(50.5, 12)
    expect(s.quantiles['0.99']).toBeCloseTo(99.01, 12)
    expect([s.quantiles['0'], s.quantiles['1']]).toEqual([1, 100])
  })

  it('bins the histogram with Sturges edges over the finite values', () => {
    const h = profile.columns[0]!.numerical!.histogram!
    // log2(100) + 1 = 7.64 → width 99 / 7.64 → 8 bins of 99 / 8.
    expect(h.edges).toHaveLength(9)
    expect(h.edges[0]).toBe(1)
    expect(h.edges[8]).toBe(100)
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(100)
    expect(h.counts[0]).toBe(13) // 1 ≤ x < 13.375
  })

  it('lists categories by frequency with shares', () => {
    expect(profile.columns[1]!.categorical!.categories).toEqual([
      { value: 'b', count: 50, share: 50 / 101 },
      { value: 'a', count: 26, share: 26 / 101 },
      { value: 'c', count: 25, share: 25 / 101 },
    ])
  })

  it('keeps the top categories only and counts the rest together', () => {
    const p = computeProfile(tableFromColumns({ k: range(10, (i) => i % 5).map((i) => `v${i}`) }), {
      maxCategories: 2,
    })
    expect(p.columns[0]!.categorical!.categories).toHaveLength(2)
    expect(p.columns[0]!.categorical!.otherCount).toBe(6)
  })

  it('reads numeric columns as categories when asked, and marks predictions', () => {
    const p = computeProfile(tableFromColumns({ y: [0, 1, 1], p: [1, 1, 0] }), {
      categorical: ['y'],
      prediction: 'p',
    })
    expect(p.columns[0]!.type).toBe('categorical')
    expect(p.columns[1]!.role).toBe('prediction')
    expect(p.prediction).toEqual(['p'])
  })

  it('refuses a target that is not a column', () => {
    expect(() => computeProfile(table, { target: 'nope' })).toThrow(/'nope' is not in the data/)
  })
})

describe('profile as a drift reference', () => {
  const reference = tableFromColumns({
    a: range(3000, (i) => Math.sin(i) * 10),
    k: range(3000, (i) => i % 7).map((i) => `k${i}`),
    n: range(3000, (i) => i % 4),
  })
  const current = tableFromColumns({
    a: range(500, (i) => Math.sin(i) * 10 + 1),
    k: range(500, (i) => i % 5).map((i) => `k${i}`),
    n: range(500, (i) => i % 3),
  })

  it('survives JSON and gives the same drift as the table when nothing was sampled', () => {
    const profile = parseProfile(serializeProfile(computeProfile(reference)))
    expect(profile.columns.every((c) => !c.drift.sampled)).toBe(true)
    expect(datasetDrift(referenceFromProfile(profile), current)).toEqual(datasetDrift(reference, current))
  })

  it('keeps a seeded random sample of a column with many distinct values', () => {
    const p1 = computeProfile(reference, { driftSampleSize: 1000, seed: 7 })
    const p2 = computeProfile(reference, { driftSampleSize: 1000, seed: 7 })
    const a = p1.columns[0]!.drift
    expect(a.sampled).toBe(true)
    expect(a.rows).toBe(1000)
    expect(a.counts.reduce((x, y) => x + y, 0)).toBe(1000)
    expect(p2.columns[0]!.drift).toEqual(a)
    expect(p1.columns[2]!.drift.sampled).toBe(false)
  })

  it('samples distinct ascending rows', () => {
    const rows = sampleRows(100, 30, 3)
    expect(new Set(rows).size).toBe(30)
    expect(Array.from(rows)).toEqual(Array.from(rows).sort((x, y) => x - y))
    expect(Math.max(...rows)).toBeLessThan(100)
  })

  it('rejects documents that are not version 1 profiles, naming the problem', () => {
    expect(() => parseProfile('{"format":"cairn.profile","version":2}')).toThrow(/version 2 is not supported/)
    expect(() => parseProfile('{"a":1}')).toThrow(/not a Cairn profile/)
    expect(() => parseProfile('{oops')).toThrow(/not valid JSON/)
    const p = computeProfile(reference)
    const broken = {
      ...p,
      columns: [{ ...p.columns[0], drift: { kind: 'numerical', values: [1], counts: [], rows: 1 } }],
    }
    expect(() => parseProfile(broken)).toThrow(/columns\[0\] \('a'\) has a malformed drift sample/)
  })
})
