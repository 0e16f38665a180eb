/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as scipy.stats.ks_2samp (method 'auto'):
 * the exact distribution when max(n1, n2) ≤ 10,000, else kstwo.sf(D, round(n1·n2/(n1+n2))).
 * Works on value counts (sorted distinct values with their counts), so ties are exact.
 */
import { kstwoSf } from './kstwo.js'
import type { ValueCounts } from './value-counts.js'

export const KS_EXACT_MAX_N = 10_000

export type KsMethod = 'exact' | 'asymp'

export interface KsResult {
  statistic: number
  pValue: number
  /** Where |F_ref − F_cur| is largest. */
  location: number
  /** +1 if F_ref − F_cur > 0 there, −1 otherwise. */
  sign: 1 | -1
  method: KsMethod
}

/** The statistic as scipy reports it: max over the pooled sample of |F_ref(x) − F_cur(x)|. */
export function ksStatistic(
  a: ValueCounts,
  b: ValueCounts,
): Pick<KsResult, 'statistic' | 'location' | 'sign'> {
  const n1 = a.total
  const n2 = b.total
  let i = 0
  let j = 0
  let c1 = 0
  let c2 = 0
  // scipy takes argmax over concatenate([sorted a, sorted b]): the first value of a reaching the
  // extreme wins, else the first value of b.
  const top = {
    a: { max: -Infinity, maxAt: NaN, min: Infinity, minAt: NaN },
    b: { max: -Infinity, maxAt: NaN, min: Infinity, minAt: NaN },
  }
  const note = (t: (typeof top)['a'], diff: number, x: number): void => {
    if (diff > t.max) {
      t.max = diff
      t.maxAt = x
    }
    if (diff < t.min) {
      t.min = diff
      t.minAt = x
    }
  }
  while (i < a.values.length || j < b.values.length) {
    const va = i < a.values.length ? a.values[i]! : Infinity
    const vb = j < b.values.length ? b.values[j]! : Infinity
    const x = Math.min(va, vb)
    const inA = va === x
    const inB = vb === x
    if (inA) c1 += a.counts[i++]!
    if (inB) c2 += b.counts[j++]!
    const diff = c1 / n1 - c2 / n2
    if (inA) note(top.a, diff, x)
    if (inB) note(top.b, diff, x)
  }
  const maxS = Math.max(top.a.max, top.b.max)
  const maxLoc = top.a.max >= top.b.max ? top.a.maxAt : top.b.maxAt
  const minLoc = top.a.min <= top.b.min ? top.a.minAt : top.b.minAt
  const minS = Math.min(1, Math.max(0, -Math.min(top.a.min, top.b.min)))
  if (minS > maxS) return { statistic: minS, location: minLoc, sign: -1 }
  return { statistic: maxS, location: maxLoc, sign: 1 }
}

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}

/** Pr(D ≥ h/n) for two samples of equal size n (alternating series, Horner-like). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1)
    P = p1 * (1 - P)
  }
  return 2 * P
}

/**
 * Pr(D ≥ h / lcm(m, n)) for unequal sizes: Hodges' lattice-path "inside method" in the form that
 * computes 1 − p directly (Viehmann 2021), so small p-values keep their precision.
 */
function probOutsideInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0)
  const n = Math.min(m0, n0)
  const mg = m / g
  const ng = n / g
  let minj = 0
  let maxj = Math.min(Math.ceil(h / mg), n + 1)
  let curlen = maxj - minj
  const lenA = Math.min(2 * maxj + 2, n + 1)
  const A = new Float64Array(lenA).fill(1)
  for (let k = minj; k < maxj; k++) A[k] = 0
  for (let i = 1; i <= m; i++) {
    const lastminj = minj
    const lastlen = curlen
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n)
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1)
    if (maxj <= minj) return 1
    let val = minj === 0 ? 0 : 1
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j)
      A[jj] = val
    }
    curlen = maxj - minj
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen))
  }
  return A[maxj - minj - 1]!
}

/** The exact two-sided p-value, or undefined when it cannot be computed in double precision. */
function exactPValue(n1: number, n2: number, d: number): { statistic: number; pValue: number } | undefined {
  const g = gcd(n1, n2)
  if (n1 / g >= 2147483647 / (n2 / g)) return undefined
  const lcm = (n1 / g) * n2
  const h = Math.round(d * lcm)
  const dExact = h / lcm
  if (h === 0) return { statistic: dExact, pValue: 1 }
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideInside(n1, n2, g, h)
  if (!Number.isFinite(p) || p < 0 || p > 1) return undefined
  return { statistic: dExact, pValue: p }
}

export function ksAsympPValue(n1: number, n2: number, d: number): number {
  const m = Math.max(n1, n2)
  const n = Math.min(n1, n2)
  const en = (m * n) / (m + n)
  return kstwoSf(roundHalfEven(en), d)
}

export function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** scipy.stats.ks_2samp(a, b), two-sided; `method` 'auto' picks exact up to 10,000 rows. */
export function ksTest(a: ValueCounts, b: ValueCounts, method: 'auto' | KsMethod = 'auto'): KsResult {
  if (a.total === 0 || b.total === 0) throw new Error('ksTest needs two non-empty samples')
  const s = ksStatistic(a, b)
  const useExact = method === 'exact' || (method === 'auto' && Math.max(a.total, b.total) <= KS_EXACT_MAX_N)
  if (useExact) {
    const exact = exactPValue(a.total, b.total, s.statistic)
    if (exact) return { ...s, statistic: exact.statistic, pValue: exact.pValue, method: 'exact' }
  }
  const p = ksAsympPValue(a.total, b.total, s.statistic)
  return { ...s, pValue: Math.min(1, Math.max(0, p)), method: 'asymp' }
}
