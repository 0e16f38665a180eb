import { describe, expect, it } from 'vitest'
import type { FeatureRow, FeatureTable } from './features.js'
import { timeSplit } from './split.js'
import {
  describePeriod,
  featureColumns,
  featureColumnsCsv,
  parsePeriod,
  selectPeriod,
  trainingRows,
} from './windows.js'

const day = (i: number): string => new Date(Date.UTC(2008, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)
const rows: FeatureRow[] = Array.from({ length: 400 }, (_, i) => ({
  date: day(i),
  close: 100 + i,
  values: [i, i / 10],
  label: i === 399 ? null : ((i % 2) as 0 | 1),
}))
const table: FeatureTable = { names: ['a', 'b'], rows }

describe('periods', () => {
  it('reads last-N and FROM..TO with either end open', () => {
    expect(parsePeriod('last-250')).toEqual({ kind: 'last', days: 250 })
    expect(parsePeriod(' 2008-01-01..2008-12-31 ')).toEqual({
      kind: 'range',
      from: '2008-01-01',
      to: '2008-12-31',
    })
    expect(parsePeriod('2019-01-01..')).toEqual({ kind: 'range', from: '2019-01-01', to: '9999-12-31' })
    expect(parsePeriod('..2001-06-30')).toEqual({ kind: 'range', from: '', to: '2001-06-30' })
  })

  it('refuses anything else, saying what a period is', () => {
    for (const bad of ['last-0', 'last', '2008', '..', '2009-01-01..2008-01-01', '2008-1-1..2008-12-31'])
      expect(() => parsePeriod(bad), bad).toThrow('give last-N (the newest N trading days) or FROM..TO')
  })

  it('selects the newest days, the unlabelled last day included, or the days of a range inclusively', () => {
    const last = selectPeriod(rows, parsePeriod('last-3'))
    expect(last.map((r) => r.date)).toEqual([day(397), day(398), day(399)])
    expect(last.at(-1)!.label).toBeNull()
    expect(selectPeriod(rows, parsePeriod('last-1000'))).toHaveLength(400)
    const range = selectPeriod(rows, parsePeriod(`${day(10)}..${day(12)}`))
    expect(range.map((r) => r.date)).toEqual([day(10), day(11), day(12)])
    expect(describePeriod(parsePeriod('last-3'))).toBe('the newest 3 trading days')
  })

  it('names the data span when a period holds no day', () => {
    expect(() => selectPeriod(rows, parsePeriod('2020-01-01..2020-12-31'))).toThrow(
      `no feature rows in the period 2020-01-01..2020-12-31 (the data has ${day(0)} → ${day(399)})`,
    )
  })
})

describe('the training period and feature columns', () => {
  it("is the time-ordered split's training part", () => {
    expect(trainingRows(table, 0.15, 0.15)).toEqual(timeSplit(rows, 0.15, 0.15).train)
    // 399 labelled days: 40 test, 80 validation, the oldest 279 train.
    expect(trainingRows(table, 0.2, 0.1).at(-1)!.date).toBe(day(278))
  })

  it('keeps only the feature columns, numbers exact', () => {
    const few = rows.slice(0, 2)
    expect(featureColumns(table, few)).toEqual({ a: [0, 1], b: [0, 0.1] })
    expect(featureColumnsCsv(table, few)).toBe('a,b\n0,0\n1,0.1\n')
  })
})
