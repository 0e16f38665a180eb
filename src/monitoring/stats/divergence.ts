/**
 * The binned drift statistics, on a Binning (binning.ts): PSI, Jensen–Shannon distance,
 * Pearson's chi-squared (with Cairn's epsilon rule, and Evidently's raw form), the two-proportion
 * Z-test, and the Wasserstein distance on counted samples.
 */
import { fillZeros, shares, type Binning } from './binning.js'
import { chi2Sf, normSf } from './special.js'
import type { ValueCounts } from './value-counts.js'

/** Neumaier-compensated sum, so long sums match numpy's pairwise summation to ~1e-15. */
export class Sum {
  private s = 0
  private c = 0
  private special = 0
  add(x: number): void {
    if (!Number.isFinite(x)) {
      this.special += x
      return
    }
    const t = this.s + x
    this.c += Math.abs(this.s) >= Math.abs(x) ? this.s - t + x : x - t + this.s
    this.s = t
  }
  get value(): number {
    return this.special !== 0 || Number.isNaN(this.special) ? this.special : this.s + this.c
  }
}

export interface PsiResult {
  value: number
  terms: Float64Array
}

/** PSI = Σ (ref − cur) · ln(ref / cur) over every bin, on zero-filled shares. */
export function psi(b: Binning): PsiResult {
  const r = fillZeros(shares(b.referenceCounts, b.referenceTotal)).filled
  const c = fillZeros(shares(b.currentCounts, b.currentTotal)).filled
  const terms = new Float64Array(r.length)
  const sum = new Sum()
  for (let i = 0; i < r.length; i++) {
    terms[i] = (r[i]! - c[i]!) * Math.log(r[i]! / c[i]!)
    sum.add(terms[i]!)
  }
  return { value: sum.value, terms }
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y)
  if (x === 0 && y >= 0) return 0
  return Infinity
}

/** scipy.spatial.distance.jensenshannon on the unfilled shares, natural log: a distance in [0, √ln2]. */
export function jensenShannon(b: Binning): number {
  const p = shares(b.referenceCounts, b.referenceTotal)
  const q = shares(b.currentCounts, b.currentTotal)
  const sp = p.reduce((a, v) => a + v, 0)
  const sq = q.reduce((a, v) => a + v, 0)
  const left = new Sum()
  const right = new Sum()
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp
    const qi = q[i]! / sq
    const m = (pi + qi) / 2
    left.add(relEntr(pi, m))
    right.add(relEntr(qi, m))
  }
  return Math.sqrt((left.value + right.value) / 2)
}

export interface ChiSquareResult {
  statistic: number
  /** NaN with a single bin (0 degrees of freedom), as scipy. */
  pValue: number
  dof: number
  /** Indices into the binning of the bins used: those non-empty in at least one sample. */
  binsUsed: number[]
  observed: Float64Array
  expected: Float64Array
  epsilonApplied: boolean
}

/**
 * Pearson's chi-squared of the current counts against the reference shares. With `epsilon`
 * (Cairn's default), a used bin empty in the reference takes the PSI fill value and the used
 * shares are renormalised, so the statistic stays finite; without it, this is Evidently's
 * computation, infinite whenever a bin appears only in the current data.
 */
export function chiSquare(b: Binning, opts: { epsilon: boolean }): ChiSquareResult {
  const binsUsed: number[] = []
  for (let i = 0; i < b.referenceCounts.length; i++) {
    if (b.referenceCounts[i]! + b.currentCounts[i]! > 0) binsUsed.push(i)
  }
  const observed = Float64Array.from(binsUsed, (i) => b.currentCounts[i]!)
  const refUsed = binsUsed.map((i) => b.referenceCounts[i]!)
  const epsilonApplied = opts.epsilon && refUsed.some((c) => c === 0)
  let expected: Float64Array
  if (epsilonApplied) {
    const filled = fillZeros(shares(b.referenceCounts, b.referenceTotal)).filled
    const r = binsUsed.map((i) => filled[i]!)
    const sum = r.reduce((a, v) => a + v, 0)
    expected = Float64Array.from(r, (v) => b.currentTotal * (v / sum))
  } else {
    const ratio = b.currentTotal / b.referenceTotal
    expected = Float64Array.from(refUsed, (c) => c * ratio)
  }
  const stat = new Sum()
  for (let i = 0; i < observed.length; i++) {
    const d = observed[i]! - expected[i]!
    stat.add(expected[i] === 0 ? (d === 0 ? NaN : Infinity) : (d * d) / expected[i]!)
  }
  const statistic = stat.value
  const dof = observed.length - 1
  const pValue = statistic === Infinity ? 0 : chi2Sf(statistic, dof)
  return { statistic, pValue, dof, binsUsed, observed, expected, epsilonApplied }
}

export interface ZTestResult {
  categories: (number | string)[]
  successCategory: number | string | null
  pReference: number
  pCurrent: number
  pooled: number
  /** NaN when both samples hold the same single value (0/0). */
  statistic: number
  /** 2·Φ̄(|z|); NaN with the statistic. */
  pValue: number
}

/** Two-proportion Z-test; needs a categories binning with at most 2 bins. */
export function zTest(b: Binning): ZTestResult {
  const cats = b.categories ?? []
  if (b.mode !== 'categories' || cats.length > 2) throw new Error('zTest needs at most two categories')
  const n1 = b.referenceTotal
  const n2 = b.currentTotal
  if (cats.length < 2) {
    return {
      categories: cats,
      successCategory: null,
      pReference: 0,
      pCurrent: 0,
      pooled: 0,
      statistic: NaN,
      pValue: NaN,
    }
  }
  const p1 = b.referenceCounts[1]! / n1
  const p2 = b.currentCounts[1]! / n2
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
  return {
    categories: cats,
    successCategory: cats[1]!,
    pReference: p1,
    pCurrent: p2,
    pooled,
    statistic: z,
    pValue: 2 * normSf(Math.abs(z)),
  }
}

/** scipy.stats.wasserstein_distance: ∫ |F_a − F_b| dx between the empirical distributions. */
export function wassersteinDistance(a: ValueCounts, b: ValueCounts): number {
  let i = 0
  let j = 0
  let c1 = 0
  let c2 = 0
  let prev = NaN
  let prevDiff = 0
  const sum = new Sum()
  while (i < a.values.length || j < b.values.length) {
    const va = i < a.values.length ? a.values[i]! : Infinity
    const vb = j < b.values.length ? b.values[j]! : Infinity
    const x = Math.min(va, vb)
    if (!Number.isNaN(prev)) sum.add(prevDiff * (x - prev))
    if (va === x) c1 += a.counts[i++]!
    if (vb === x) c2 += b.counts[j++]!
    prevDiff = Math.abs(c1 / a.total - c2 / b.total)
    prev = x
  }
  return sum.value
}
