/**
 * Special functions the drift tests need: log-gamma, the regularized incomplete gamma functions,
 * and the chi-squared and normal tail probabilities built on them. Accurate to ~1e-14 relative,
 * well inside the p-value tolerance of the golden values (1e-6 relative).
 */

// Lanczos approximation, g = 7, n = 9 (Numerical Recipes 3rd ed. / Godfrey's coefficients).
const LANCZOS_G = 7
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]
const LN_SQRT_2PI = 0.91893853320467274178

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x)
  const z = x - 1
  let a = LANCZOS[0]!
  const t = z + LANCZOS_G + 0.5
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i)
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a)
}

const EPS = 1e-16
const TINY = 1e-300
const MAX_ITER = 10_000

/** Series for P(a, x), converging for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let sum = 1 / a
  let term = sum
  for (let n = 1; n < MAX_ITER; n++) {
    term *= x / (a + n)
    sum += term
    if (Math.abs(term) < Math.abs(sum) * EPS) break
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a))
}

/** Continued fraction for Q(a, x) (modified Lentz), converging for x ≥ a + 1. */
function gammaQContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a
  let c = 1 / TINY
  let d = 1 / b
  let h = d
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < TINY) d = TINY
    c = b + an / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < EPS) break
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a). */
export function gammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return NaN
  if (x === 0) return 1
  if (x === Infinity) return 0
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x)
}

/** Regularized lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return NaN
  if (x === 0) return 0
  if (x === Infinity) return 1
  return x < a + 1 ? gammaPSeries(a, x) : 1 - gammaQContinuedFraction(a, x)
}

/** Survival function of the chi-squared distribution; NaN for dof 0 (as scipy's chi2.sf). */
export function chi2Sf(x: number, dof: number): number {
  if (dof <= 0 || Number.isNaN(x)) return NaN
  if (x <= 0) return 1
  return gammaQ(dof / 2, x / 2)
}

/** erfc(x), accurate in the far tail (via Q(1/2, x²)). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN
  if (x < 0) return 2 - erfc(-x)
  if (x === 0) return 1
  return gammaQ(0.5, x * x)
}

/** Survival function of the standard normal distribution, Φ̄(z) = P(Z > z). */
export function normSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2)
}

/** ln C(n, k). */
export function lnBinomial(n: number, k: number): number {
  return lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1)
}
