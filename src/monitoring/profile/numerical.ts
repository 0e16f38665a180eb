/** Summary statistics of a numeric column from its counted distinct values. */
import { sturgesEdges, histogramCounts } from '../stats/binning.js'
import { Sum } from '../stats/divergence.js'
import type { ValueCounts } from '../stats/value-counts.js'
import type { NumericalSummary } from './types.js'

export const DEFAULT_QUANTILES = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]

/** The value of rank k (0-based) in the sorted sample. */
function rankValue(vc: ValueCounts, cumulative: Float64Array, k: number): number {
  let lo = 0
  let hi = cumulative.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (cumulative[mid]! > k) hi = mid
    else lo = mid + 1
  }
  return vc.values[lo]!
}

/** numpy.quantile(x, q) with the default 'linear' method. */
export function quantiles(vc: ValueCounts, qs: readonly number[]): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  if (vc.total === 0) {
    for (const q of qs) out[String(q)] = null
    return out
  }
  const cumulative = new Float64Array(vc.counts.length)
  let c = 0
  for (let i = 0; i < vc.counts.length; i++) cumulative[i] = c += vc.counts[i]!
  for (const q of qs) {
    const h = (vc.total - 1) * q
    const lo = Math.floor(h)
    const a = rankValue(vc, cumulative, lo)
    const b = lo + 1 < vc.total ? rankValue(vc, cumulative, lo + 1) : a
    out[String(q)] = a + (h - lo) * (b - a)
  }
  return out
}

export function numericalSummary(
  vc: ValueCounts,
  opts: { nonFinite: number; quantiles: readonly number[] },
): NumericalSummary {
  if (vc.total === 0) {
    return {
      nonFinite: opts.nonFinite,
      min: null,
      max: null,
      mean: null,
      std: null,
      zeros: 0,
      quantiles: quantiles(vc, opts.quantiles),
      histogram: null,
    }
  }
  const sum = new Sum()
  let zeros = 0
  for (let i = 0; i < vc.values.length; i++) {
    sum.add(vc.values[i]! * vc.counts[i]!)
    if (vc.values[i] === 0) zeros += vc.counts[i]!
  }
  const mean = sum.value / vc.total
  const ss = new Sum()
  for (let i = 0; i < vc.values.length; i++) {
    const d = vc.values[i]! - mean
    ss.add(d * d * vc.counts[i]!)
  }
  const min = vc.values[0]!
  const max = vc.values[vc.values.length - 1]!
  const edges = sturgesEdges(min, max, vc.total)
  return {
    nonFinite: opts.nonFinite,
    min,
    max,
    mean,
    std: Math.sqrt(ss.value / vc.total),
    zeros,
    quantiles: quantiles(vc, opts.quantiles),
    histogram: { edges: Array.from(edges), counts: Array.from(histogramCounts(vc, edges)) },
  }
}
