/**
 * Evidently's get_binned_data: the bins PSI, Jensen–Shannon and chi-squared share.
 * Numerical columns whose reference has more than 20 distinct values get a histogram with numpy's
 * Sturges edges on reference ∪ current; everything else gets one bin per distinct value.
 */
import { compareCodePoints, type CategoryCounts } from './category-counts.js'
import type { ValueCounts } from './value-counts.js'

export const HISTOGRAM_MIN_REFERENCE_UNIQUE = 20
export const FILL_DEFAULT = 0.0001
export const FILL_DIVISOR = 1e6

export interface Binning {
  mode: 'histogram' | 'categories'
  /** Histogram edges (n_bins + 1), for mode 'histogram'. */
  edges?: Float64Array
  /** Bin labels sorted ascending (numbers numerically, strings by code point), for mode 'categories'. */
  categories?: (number | string)[]
  referenceCounts: Float64Array
  currentCounts: Float64Array
  referenceTotal: number
  currentTotal: number
}

/**
 * numpy's histogram_bin_edges(values, bins='sturges') for data with the given min, max and size:
 * n_bins = ceil(range / width) in floating point (not always ceil(log2(N) + 1)), linspace edges
 * with the last edge exactly the max.
 */
export function sturgesEdges(min: number, max: number, size: number): Float64Array {
  const width = (max - min) / (Math.log2(size) + 1)
  let first = min
  let last = max
  if (first === last) {
    first -= 0.5
    last += 0.5
  }
  const nBins = width ? Math.ceil((last - first) / width) : 1
  const step = (last - first) / nBins
  const edges = new Float64Array(nBins + 1)
  for (let i = 0; i < nBins; i++) edges[i] = i * step + first
  edges[nBins] = last
  return edges
}

/**
 * Counts per histogram bin: bin i holds edges[i] ≤ x < edges[i+1], the last bin also its right
 * edge. The index is found as numpy does (scaled offset, then corrected against the edges).
 */
export function histogramCounts(vc: ValueCounts, edges: Float64Array): Float64Array {
  const nBins = edges.length - 1
  const first = edges[0]!
  const last = edges[nBins]!
  const norm = nBins / (last - first)
  const out = new Float64Array(nBins)
  for (let k = 0; k < vc.values.length; k++) {
    const x = vc.values[k]!
    if (x < first || x > last) continue
    let i = Math.floor((x - first) * norm)
    if (i >= nBins) i = nBins - 1
    if (x < edges[i]!) i--
    else if (i !== nBins - 1 && x >= edges[i + 1]!) i++
    out[i]! += vc.counts[k]!
  }
  return out
}

function valueRange(a: ValueCounts, b: ValueCounts): [number, number] {
  const mins = [a.values[0], b.values[0]].filter((v): v is number => v !== undefined)
  const maxs = [a.values[a.values.length - 1], b.values[b.values.length - 1]].filter(
    (v): v is number => v !== undefined,
  )
  return [Math.min(...mins), Math.max(...maxs)]
}

export function numericBinning(reference: ValueCounts, current: ValueCounts): Binning {
  const totals = { referenceTotal: reference.total, currentTotal: current.total }
  if (reference.values.length > HISTOGRAM_MIN_REFERENCE_UNIQUE) {
    const [min, max] = valueRange(reference, current)
    const edges = sturgesEdges(min, max, reference.total + current.total)
    return {
      mode: 'histogram',
      edges,
      referenceCounts: histogramCounts(reference, edges),
      currentCounts: histogramCounts(current, edges),
      ...totals,
    }
  }
  const categories: number[] = []
  const rc: number[] = []
  const cc: number[] = []
  let i = 0
  let j = 0
  while (i < reference.values.length || j < current.values.length) {
    const va = i < reference.values.length ? reference.values[i]! : Infinity
    const vb = j < current.values.length ? current.values[j]! : Infinity
    const x = Math.min(va, vb)
    categories.push(x)
    rc.push(va === x ? reference.counts[i++]! : 0)
    cc.push(vb === x ? current.counts[j++]! : 0)
  }
  return {
    mode: 'categories',
    categories,
    referenceCounts: Float64Array.from(rc),
    currentCounts: Float64Array.from(cc),
    ...totals,
  }
}

export function categoricalBinning(reference: CategoryCounts, current: CategoryCounts): Binning {
  const index = new Map<string, [number, number]>()
  reference.categories.forEach((c, k) => index.set(c, [reference.counts[k]!, 0]))
  current.categories.forEach((c, k) => {
    const e = index.get(c)
    if (e) e[1] += current.counts[k]!
    else index.set(c, [0, current.counts[k]!])
  })
  const categories = [...index.keys()].sort(compareCodePoints)
  return {
    mode: 'categories',
    categories,
    referenceCounts: Float64Array.from(categories, (c) => index.get(c)![0]),
    currentCounts: Float64Array.from(categories, (c) => index.get(c)![1]),
    referenceTotal: reference.total,
    currentTotal: current.total,
  }
}

export function shares(counts: Float64Array, total: number): Float64Array {
  return counts.map((c) => c / total)
}

/**
 * Evidently's zero fill, applied to one share vector on its own: zeros become m / 1e6 when the
 * smallest non-zero share m ≤ 0.0001, else 0.0001. No renormalisation.
 */
export function fillZeros(s: Float64Array): { filled: Float64Array; fillValue: number | null } {
  let m = Infinity
  let zeros = false
  for (const v of s) {
    if (v === 0) zeros = true
    else if (v < m) m = v
  }
  if (!zeros || m === Infinity) return { filled: s.slice(), fillValue: null }
  const fillValue = m <= FILL_DEFAULT ? m / FILL_DIVISOR : FILL_DEFAULT
  return { filled: s.map((v) => (v === 0 ? fillValue : v)), fillValue }
}
