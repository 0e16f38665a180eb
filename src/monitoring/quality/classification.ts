/**
 * Classification quality with scikit-learn's semantics (1.2): accuracy, confusion matrix,
 * precision / recall / F1 (binary, macro, micro, weighted, per class; 0/0 → 0 with a warning,
 * as zero_division='warn'), ROC AUC (ties count one half; one-vs-rest macro for several classes),
 * and log loss (eps-clipped, rows renormalised). Undefined metrics are null with sklearn's reason.
 */
import { Sum } from '../stats/divergence.js'
import { checkLengths, labelIndex, sortedLabels, type Label, type MetricValue } from './labels.js'

export type Average = 'binary' | 'macro' | 'micro' | 'weighted'

/** np.finfo(float64).eps: sklearn ≥ 1.2's eps='auto' for float64 probabilities. */
export const FLOAT64_EPS = 2.220446049250313e-16

export function accuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  checkLengths('accuracy', yTrue, yPred)
  let ok = 0
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++
  return ok / yTrue.length
}

export interface ConfusionMatrix {
  /** Row and column order. */
  labels: Label[]
  /** Rows are true labels, columns predicted labels. */
  matrix: number[][]
}

export function confusionMatrix(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  labels?: readonly Label[],
): ConfusionMatrix {
  checkLengths('confusionMatrix', yTrue, yPred)
  const order = labels ? [...labels] : sortedLabels(yTrue, yPred)
  const index = labelIndex(order)
  const matrix = order.map(() => new Array<number>(order.length).fill(0))
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]!)
    const p = index.get(yPred[i]!)
    if (t !== undefined && p !== undefined) matrix[t]![p]!++
  }
  return { labels: order, matrix }
}

export interface PrfResult {
  precision: number
  recall: number
  f1: number
  warnings: string[]
}

export interface PrfPerClass {
  labels: Label[]
  precision: number[]
  recall: number[]
  f1: number[]
  support: number[]
  warnings: string[]
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den)
const f1Of = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r))

function warning(metric: 'Precision' | 'Recall' | 'F-score', plural: boolean): string {
  const why =
    metric === 'Precision'
      ? 'no predicted samples'
      : metric === 'Recall'
        ? 'no true samples'
        : 'no true nor predicted samples'
  return `UndefinedMetricWarning: ${metric} is ill-defined and being set to 0.0 ${plural ? 'in labels with' : 'due to'} ${why}.`
}

/** Precision, recall and F1 per class (average=None). */
export function prfPerClass(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  labels?: readonly Label[],
): PrfPerClass {
  const cm = confusionMatrix(yTrue, yPred, labels ?? sortedLabels(yTrue, yPred))
  const k = cm.labels.length
  const tp = cm.matrix.map((row, i) => row[i]!)
  const predicted = cm.labels.map((_, j) => cm.matrix.reduce((a, row) => a + row[j]!, 0))
  const support = cm.matrix.map((row) => row.reduce((a, b) => a + b, 0))
  const precision = tp.map((t, i) => ratio(t, predicted[i]!))
  const recall = tp.map((t, i) => ratio(t, support[i]!))
  const f1 = precision.map((p, i) => f1Of(p, recall[i]!))
  const warnings: string[] = []
  if (predicted.some((p) => p === 0)) warnings.push(warning('Precision', k > 1))
  if (support.some((s) => s === 0)) warnings.push(warning('Recall', k > 1))
  if (predicted.some((p, i) => p === 0 && support[i] === 0)) warnings.push(warning('F-score', k > 1))
  return { labels: cm.labels, precision, recall, f1, support, warnings }
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

/** sklearn's precision_score / recall_score / f1_score for one `average`. */
export function precisionRecallF1(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  opts: { average: Average; posLabel?: Label; labels?: readonly Label[] },
): PrfResult {
  if (opts.average === 'binary') {
    const pos = opts.posLabel ?? 1
    let tp = 0
    let predicted = 0
    let actual = 0
    for (let i = 0; i < yTrue.length; i++) {
      const t = yTrue[i] === pos
      const p = yPred[i] === pos
      if (p) predicted++
      if (t) actual++
      if (t && p) tp++
    }
    const precision = ratio(tp, predicted)
    const recall = ratio(tp, actual)
    const warnings: string[] = []
    if (predicted === 0) warnings.push(warning('Precision', false))
    if (actual === 0) warnings.push(warning('Recall', false))
    if (predicted === 0 && actual === 0) warnings.push(warning('F-score', false))
    return { precision, recall, f1: f1Of(precision, recall), warnings }
  }
  const per = prfPerClass(yTrue, yPred, opts.labels)
  if (opts.average === 'micro') {
    let tp = 0
    for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) tp++
    const p = ratio(tp, yTrue.length)
    return { precision: p, recall: p, f1: f1Of(p, p), warnings: [] }
  }
  if (opts.average === 'macro') {
    return {
      precision: mean(per.precision),
      recall: mean(per.recall),
      f1: mean(per.f1),
      warnings: per.warnings,
    }
  }
  const total = per.support.reduce((a, b) => a + b, 0)
  const weighted = (xs: number[]): number =>
    total === 0 ? 0 : xs.reduce((a, x, i) => a + x * per.support[i]!, 0) / total
  return {
    precision: weighted(per.precision),
    recall: weighted(per.recall),
    f1: weighted(per.f1),
    warnings: per.warnings,
  }
}

