/**
 * The distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n, used for the
 * two-sample test's 'asymp' method exactly as scipy (≥ 1.10) uses it: p = kstwo.sf(D, round(en)).
 * The choice of algorithm per (n, x) follows Simard & L'Ecuyer (2011), as scipy's _kolmogn does:
 * Ruben–Gambino closed forms at the ends, 2·smirnov (Birnbaum–Tingey) above x = 0.5 or in the
 * upper tail, Durbin's matrix (Marsaglia–Tsang–Wang) and Pomeranz's recursion for small n,
 * and the Pelz–Good asymptotic series for large n.
 */

const E128 = 2 ** 128
const EM128 = 2 ** -128
const LOG_2PI = Math.log(2 * Math.PI)
const SQRT_2PI = Math.sqrt(2 * Math.PI)
const PI2 = Math.PI ** 2
const PI4 = Math.PI ** 4
const PI6 = Math.PI ** 6
const MIN_LOG = -708
// Stirling series coefficients B_2j / (2j (2j − 1)), highest order first.
const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
]

const clip = (p: number): number => Math.min(1, Math.max(0, p))

/** ln(n! / n^n) without cancellation. */
function lnFactorialOverPower(n: number): number {
  const rn = 1 / n
  let poly = 0
  for (const c of STIRLING) poly = poly * (rn / n) + c
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly
}

/** P(D_n^+ ≥ x), the one-sided statistic (Birnbaum–Tingey sum, every term positive). */
export function smirnovSf(n: number, x: number): number {
  if (x <= 0) return 1
  if (x >= 1) return 0
  const last = Math.floor(n * (1 - x))
  let sum = 0
  let lnC = 0
  for (let v = 0; v <= last; v++) {
    if (v > 0) lnC += Math.log((n - v + 1) / v)
    const evn = x + v / n
    const om = 1 - evn
    // (1 − e − v/n)^(n − v) is 0 at the last term when n(1 − x) is an integer (v < n as x > 0).
    if (om <= 0) continue
    const t = lnC + (v - 1) * Math.log(evn) + (n - v) * Math.log(om)
    if (t > -745) sum += Math.exp(t)
  }
  return clip(sum * x)
}

/** Pr(D_n ≤ x) by Durbin's matrix method in Marsaglia, Tsang and Wang's form. */
function durbinCdf(n: number, x: number): number {
  if (x >= 1) return 1
  const nd = n * x
  if (nd <= 0.5) return 0
  const k = Math.ceil(nd)
  const h = k - nd
  const m = 2 * k - 1
  let H: Float64Array = new Float64Array(m * m)
  const v = new Float64Array(m)
  const w = new Float64Array(m)
  let fac = 1
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac
    fac /= j
    v[j - 1] = (1 - h ** j) * fac
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m
  v[m - 1] = (1 + tt) * fac
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]!
  for (let r = 0; r < m; r++) H[r * m] = v[r]!
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!
  let P: Float64Array = identity(m)
  let nn = n
  let expnt = 0
  let hExpnt = 0
  while (nn > 0) {
    if (nn % 2) {
      P = matmul(P, H, m)
      expnt += hExpnt
    }
    H = matmul(H, H, m)
    hExpnt *= 2
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > E128) {
      for (let i = 0; i < H.length; i++) H[i]! /= E128
      hExpnt += 128
    }
    nn = Math.floor(nn / 2)
  }
  let p = P[(k - 1) * m + (k - 1)]!
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n
    if (Math.abs(p) < EM128) {
      p *= E128
      expnt -= 128
    }
  }
  return clip(p * 2 ** expnt)
}

function identity(m: number): Float64Array {
  const a = new Float64Array(m * m)
  for (let i = 0; i < m; i++) a[i * m + i] = 1
  return a
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m)
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!
      if (aik === 0) continue
      for (let j = 0; j < m; j++) out[i * m + j]! += aik * b[k * m + j]!
    }
  }
  return out
}

function pomeranzBounds(
  i: number,
  n: number,
  opts: { ll: number; ceilf: number; roundf: number },
): [number, number] {
  const { ll, ceilf, roundf } = opts
  let j1: number
  let j2: number
  if (i === 0) {
    j1 = -ll - ceilf - 1
    j2 = ll + ceilf - 1
  } else {
    const half = Math.floor((i + 1) / 2)
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1
        j2 = n + ll + ceilf - 1
      } else {
        j1 = half - 1 - ll - roundf - 1
        j2 = half + ll - 1 + ceilf - 1
      }
    } else {
      j1 = half - 1 - ll - 1
      j2 = half + ll + roundf - 1
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)]
}

