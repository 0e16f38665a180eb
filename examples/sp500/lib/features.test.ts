import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parsePriceCsv, type PriceRow } from './data.js'
import { computeFeatures, featureNames, featuresFromCsv, featuresToCsv } from './features.js'

const CSV = fileURLToPath(new URL('../../../node_modules/vega-datasets/data/sp500-2000.csv', import.meta.url))
const table = parsePriceCsv(readFileSync(CSV, 'utf8'))
const ALL = { open: true, high: true, low: true, volume: true }

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('features of the S&P 500 data', () => {
  const full = computeFeatures(table.rows, table.columns)

  it('computes every feature the data allows, volume z-score included, after a 50-day warm-up', () => {
    expect(full.names).toEqual([
      'ret_1d',
      'ret_5d',
      'ret_10d',
      'ret_20d',
      'ma_ratio_5',
      'ma_ratio_20',
      'ma_ratio_50',
      'volatility_10',
      'volatility_20',
      'rsi_14',
      'hl_range',
      'volume_z_20',
    ])
    expect(full.rows[0]!.date).toBe(table.rows[49]!.date)
    expect(full.rows.length).toBe(table.rows.length - 49)
    for (const r of full.rows) {
      expect(r.values.every(Number.isFinite)).toBe(true)
      const rsi = r.values[9]!
      expect(rsi).toBeGreaterThanOrEqual(0)
      expect(rsi).toBeLessThanOrEqual(100)
    }
  })

  it("labels each day UP exactly when the next day's close is higher, and leaves the last day unlabelled", () => {
    const at = new Map(table.rows.map((r, i) => [r.date, i]))
    for (const r of full.rows.slice(0, -1)) {
      const i = at.get(r.date)!
      expect(r.label).toBe(table.rows[i + 1]!.close > table.rows[i]!.close ? 1 : 0)
    }
    expect(full.rows.at(-1)!.label).toBeNull()
    expect(full.rows.at(-1)!.date).toBe(table.rows.at(-1)!.date)
  })

  it('matches hand-computed values for one day', () => {
    const i = 1000
    const row = full.rows.find((r) => r.date === table.rows[i]!.date)!
    const c = (k: number): number => table.rows[i - k]!.close
    expect(row.values[0]).toBeCloseTo(c(0) / c(1) - 1, 12)
    expect(row.values[3]).toBeCloseTo(c(0) / c(20) - 1, 12)
    const ma5 = [0, 1, 2, 3, 4].reduce((s, k) => s + c(k), 0) / 5
    expect(row.values[4]).toBeCloseTo(c(0) / ma5 - 1, 12)
    const p = table.rows[i]!
    expect(row.values[10]).toBeCloseTo((p.high! - p.low!) / p.close, 12)
  })

  it('never looks ahead: rewriting every day after a cut leaves the features of the days up to it unchanged', () => {
    const rnd = random(11)
    for (const cut of [60, 300, 2500, table.rows.length - 2]) {
      const changed: PriceRow[] = table.rows.map((r, i) =>
        i <= cut
          ? r
          : {
              ...r,
              open: r.open! * (0.5 + rnd()),
              high: r.high! * (1 + rnd()),
              low: r.low! * (0.5 + rnd() / 2),
              close: r.close * (0.5 + rnd()),
              volume: Math.round(r.volume! * (0.1 + 3 * rnd())),
            },
      )
      const other = computeFeatures(changed, table.columns)
      const cutDate = table.rows[cut]!.date
      const before = full.rows.filter((r) => r.date <= cutDate)
      expect(other.rows.slice(0, before.length).map((r) => [r.date, r.values])).toEqual(
        before.map((r) => [r.date, r.values]),
      )
      // Labels look one day ahead by definition: only the cut day's label may change.
      expect(other.rows.slice(0, before.length - 1).map((r) => r.label)).toEqual(
        before.slice(0, -1).map((r) => r.label),
      )
    }
  })

  it('gives the same rows for a prefix of the data as for the whole data (no future-dependent normalization)', () => {
    for (const n of [51, 120, 3000]) {
      const prefix = computeFeatures(table.rows.slice(0, n), table.columns)
      expect(prefix.rows.map((r) => r.values)).toEqual(
        full.rows.slice(0, prefix.rows.length).map((r) => r.values),
      )
      expect(prefix.rows.at(-1)!.label).toBeNull()
    }
  })

  it('round-trips through features.csv exactly', () => {
    const back = featuresFromCsv(featuresToCsv(full))
    expect(back).toEqual(full)
  })
})

describe('features of data with fewer columns', () => {
  it('leaves out the volume z-score without volume and the range without high/low', () => {
    expect(featureNames({ ...ALL, volume: false })).not.toContain('volume_z_20')
    expect(featureNames({ ...ALL, high: false })).not.toContain('hl_range')
    const closeOnly = parsePriceCsv(
      ['date,price', ...table.rows.slice(0, 80).map((r) => `${r.date},${r.close}`)].join('\n'),
    )
    const ft = computeFeatures(closeOnly.rows, closeOnly.columns)
    expect(ft.names).toEqual(featureNames({ open: false, high: false, low: false, volume: false }))
    expect(ft.rows).toHaveLength(80 - 49)
  })

  it('has no rows when the data is shorter than the warm-up', () => {
    expect(computeFeatures(table.rows.slice(0, 49), table.columns).rows).toEqual([])
  })
})
