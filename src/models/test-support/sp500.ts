/**
 * Real data for the learner and export tests: the daily S&P 500 closes 2000–2020 that the
 * `vega-datasets` package ships (sp500-2000.csv), turned into a few standardized features.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export interface Sp500Day {
  date: string
  close: number
  volume: number
}

export function readSp500(): Sp500Day[] {
  // The package's exports map hides data/, so find it beside the package's entry.
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  const csv = readFileSync(join(dirname(entry), '..', 'data', 'sp500-2000.csv'), 'utf8')
  const [header, ...lines] = csv.trim().split('\n')
  const cols = header!.split(',')
  const at = (name: string): number => cols.indexOf(name)
  return lines.map((line) => {
    const v = line.split(',')
    return { date: v[at('date')]!, close: Number(v[at('adjclose')]), volume: Number(v[at('volume')]) }
  })
}

export const FEATURE_NAMES = [
  'ret_1d',
  'ret_5d',
  'ret_20d',
  'ma_ratio_10',
  'ma_ratio_50',
  'vol_20d',
  'volume_ratio_20',
] as const

export interface Sp500Features {
  names: string[]
  /** Standardized features, one row per day that has 50 days of history and a next day. */
  x: number[][]
  /** The next day's return. */
  nextReturn: number[]
  /** UP when the next day's return is positive. */
  direction: ('UP' | 'DOWN')[]
  /** 0 (down more than 0.5%), 1 (within ±0.5%), 2 (up more than 0.5%). */
  move: number[]
}

const meanOf = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length

export function sp500Features(days = readSp500()): Sp500Features {
  const close = days.map((d) => d.close)
  const ret = close.map((c, i) => (i === 0 ? 0 : c / close[i - 1]! - 1))
  const raw: number[][] = []
  const nextReturn: number[] = []
  for (let i = 50; i < days.length - 1; i++) {
    const window = (k: number): number[] => close.slice(i - k + 1, i + 1)
    const rets20 = ret.slice(i - 19, i + 1)
    const m = meanOf(rets20)
    raw.push([
      ret[i]!,
      close[i]! / close[i - 5]! - 1,
      close[i]! / close[i - 20]! - 1,
      close[i]! / meanOf(window(10)) - 1,
      close[i]! / meanOf(window(50)) - 1,
      Math.sqrt(meanOf(rets20.map((r) => (r - m) ** 2))),
      days[i]!.volume / meanOf(days.slice(i - 19, i + 1).map((d) => d.volume)),
    ])
    nextReturn.push(ret[i + 1]!)
  }
  const f = raw[0]!.length
  const mu = Array.from({ length: f }, (_, j) => meanOf(raw.map((r) => r[j]!)))
  const sd = Array.from({ length: f }, (_, j) => Math.sqrt(meanOf(raw.map((r) => (r[j]! - mu[j]!) ** 2))))
  return {
    names: [...FEATURE_NAMES],
    x: raw.map((r) => r.map((v, j) => (v - mu[j]!) / sd[j]!)),
    nextReturn,
    direction: nextReturn.map((r) => (r > 0 ? 'UP' : 'DOWN')),
    move: nextReturn.map((r) => (r < -0.005 ? 0 : r > 0.005 ? 2 : 1)),
  }
}