/** Binary ROC AUC as Mann–Whitney U / (n_pos · n_neg): ties between a positive and a negative count one half. */
export function rocAuc(yTrue: ArrayLike<Label>, yScore: ArrayLike<number>, posLabel: Label = 1): MetricValue {
  checkLengths('rocAuc', yTrue, yScore)
  if (sortedLabels(yTrue).length < 2) {
    return {
      value: null,
      error: 'Only one class present in y_true. ROC AUC score is not defined in that case.',
    }
  }
  const pos: number[] = []
  const neg: number[] = []
  for (let i = 0; i < yTrue.length; i++) (yTrue[i] === posLabel ? pos : neg).push(yScore[i]!)
  if (pos.some(Number.isNaN) || neg.some(Number.isNaN)) return { value: null, error: 'Input contains NaN.' }
  const p = Float64Array.from(pos).sort()
  const n = Float64Array.from(neg).sort()
  let below = 0
  let j = 0
  let u = 0
  for (let i = 0; i < p.length; i++) {
    while (j < n.length && n[j]! < p[i]!) j++
    below = j
    let k = j
    while (k < n.length && n[k] === p[i]) k++
    u += below + (k - j) / 2
  }
  return { value: u / (p.length * n.length) }
}

/** One-vs-rest macro ROC AUC over the columns of `proba` (classes in `classes` order). */
export function rocAucOvr(
  yTrue: ArrayLike<Label>,
  proba: readonly ArrayLike<number>[],
  classes?: readonly Label[],
): MetricValue {
  const labels = classes ? [...classes] : sortedLabels(yTrue)
  for (const row of proba) {
    const s = Array.from(row).reduce((a, b) => a + b, 0)
    // np.allclose(1, sum): |1 − sum| ≤ 1e-8 + 1e-5 · |sum|
    if (!(Math.abs(1 - s) <= 1e-8 + 1e-5 * Math.abs(s))) {
      return {
        value: null,
        error:
          'Target scores need to be probabilities for multiclass roc_auc, i.e. they should sum up to 1.0 over classes',
      }
    }
  }
  if (proba.some((row) => row.length !== labels.length)) {
    return {
      value: null,
      error: `Number of classes in y_true not equal to the number of columns in 'y_score'`,
    }
  }
  const aucs: number[] = []
  for (let c = 0; c < labels.length; c++) {
    const yc = Array.from(yTrue, (y) => (y === labels[c] ? 1 : 0))
    const r = rocAuc(
      yc,
      proba.map((row) => row[c]!),
      1,
    )
    if (r.value === null) return r
    aucs.push(r.value)
  }
  return { value: mean(aucs) }
}

/**
 * log_loss: probabilities clipped to [eps, 1 − eps], each row divided by its sum, then the mean
 * of −ln p(true class). `proba` is a probability of `labels[1]` per row (binary) or a row per
 * sample with one column per label.
 */
export function logLoss(
  yTrue: ArrayLike<Label>,
  proba: ArrayLike<number> | readonly ArrayLike<number>[],
  opts: { labels?: readonly Label[]; eps?: number } = {},
): MetricValue {
  const eps = opts.eps ?? FLOAT64_EPS
  const labels = opts.labels ? [...opts.labels] : sortedLabels(yTrue)
  if (labels.length === 1) {
    return {
      value: null,
      error: `y_true contains only one label (${String(labels[0])}). Please provide the true labels explicitly through the labels argument.`,
    }
  }
  const clip = (p: number): number => Math.min(1 - eps, Math.max(eps, p))
  const rows: number[][] = []
  for (let i = 0; i < yTrue.length; i++) {
    const r = proba[i]!
    rows.push(typeof r === 'number' ? [1 - clip(r), clip(r)] : Array.from(r, clip))
  }
  if (rows.some((r) => r.length !== labels.length)) {
    return {
      value: null,
      error: `y_true and y_pred contain different number of classes ${labels.length}, ${rows[0]?.length ?? 0}. Please provide the true labels explicitly through the labels argument.`,
    }
  }
  const index = labelIndex(labels)
  const loss = new Sum()
  for (let i = 0; i < rows.length; i++) {
    const k = index.get(yTrue[i]!)
    if (k === undefined)
      return { value: null, error: `y_true contains a label not in labels: ${String(yTrue[i])}` }
    const row = rows[i]!
    const sum = row.reduce((a, b) => a + b, 0)
    loss.add(-Math.log(row[k]! / sum))
  }
  return { value: loss.value / rows.length }
}
