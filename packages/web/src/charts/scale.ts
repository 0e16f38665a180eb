/** Scales, ticks and smoothing for the canvas charts (pure, so component tests cover them). */

export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
]

export function colorFor(i: number): string {
  return PALETTE[i % PALETTE.length]!
}

export interface Scale {
  (v: number): number
  domain: [number, number]
}

export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0 || 1
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale
  f.domain = [d0, d1]
  return f
}

/** About `count` round ticks (1, 2, 5 × 10^k apart) inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return []
  if (lo === hi) return [lo]
  const raw = (hi - lo) / Math.max(1, count)
  const mag = 10 ** Math.floor(Math.log10(raw))
  // The round step whose tick count comes closest to the one asked for.
  let step = mag
  for (const m of [1, 2, 5, 10])
    if (Math.abs((hi - lo) / (m * mag) - count) < Math.abs((hi - lo) / step - count)) step = m * mag
  const out: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)))
  return out
}

/** Finite min and max of several arrays, with a margin; [0, 1] when there is nothing. */
export function extent(arrays: ArrayLike<number>[], pad = 0.05): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (const a of arrays)
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!
      if (Number.isFinite(v)) {
        if (v < lo) lo = v
        if (v > hi) hi = v
      }
    }
  if (lo === Infinity) return [0, 1]
  if (lo === hi) return [lo - 1, hi + 1]
  const m = (hi - lo) * pad
  return [lo - m, hi + m]
}

/** TensorBoard's debiased exponential moving average; NaN points pass through unchanged. */
export function smooth(values: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(values.length)
  let last = 0
  let n = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (!Number.isFinite(v) || weight <= 0) {
      out[i] = v
      continue
    }
    last = last * weight + (1 - weight) * v
    n++
    out[i] = last / (1 - weight ** n)
  }
  return out
}

export function formatTick(v: number, time: boolean): string {
  if (time) {
    const d = new Date(v)
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`
  }
  const a = Math.abs(v)
  if (a >= 1e6 || (a > 0 && a < 1e-3)) return v.toExponential(1)
  if (a >= 1000) return `${Number((v / 1000).toPrecision(4))}k`
  return String(Number(v.toPrecision(4)))
}
