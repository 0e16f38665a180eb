/**
 * CART trees for the forest and boosting learners. Features are rounded to float32 before
 * training and prediction, and thresholds are float32 values between two training values, as
 * scikit-learn does (it casts X to float32): the ONNX export, which compares float32 inputs with
 * float32 thresholds in onnxruntime, then takes exactly the same branches.
 */
import type { TreeNode } from '../onnx/trees.js'
import { bad, checkMatrix, type Matrix } from './common.js'

export interface CartOptions {
  maxDepth: number
  minSamplesLeaf: number
  /** Features tried at each split (default all); forests use fewer, chosen with `random`. */
  maxFeatures?: number
  random?: () => number
}

/** What a split tries to separate: class indices (Gini) or a numeric target (squared error). */
export type SplitTarget =
  { kind: 'classes'; index: Int32Array; nClasses: number } | { kind: 'values'; y: Float64Array }

/** Column-major float32 copy of the features. */
export function float32Columns(x: Matrix): Float32Array[] {
  const f = checkMatrix(x)
  return Array.from({ length: f }, (_, j) => Float32Array.from(x, (row) => row[j]!))
}

/** The proxy to maximize: Σ count²/n (Gini) or (Σ y)²/n (squared error), for one side. */
function sideScore(target: SplitTarget, stats: Float64Array, n: number): number {
  if (n === 0) return 0
  if (target.kind === 'values') return (stats[0]! * stats[0]!) / n
  let s = 0
  for (let c = 0; c < target.nClasses; c++) s += stats[c]! * stats[c]!
  return s / n
}

function addStats(target: SplitTarget, stats: Float64Array, i: number, sign: 1 | -1): void {
  if (target.kind === 'values') stats[0]! += sign * target.y[i]!
  else stats[target.index[i]!]! += sign
}

function pickFeatures(f: number, opts: CartOptions): number[] {
  const all = Array.from({ length: f }, (_, j) => j)
  const m = opts.maxFeatures ?? f
  if (m >= f) return all
  const random = opts.random ?? Math.random
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(random() * (f - i))
    ;[all[i], all[j]] = [all[j]!, all[i]!]
  }
  return all.slice(0, m)
}

/**
 * Grows a tree over the rows `idx` (repeats allowed: bootstrap samples). `leaf` gives a leaf's
 * value from its rows.
 */
export function growTree(
  cols: Float32Array[],
  idx: Int32Array,
  target: SplitTarget,
  opts: CartOptions & { leaf: (rows: Int32Array) => number[] },
): TreeNode {
  if (opts.maxDepth < 0 || opts.minSamplesLeaf < 1) throw bad('maxDepth must be ≥ 0 and minSamplesLeaf ≥ 1')
  const width = target.kind === 'values' ? 1 : target.nClasses
  const grow = (rows: Int32Array, depth: number): TreeNode => {
    const n = rows.length
    if (depth >= opts.maxDepth || n < 2 * opts.minSamplesLeaf) return { kind: 'leaf', value: opts.leaf(rows) }
    const total = new Float64Array(width)
    for (const i of rows) addStats(target, total, i, 1)
    let best = sideScore(target, total, n) * (1 + 1e-12) + 1e-12
    let split: { feature: number; threshold: number } | null = null
    for (const j of pickFeatures(cols.length, opts)) {
      const col = cols[j]!
      const sorted = Int32Array.from(rows).sort((a, b) => col[a]! - col[b]!)
      const left = new Float64Array(width)
      const right = Float64Array.from(total)
      for (let p = 0; p < n - 1; p++) {
        const i = sorted[p]!
        addStats(target, left, i, 1)
        addStats(target, right, i, -1)
        const nl = p + 1
        if (nl < opts.minSamplesLeaf || n - nl < opts.minSamplesLeaf) continue
        const a = col[i]!
        const b = col[sorted[p + 1]!]!
        if (a === b) continue
        const score = sideScore(target, left, nl) + sideScore(target, right, n - nl)
        if (score > best) {
          best = score
          let t = Math.fround((a + b) / 2)
          if (!(t < b)) t = a
          split = { feature: j, threshold: t }
        }
      }
    }
    if (split === null) return { kind: 'leaf', value: opts.leaf(rows) }
    const col = cols[split.feature]!
    const l = rows.filter((i) => col[i]! <= split.threshold)
    const r = rows.filter((i) => !(col[i]! <= split.threshold))
    return { kind: 'split', ...split, left: grow(l, depth + 1), right: grow(r, depth + 1) }
  }
  return grow(idx, 0)
}

/** The leaf a row lands in, comparing its float32 values as onnxruntime does. */
export function leafOf(tree: TreeNode, row: ArrayLike<number>): number[] {
  let node = tree
  while (node.kind === 'split')
    node = Math.fround(row[node.feature]!) <= node.threshold ? node.left : node.right
  return node.value
}

/** Class proportions of the rows (a classification leaf). */
export function classShares(index: Int32Array, nClasses: number): (rows: Int32Array) => number[] {
  return (rows) => {
    const c = new Array<number>(nClasses).fill(0)
    for (const i of rows) c[index[i]!]! += 1
    return c.map((v) => v / rows.length)
  }
}
