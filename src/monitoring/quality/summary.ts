/**
 * One call per task for live quality: every metric as a MetricValue (null with the reason when
 * undefined, a warning when sklearn would warn). Binary when the labels present are at most two
 * and no per-class probabilities are given; multiclass (macro averages) otherwise.
 */
import {
  accuracy,
  confusionMatrix,
  logLoss,
  precisionRecallF1,
  rocAuc,
  rocAucOvr,
  type ConfusionMatrix,
} from './classification.js'
import { sortedLabels, type Label, type MetricValue } from './labels.js'
import { regressionMetrics } from './regression.js'

export interface ClassificationInput {
  yTrue: ArrayLike<Label>
  yPred: ArrayLike<Label>
  /** Binary: the probability (or score) of the positive class per row. */
  yScore?: ArrayLike<number>
  /** Multiclass: one probability per class per row, in `classes` order. */
  yProba?: readonly ArrayLike<number>[]
  /** All classes, in probability-column order (default: the sorted labels present). */
  classes?: readonly Label[]
  /** Binary positive class (default 1 when present, else the last class in sorted order). */
  posLabel?: Label
}

export interface ClassificationQuality {
  task: 'binary' | 'multiclass'
  rows: number
  accuracy: MetricValue
  precision: MetricValue
  recall: MetricValue
  f1: MetricValue
  rocAuc: MetricValue
  logLoss: MetricValue
  confusionMatrix: ConfusionMatrix
}

const value = (v: number, warnings: string[] = []): MetricValue =>
  warnings.length > 0 ? { value: v, warning: warnings.join(' ') } : { value: v }
const none = (error: string): MetricValue => ({ value: null, error })

export function classificationQuality(input: ClassificationInput): ClassificationQuality {
  const rows = input.yTrue.length
  const classes = input.classes ? [...input.classes] : sortedLabels(input.yTrue, input.yPred)
  const binary = classes.length <= 2 && input.yProba === undefined
  const cm = confusionMatrix(input.yTrue, input.yPred, classes)
  if (rows === 0) {
    const empty = none('no rows with both a prediction and ground truth in the window')
    return {
      task: binary ? 'binary' : 'multiclass',
      rows,
      accuracy: empty,
      precision: empty,
      recall: empty,
      f1: empty,
      rocAuc: empty,
      logLoss: empty,
      confusionMatrix: cm,
    }
  }
  if (binary) {
    const posLabel = input.posLabel ?? (classes.includes(1) ? 1 : classes[classes.length - 1]!)
    const prf = precisionRecallF1(input.yTrue, input.yPred, { average: 'binary', posLabel })
    const neg = classes.find((c) => c !== posLabel)
    const labels = neg === undefined ? undefined : [neg, posLabel]
    const scored = input.yScore
    return {
      task: 'binary',
      rows,
      accuracy: value(accuracy(input.yTrue, input.yPred)),
      precision: value(
        prf.precision,
        prf.warnings.filter((w) => w.includes('Precision')),
      ),
      recall: value(
        prf.recall,
        prf.warnings.filter((w) => w.includes('Recall')),
      ),
      f1: value(
        prf.f1,
        prf.warnings.filter((w) => w.includes('F-score')),
      ),
      rocAuc: scored
        ? rocAuc(input.yTrue, scored, posLabel)
        : none('no scores (probability of the positive class) were given'),
      logLoss: scored
        ? logLoss(input.yTrue, scored, labels ? { labels } : {})
        : none('no probabilities were given'),
      confusionMatrix: cm,
    }
  }
  const prf = precisionRecallF1(input.yTrue, input.yPred, { average: 'macro', labels: classes })
  return {
    task: 'multiclass',
    rows,
    accuracy: value(accuracy(input.yTrue, input.yPred)),
    precision: value(
      prf.precision,
      prf.warnings.filter((w) => w.includes('Precision')),
    ),
    recall: value(
      prf.recall,
      prf.warnings.filter((w) => w.includes('Recall')),
    ),
    f1: value(
      prf.f1,
      prf.warnings.filter((w) => w.includes('F-score')),
    ),
    rocAuc: input.yProba
      ? rocAucOvr(input.yTrue, input.yProba, classes)
      : none('no class probabilities were given'),
    logLoss: input.yProba
      ? logLoss(input.yTrue, input.yProba, { labels: classes })
      : none('no class probabilities were given'),
    confusionMatrix: cm,
  }
}

export interface RegressionQuality {
  rows: number
  mae: MetricValue
  mse: MetricValue
  rmse: MetricValue
  r2: MetricValue
  mape: MetricValue
}

export function regressionQuality(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionQuality {
  const rows = yTrue.length
  if (rows === 0) {
    const empty = none('no rows with both a prediction and ground truth in the window')
    return { rows, mae: empty, mse: empty, rmse: empty, r2: empty, mape: empty }
  }
  const m = regressionMetrics(yTrue, yPred)
  return {
    rows,
    mae: value(m.mae),
    mse: value(m.mse),
    rmse: value(m.rmse),
    r2: m.r2Note ? { value: m.r2, warning: m.r2Note } : value(m.r2),
    mape: value(m.mape),
  }
}
