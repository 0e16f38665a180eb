/** Regression quality with scikit-learn's semantics (1.2): MAE, MSE, RMSE, R² (force_finite rules), MAPE. */
import { Sum } from '../stats/divergence.js'
import { FLOAT64_EPS } from './classification.js'
import { checkLengths } from './labels.js'

export interface RegressionMetrics {
  mae: number
  mse: number
  rmse: number
  /** sklearn's r2_score (force_finite=True): 1.0 for a perfect fit of constant y_true, 0.0 for an imperfect one. */
  r2: number
  /** The plain formula (−Infinity or NaN for constant y_true; NaN is null in JSON). */
  r2Raw: number
  /** A fraction, not a percentage; |y_true| is floored at float64 eps, so a y_true of 0 makes it huge. */
  mape: number
  /** Why R² was forced finite, when it was. */
  r2Note?: string
}

export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  checkLengths('regressionMetrics', yTrue, yPred)
  const n = yTrue.length
  if (n === 0) throw new RangeError('regressionMetrics needs at least one sample')
  const abs = new Sum()
  const sq = new Sum()
  const ape = new Sum()
  const ySum = new Sum()
  for (let i = 0; i < n; i++) {
    const e = yPred[i]! - yTrue[i]!
    abs.add(Math.abs(e))
    sq.add(e * e)
    ape.add(Math.abs(e) / Math.max(Math.abs(yTrue[i]!), FLOAT64_EPS))
    ySum.add(yTrue[i]!)
  }
  const yMean = ySum.value / n
  const tot = new Sum()
  for (let i = 0; i < n; i++) tot.add((yTrue[i]! - yMean) ** 2)
  const ssRes = sq.value
  const ssTot = tot.value
  const r2Raw = 1 - ssRes / ssTot
  const out: RegressionMetrics = {
    mae: abs.value / n,
    mse: ssRes / n,
    rmse: Math.sqrt(ssRes / n),
    r2: r2Raw,
    r2Raw: ssTot === 0 ? (ssRes === 0 ? NaN : -Infinity) : r2Raw,
    mape: ape.value / n,
  }
  if (ssTot === 0) {
    out.r2 = ssRes === 0 ? 1 : 0
    out.r2Note =
      ssRes === 0
        ? 'y_true is constant and predicted exactly: R² is 0/0, defined as 1.0 (sklearn force_finite)'
        : 'y_true is constant: R² divides by 0, defined as 0.0 (sklearn force_finite)'
  }
  return out
}
