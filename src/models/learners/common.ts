/** Shared pieces of Cairn's small learners: data shapes, class encoding, a seeded RNG. */
import { CairnError } from '../../protocol/errors.js'
import type { ClassLabel } from '../onnx/linear.js'

/** Rows of feature values: `number[][]`, or an array of Float64Array rows. */
export type Matrix = readonly ArrayLike<number>[]

export type { ClassLabel }

export const bad = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)

export function checkMatrix(x: Matrix, nFeatures?: number): number {
  if (x.length === 0) throw bad('No rows to learn from or predict')
  const f = nFeatures ?? x[0]!.length
  if (f === 0) throw bad('Rows need at least one feature')
  for (let i = 0; i < x.length; i++) {
    const row = x[i]!
    if (row.length !== f) throw bad(`Row ${i} has ${row.length} features, expected ${f}`)
    for (let j = 0; j < f; j++) {
      if (!Number.isFinite(row[j]!)) throw bad(`Row ${i}, feature ${j} is not a finite number`)
    }
  }
  return f
}

/** Sorted distinct labels and each row's class index. */
export function encodeClasses(
  y: readonly ClassLabel[],
  n: number,
): { classes: ClassLabel[]; index: Int32Array } {
  if (y.length !== n) throw bad(`${y.length} labels for ${n} rows`)
  const allNumbers = y.every((v) => typeof v === 'number')
  const allStrings = y.every((v) => typeof v === 'string')
  if (!allNumbers && !allStrings) throw bad('Labels must be all numbers or all strings')
  if (allNumbers && !y.every((v) => Number.isInteger(v))) throw bad('Numeric class labels must be integers')
  const labels: ClassLabel[] = [...y]
  const classes = [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  if (classes.length < 2) throw bad('A classifier needs at least two classes in the labels')
  const pos = new Map(classes.map((c, i) => [c, i]))
  return { classes, index: Int32Array.from(labels, (v) => pos.get(v)!) }
}

/** Index of the largest value; the first one on ties (as onnxruntime picks). */
export function argmax(v: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i
  return best
}

export const sigmoid = (z: number): number =>
  z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))

export function softmax(z: number[]): number[] {
  const m = Math.max(...z)
  const e = z.map((v) => Math.exp(v - m))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}

/** mulberry32: small, fast, seeded; training is reproducible for a given seed. */
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

/** Metadata an export carries into the ONNX file and the MLmodel. */
export function exportMetadata(kind: string, extra: Record<string, unknown> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ cairn_learner: kind, ...extra }).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  )
}
