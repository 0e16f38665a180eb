/** Seeded data for monitor tests: a reference CSV and prediction-log requests, shifted or not. For tests only. */
import { writeFileSync } from 'node:fs'
import { predictionLine, writeLogFile } from './prediction-logs.js'

/** Mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function normal(r: () => number, mean = 0, sd = 1): number {
  const u = Math.max(r(), 1e-12)
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r())
}

const CATS = ['red', 'green', 'blue']

/** `a` ~ N(0, 1), `b` one of three colors, `c` ~ N(10, 2). */
export function writeReferenceCsv(path: string, rows = 400, seed = 1): void {
  const r = rng(seed)
  const lines = ['a,b,c']
  for (let i = 0; i < rows; i++)
    lines.push(`${normal(r).toFixed(4)},${CATS[Math.floor(r() * 3)]},${normal(r, 10, 2).toFixed(4)}`)
  writeFileSync(path, lines.join('\n') + '\n')
}

/**
 * `n` one-row requests from `start`, one every `everyMs`, into `dir`: `a` shifted by `shift`
 * standard deviations (and `c` too when `shiftAll`), label = a > 0, request ids `<prefix><i>`.
 */
export function writeRequests(
  dir: string,
  o: {
    start: number
    n: number
    everyMs: number
    shift?: number
    shiftAll?: boolean
    seed?: number
    prefix?: string
  },
): void {
  const r = rng(o.seed ?? 7)
  const lines: string[] = []
  for (let i = 0; i < o.n; i++) {
    const a = normal(r, o.shift ?? 0)
    const c = normal(r, 10 + (o.shiftAll ? 2 * (o.shift ?? 0) : 0), 2)
    lines.push(
      predictionLine({
        ts: o.start + i * o.everyMs,
        requestId: `${o.prefix ?? 'q'}${i}`,
        inputs: { a: [a], b: [CATS[Math.floor(r() * 3)]], c: [c] },
        outputs: { label: [a > 0 ? 1 : 0], probabilities: [[a > 0 ? 0.2 : 0.8, a > 0 ? 0.8 : 0.2]] },
      }),
    )
  }
  writeLogFile(dir, 'predictions', o.start, lines, o.seed ?? 7)
}
