/**
 * Gradient-boosted trees (Friedman's gradient boosting, as scikit-learn's
 * GradientBoosting*): each tree fits the negative gradient with squared error; for the binary
 * classifier (log loss) a leaf's value is the Newton step Σ residual / Σ p(1 − p).
 *
 * The binary classifier's score is a raw log-odds: P(class 1) = σ(base + lr · Σ leaf values),
 * class 1 when the score is above 0 (P > 0.5). Its ONNX export writes one weight per leaf with a
 * logistic post-transform, so onnxruntime's label and probabilities agree.
 */
import { exportTreeEnsembleClassifier, exportTreeEnsembleRegressor, type TreeNode } from '../onnx/trees.js'
import { float32Columns, growTree, leafOf } from './cart.js'
import {
  bad,
  checkMatrix,
  encodeClasses,
  exportMetadata,
  rng,
  sigmoid,
  type ClassLabel,
  type Matrix,
} from './common.js'

export interface BoostingOptions {
  nTrees?: number
  learningRate?: number
  maxDepth?: number
  minSamplesLeaf?: number
  /** Fraction of rows each tree sees (stochastic boosting; default 1). */
  subsample?: number
  seed?: number
}

function rowsFor(n: number, subsample: number, random: () => number): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i)
  if (subsample >= 1) return all
  return all.filter(() => random() < subsample)
}

/** Leaves scaled by the learning rate, so the model (and its export) is a plain sum. */
function scaleLeaves(t: TreeNode, k: number): TreeNode {
  return t.kind === 'leaf'
    ? { kind: 'leaf', value: t.value.map((v) => v * k) }
    : { ...t, left: scaleLeaves(t.left, k), right: scaleLeaves(t.right, k) }
}

export class GradientBoostingClassifier {
  private constructor(
    readonly classes: ClassLabel[],
    readonly trees: TreeNode[],
    readonly baseScore: number,
    readonly nFeatures: number,
  ) {}

  /** Two classes only. */
  static fit(x: Matrix, y: readonly ClassLabel[], opts: BoostingOptions = {}): GradientBoostingClassifier {
    const cols = float32Columns(x)
    const { classes, index } = encodeClasses(y, x.length)
    if (classes.length !== 2)
      throw bad(`GradientBoostingClassifier takes two classes, the labels have ${classes.length}`)
    const n = x.length
    const lr = opts.learningRate ?? 0.1
    const random = rng(opts.seed ?? 42)
    const positives = index.reduce((s, v) => s + v, 0)
    const prior = Math.min(Math.max(positives / n, 1e-6), 1 - 1e-6)
    const baseScore = Math.log(prior / (1 - prior))
    const score = new Float64Array(n).fill(baseScore)
    const trees: TreeNode[] = []
    for (let m = 0; m < (opts.nTrees ?? 100); m++) {
      const p = Float64Array.from(score, sigmoid)
      const residual = Float64Array.from(index, (v, i) => v - p[i]!)
      const tree = growTree(
        cols,
        rowsFor(n, opts.subsample ?? 1, random),
        { kind: 'values', y: residual },
        {
          maxDepth: opts.maxDepth ?? 3,
          minSamplesLeaf: opts.minSamplesLeaf ?? 10,
          leaf: (rows) => {
            let num = 0
            let den = 0
            for (const i of rows) {
              num += residual[i]!
              den += p[i]! * (1 - p[i]!)
            }
            return [den < 1e-12 ? 0 : num / den]
          },
        },
      )
      const scaled = scaleLeaves(tree, lr)
      trees.push(scaled)
      for (let i = 0; i < n; i++) score[i]! += leafOf(scaled, x[i]!)[0]!
    }
    return new GradientBoostingClassifier(classes, trees, baseScore, cols.length)
  }

  /** Raw log-odds of class 1. */
  decisionFunction(x: Matrix): Float64Array {
    checkMatrix(x, this.nFeatures)
    return Float64Array.from(x, (row) => this.trees.reduce((s, t) => s + leafOf(t, row)[0]!, this.baseScore))
  }

  predictProba(x: Matrix): number[][] {
    return Array.from(this.decisionFunction(x), (z) => {
      const p = sigmoid(z)
      return [1 - p, p]
    })
  }

  predict(x: Matrix): ClassLabel[] {
    return Array.from(this.decisionFunction(x), (z) => this.classes[z > 0 ? 1 : 0]!)
  }

  toOnnx(): Uint8Array {
    return exportTreeEnsembleClassifier({
      trees: this.trees,
      nFeatures: this.nFeatures,
      classes: this.classes,
      output: 'logistic',
      baseScore: [this.baseScore],
      metadata: exportMetadata('GradientBoostingClassifier', { classes: this.classes }),
    })
  }
}

export class GradientBoostingRegressor {
  private constructor(
    readonly trees: TreeNode[],
    readonly baseValue: number,
    readonly nFeatures: number,
  ) {}

  static fit(x: Matrix, y: ArrayLike<number>, opts: BoostingOptions = {}): GradientBoostingRegressor {
    const cols = float32Columns(x)
    const target = Float64Array.from(y)
    const n = x.length
    if (target.length !== n) throw bad(`${target.length} targets for ${n} rows`)
    const lr = opts.learningRate ?? 0.1
    const random = rng(opts.seed ?? 42)
    const baseValue = target.reduce((a, b) => a + b, 0) / n
    const pred = new Float64Array(n).fill(baseValue)
    const trees: TreeNode[] = []
    for (let m = 0; m < (opts.nTrees ?? 100); m++) {
      const residual = Float64Array.from(target, (v, i) => v - pred[i]!)
      const tree = growTree(
        cols,
        rowsFor(n, opts.subsample ?? 1, random),
        { kind: 'values', y: residual },
        {
          maxDepth: opts.maxDepth ?? 3,
          minSamplesLeaf: opts.minSamplesLeaf ?? 10,
          leaf: (rows) => [rows.reduce((s, i) => s + residual[i]!, 0) / rows.length],
        },
      )
      const scaled = scaleLeaves(tree, lr)
      trees.push(scaled)
      for (let i = 0; i < n; i++) pred[i]! += leafOf(scaled, x[i]!)[0]!
    }
    return new GradientBoostingRegressor(trees, baseValue, cols.length)
  }

  predict(x: Matrix): Float64Array {
    checkMatrix(x, this.nFeatures)
    return Float64Array.from(x, (row) => this.trees.reduce((s, t) => s + leafOf(t, row)[0]!, this.baseValue))
  }

  toOnnx(): Uint8Array {
    return exportTreeEnsembleRegressor({
      trees: this.trees,
      nFeatures: this.nFeatures,
      aggregate: 'SUM',
      baseValue: this.baseValue,
      metadata: exportMetadata('GradientBoostingRegressor'),
    })
  }
}
