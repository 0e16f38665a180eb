/**
 * A numeric sample as its distinct values (ascending) with their counts: the form KS, Wasserstein,
 * and the per-value binning all want, and much smaller than the sample when values repeat.
 * Non-finite values (NaN, ±Infinity) are dropped first, as Evidently does before every test.
 */
import { sortInPlace } from './sort.js'

export interface ValueCounts {
  readonly values: Float64Array
  readonly counts: Float64Array
  /** Σ counts: the number of finite values. */
  readonly total: number
}

/** Integer-valued samples spanning at most this many values are counted, not sorted. */
const COUNTING_MAX_SPAN = 1 << 22

export function valueCounts(sample: Float64Array): ValueCounts {
  let n = 0
  let min = Infinity
  let max = -Infinity
  let integral = true
  for (let i = 0; i < sample.length; i++) {
    const v = sample[i]!
    if (v - v !== 0) continue // NaN or ±Infinity
    n++
    if (v < min) min = v
    if (v > max) max = v
    if (integral && Math.floor(v) !== v) integral = false
  }
  if (n === 0) return { values: new Float64Array(0), counts: new Float64Array(0), total: 0 }
  const span = max - min + 1
  if (integral && span <= COUNTING_MAX_SPAN && span <= 4 * n + 65536) return countIntegers(sample, min, span)
  const finite = new Float64Array(n)
  let j = 0
  for (let i = 0; i < sample.length; i++) {
    const v = sample[i]!
    if (v - v === 0) finite[j++] = v
  }
  return runLengths(sortInPlace(finite))
}

function countIntegers(sample: Float64Array, min: number, span: number): ValueCounts {
  const bins = new Int32Array(span)
  let total = 0
  for (let i = 0; i < sample.length; i++) {
    const v = sample[i]!
    if (v - v !== 0) continue
    bins[v - min]!++
    total++
  }
  let distinct = 0
  for (let k = 0; k < span; k++) if (bins[k] !== 0) distinct++
  const values = new Float64Array(distinct)
  const counts = new Float64Array(distinct)
  let j = 0
  for (let k = 0; k < span; k++) {
    const c = bins[k]!
    if (c === 0) continue
    // -0 and 0 are one value; the counted form reports 0.
    values[j] = k + min
    counts[j++] = c
  }
  return { values, counts, total }
}

/** Distinct values and counts of an ascending NaN-free array. */
export function runLengths(sorted: Float64Array): ValueCounts {
  const n = sorted.length
  let distinct = 0
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++
  const values = new Float64Array(distinct)
  const counts = new Float64Array(distinct)
  let j = -1
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!
    if (j < 0 || v !== values[j]) values[++j] = v
    counts[j]!++
  }
  return { values, counts, total: n }
}

export function fromSamples(values: readonly number[]): ValueCounts {
  return valueCounts(Float64Array.from(values))
}

/** Population mean and standard deviation (ddof = 0, as np.std) of a counted sample. */
export function meanStd(vc: ValueCounts): { mean: number; std: number } {
  if (vc.total === 0) return { mean: NaN, std: NaN }
  let sum = 0
  for (let i = 0; i < vc.values.length; i++) sum += vc.values[i]! * vc.counts[i]!
  const mean = sum / vc.total
  let ss = 0
  for (let i = 0; i < vc.values.length; i++) {
    const d = vc.values[i]! - mean
    ss += d * d * vc.counts[i]!
  }
  return { mean, std: Math.sqrt(ss / vc.total) }
}

/** The number of distinct values in the union of two counted samples. */
export function unionSize(a: ValueCounts, b: ValueCounts): number {
  let i = 0
  let j = 0
  let u = 0
  while (i < a.values.length || j < b.values.length) {
    const va = i < a.values.length ? a.values[i]! : Infinity
    const vb = j < b.values.length ? b.values[j]! : Infinity
    if (va <= vb) i++
    if (vb <= va) j++
    u++
  }
  return u
}