/** Pr(D_n ≤ x) by Pomeranz's recursion (1974). */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x
  const ll = Math.floor(t)
  const f = t - ll
  const g = Math.min(f, 1 - f)
  const bounds = { ll, ceilf: f > 0 ? 1 : 0, roundf: f > 0.5 ? 1 : 0 }
  const npwrs = 2 * (ll + 1)
  const gp = new Float64Array(npwrs)
  const g2p = new Float64Array(npwrs)
  const g12p = new Float64Array(npwrs)
  gp[0] = g2p[0] = g12p[0] = 1
  for (let m = 1; m < npwrs; m++) {
    gp[m] = (gp[m - 1]! * (g / n)) / m
    g2p[m] = (g2p[m - 1]! * ((2 * g) / n)) / m
    g12p[m] = (g12p[m - 1]! * ((1 - 2 * g) / n)) / m
  }
  let V0 = new Float64Array(npwrs)
  let V1 = new Float64Array(npwrs)
  V1[0] = 1
  let V0s = 0
  let V1s = 0
  let expnt = 0
  let [j1, j2] = pomeranzBounds(0, n, bounds)
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1
    ;[V0, V1] = [V1, V0]
    ;[V0s, V1s] = [V1s, V0s]
    V1.fill(0)
    ;[j1, j2] = pomeranzBounds(i, n, bounds)
    const pw = i === 1 || i === 2 * n + 1 ? gp : i % 2 ? g2p : g12p
    const ln2 = j2 - k1 + 1
    if (ln2 > 0) {
      const start = j1 - k1
      const len = j2 - j1 + 1
      const base = k1 - V0s
      const alen = Math.min(ln2, npwrs - base)
      let max = 0
      for (let c = 0; c < len; c++) {
        // Entries start..start+len of the full convolution of V0[base, base + alen) with pw[0, ln2).
        const idx = start + c
        let s = 0
        for (let a = Math.max(0, idx - ln2 + 1); a <= Math.min(idx, alen - 1); a++)
          s += V0[base + a]! * pw[idx - a]!
        V1[c] = s
        if (s > max) max = s
      }
      if (max > 0 && max < EM128) {
        for (let c = 0; c < len; c++) V1[c]! *= E128
        expnt -= 128
      }
      V1s = V0s + j1 - k1
    }
  }
  let ans = V1[n - V1s]!
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > E128) {
      ans *= EM128
      expnt += 128
    }
    ans *= m
  }
  return clip(ans * 2 ** expnt)
}

/** Pelz–Good approximation of Pr(D_n ≤ x). */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const z = Math.sqrt(n) * x
  const z2 = z * z
  const z3 = z2 * z
  const z4 = z2 * z2
  const z6 = z4 * z2
  const qlog = -PI2 / 8 / z2
  if (qlog < MIN_LOG) return 0
  const q = Math.exp(qlog)
  const k1a = -z2
  const k1b = PI2 / 4
  const k2a = 6 * z6 + 2 * z4
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4
  const k2c = (PI4 * (1 - 2 * z2)) / 16
  const k3d = (PI6 * (5 - 30 * z2)) / 64
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4
  const k3a = -30 * z6 - 90 * z ** 8
  const K = [0, 0, 0, 0]
  const maxk = Math.ceil((16 * z) / Math.PI)
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1
    const m2 = m * m
    const m4 = m2 * m2
    const m6 = m4 * m2
    const qp = q ** (8 * k)
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qp + coeffs[i]!
  }
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10]
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT_2PI) / div[i]!
  const q2 = Math.exp(-PI2 / 2 / z2)
  let k2extra = 0
  let k3extra = 0
  const sqrt3z = Math.sqrt(3) * z
  for (let k = maxk; k > 0; k--) {
    const qk = q2 ** (k * k)
    k2extra += k * k * qk
    const kpi = Math.PI * k
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k * k * qk
  }
  K[2] = K[2]! + (k2extra * PI2 * SQRT_2PI) / (-36 * z3)
  K[3] = K[3]! + (k3extra * PI2 * SQRT_2PI) / (216 * z6)
  let sum = 0
  for (let i = 0; i < 4; i++) sum += K[i]! / n ** (i / 2)
  return sum
}

/** Pr(D_n > x) for the two-sided one-sample statistic (scipy's kstwo.sf). */
export function kstwoSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(x)) return NaN
  if (x >= 1) return 0
  if (x <= 0) return 1
  const t = n * x
  if (t <= 1) {
    if (t <= 0.5) return 1
    const cdf =
      n <= 140
        ? Array.from({ length: n }, (_, i) => ((i + 1) / n) * (2 * t - 1)).reduce((a, b) => a * b, 1)
        : Math.exp(lnFactorialOverPower(n) + n * Math.log(2 * t - 1))
    return clip(1 - cdf)
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n)
  if (x >= 0.5) return clip(2 * smirnovSf(n, x))
  const nx2 = t * x
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip(1 - durbinCdf(n, x))
    if (nx2 <= 4) return clip(1 - pomeranzCdf(n, x))
    return clip(2 * smirnovSf(n, x))
  }
  if (nx2 >= 370) return 0
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x))
  const cdf = n <= 100000 && n * x ** 1.5 <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x)
  return clip(1 - cdf)
}
