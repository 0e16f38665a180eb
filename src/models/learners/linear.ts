/**
 * Linear and logistic regression, dependency-free, with `toOnnx()`.
 *
 * - LinearRegression: least squares with an optional ridge penalty, solved exactly (normal
 *   equations, Cholesky).
 * - LogisticRegression: binary (one logit, as scikit-learn) or multinomial (softmax), L2
 *   penalty, fitted by full-batch gradient descent with a backtracking step. Standardize
 *   features first for fast convergence.
 */
import { exportLinearClassifier, exportLinearRegressor } from '../onnx/linear.js'
import {
  argmax,
  bad,
  checkMatrix,
  encodeClasses,
  exportMetadata,
  sigmoid,
  softmax,
  type ClassLabel,
  type Matrix,
} from './common.js'

function solveSpd(a: number[][], b: number[]): number[] {
  const n = b.length
  const l = a.map(() => new Array<number>(n).fill(0))
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!
      if (i === j) {
        if (s <= 0) throw bad('The features are collinear; add a ridge penalty (l2) or drop a feature')
        l[i]![i] = Math.sqrt(s)
      } else l[i]![j] = s / l[j]![j]!
    }
  }
  const z = new Array<number>(n).fill(0)
  for (let i = 0; i < n; i++) {
    let s = b[i]!
    for (let k = 0; k < i; k++) s -= l[i]![k]! * z[k]!
    z[i] = s / l[i]![i]!
  }
  const x = new Array<number>(n).fill(0)
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!
    for (let k = i + 1; k < n; k++) s -= l[k]![i]! * x[k]!
    x[i] = s / l[i]![i]!
  }
  return x
}

export class LinearRegression {
  private constructor(
    readonly coefficients: number[],
    readonly intercept: number,
  ) {}

  /** `l2` penalizes the coefficients (not the intercept). */
  static fit(x: Matrix, y: ArrayLike<number>, opts: { l2?: number } = {}): LinearRegression {
    const f = checkMatrix(x)
    if (y.length !== x.length) throw bad(`${y.length} targets for ${x.length} rows`)
    const d = f + 1 // last column: the intercept
    const a = Array.from({ length: d }, () => new Array<number>(d).fill(0))
    const b = new Array<number>(d).fill(0)
    for (let i = 0; i < x.length; i++) {
      const row = x[i]!
      const yi = y[i]!
      for (let p = 0; p < d; p++) {
        const vp = p < f ? row[p]! : 1
        b[p]! += vp * yi
        for (let q = 0; q <= p; q++) a[p]![q]! += vp * (q < f ? row[q]! : 1)
      }
    }
    for (let p = 0; p < d; p++) for (let q = 0; q < p; q++) a[q]![p] = a[p]![q]!
    for (let p = 0; p < f; p++) a[p]![p]! += opts.l2 ?? 0
    const w = solveSpd(a, b)
    return new LinearRegression(w.slice(0, f), w[f]!)
  }

  predict(x: Matrix): Float64Array {
    checkMatrix(x, this.coefficients.length)
    return Float64Array.from(x, (row) =>
      this.coefficients.reduce((s, c, j) => s + c * row[j]!, this.intercept),
    )
  }

  toOnnx(): Uint8Array {
    return exportLinearRegressor({
      coefficients: this.coefficients,
      intercept: this.intercept,
      metadata: exportMetadata('LinearRegression'),
    })
  }
}

export interface LogisticRegressionOptions {
  /** L2 penalty on the coefficients (default 1e-4), scaled by the row count as scikit-learn's 1/C. */
  l2?: number
  maxIterations?: number
  /** Stop when the loss improves by less than this (default 1e-10). */
  tolerance?: number
}

export class LogisticRegression {
  private constructor(
    readonly classes: ClassLabel[],
    /** One row for two classes (class 1's logit), else one row per class. */
    readonly coefficients: number[][],
    readonly intercepts: number[],
  ) {}

  static fit(x: Matrix, y: readonly ClassLabel[], opts: LogisticRegressionOptions = {}): LogisticRegression {
    const f = checkMatrix(x)
    const { classes, index } = encodeClasses(y, x.length)
    const k = classes.length
    const rows = k === 2 ? 1 : k
    const n = x.length
    const l2 = opts.l2 ?? 1e-4
    // Parameters: rows × (f + 1), the intercept last.
    let w = Array.from({ length: rows }, () => new Array<number>(f + 1).fill(0))
    const scores = (ww: number[][], row: ArrayLike<number>): number[] =>
      ww.map((r) => r.reduce((s, c, j) => (j < f ? s + c * row[j]! : s + c), 0))
    const probs = (ww: number[][], row: ArrayLike<number>): number[] => {
      const z = scores(ww, row)
      return rows === 1 ? [1 - sigmoid(z[0]!), sigmoid(z[0]!)] : softmax(z)
    }
    const loss = (ww: number[][]): number => {
      let s = 0
      for (let i = 0; i < n; i++) s -= Math.log(Math.max(probs(ww, x[i]!)[index[i]!]!, 1e-300))
      let pen = 0
      for (const r of ww) for (let j = 0; j < f; j++) pen += r[j]! * r[j]!
      return s / n + (l2 / 2) * pen
    }
    let current = loss(w)
    let step = 1
    for (let it = 0; it < (opts.maxIterations ?? 500); it++) {
      const grad = Array.from({ length: rows }, () => new Array<number>(f + 1).fill(0))
      for (let i = 0; i < n; i++) {
        const row = x[i]!
        const p = probs(w, row)
        for (let r = 0; r < rows; r++) {
          const cls = rows === 1 ? 1 : r
          const err = p[cls]! - (index[i] === cls ? 1 : 0)
          const g = grad[r]!
          for (let j = 0; j < f; j++) g[j]! += (err * row[j]!) / n
          g[f]! += err / n
        }
      }
      for (let r = 0; r < rows; r++) for (let j = 0; j < f; j++) grad[r]![j]! += l2 * w[r]![j]!
      // Backtracking: halve the step until the loss goes down, then try a larger one next time.
      let next = w
      let nextLoss = current
      for (let tries = 0; tries < 30; tries++) {
        next = w.map((r, ri) => r.map((c, j) => c - step * grad[ri]![j]!))
        nextLoss = loss(next)
        if (nextLoss < current) break
        step /= 2
      }
      if (!(nextLoss < current)) break
      const improved = current - nextLoss
      w = next
      current = nextLoss
      step *= 1.5
      if (improved < (opts.tolerance ?? 1e-10)) break
    }
    return new LogisticRegression(
      classes,
      w.map((r) => r.slice(0, f)),
      w.map((r) => r[f]!),
    )
  }

  get nFeatures(): number {
    return this.coefficients[0]!.length
  }

  /** One row of class probabilities per input row, classes in `this.classes` order. */
  predictProba(x: Matrix): number[][] {
    checkMatrix(x, this.nFeatures)
    return x.map((row) => {
      const z = this.coefficients.map((c, r) => c.reduce((s, v, j) => s + v * row[j]!, this.intercepts[r]!))
      return z.length === 1 ? [1 - sigmoid(z[0]!), sigmoid(z[0]!)] : softmax(z)
    })
  }

  predict(x: Matrix): ClassLabel[] {
    return this.predictProba(x).map((p) => this.classes[argmax(p)]!)
  }

  toOnnx(): Uint8Array {
    return exportLinearClassifier({
      coefficients: this.coefficients,
      intercepts: this.intercepts,
      classes: this.classes,
      metadata: exportMetadata('LogisticRegression', { classes: this.classes }),
    })
  }
}
