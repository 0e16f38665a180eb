/** Binary classification metrics on P(UP): accuracy, ROC AUC, F1 (UP is positive) and log loss. */

export interface Scores {
  accuracy: number
  roc_auc: number
  f1: number
  log_loss: number
}

const EPS = 1e-15

/** ROC AUC as the Mann–Whitney statistic, ties counted half (what scikit-learn's roc_auc_score gives). */
export function rocAuc(labels: ArrayLike<number>, proba: ArrayLike<number>): number {
  const n = labels.length
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => proba[a]! - proba[b]!)
  let rankSumPos = 0
  let pos = 0
  for (let i = 0; i < n;) {
    let j = i
    while (j + 1 < n && proba[order[j + 1]!] === proba[order[i]!]) j++
    const midRank = (i + j) / 2 + 1
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!] === 1) {
        rankSumPos += midRank
        pos++
      }
    }
    i = j + 1
  }
  const neg = n - pos
  if (pos === 0 || neg === 0) return Number.NaN
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg)
}

export function score(labels: ArrayLike<number>, proba: ArrayLike<number>, threshold = 0.5): Scores {
  const n = labels.length
  let correct = 0
  let tp = 0
  let fp = 0
  let fn = 0
  let loss = 0
  for (let i = 0; i < n; i++) {
    const y = labels[i]!
    const p = Math.min(Math.max(proba[i]!, EPS), 1 - EPS)
    const yhat = proba[i]! >= threshold ? 1 : 0
    if (yhat === y) correct++
    if (yhat === 1 && y === 1) tp++
    else if (yhat === 1) fp++
    else if (y === 1) fn++
    loss -= y === 1 ? Math.log(p) : Math.log(1 - p)
  }
  return {
    accuracy: correct / n,
    roc_auc: rocAuc(labels, proba),
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
    log_loss: loss / n,
  }
}

/**
 * The "always UP" baseline: it predicts UP every day, with P(UP) the share of UP days in the
 * training period (a constant score, so its AUC is 0.5 and its log loss is the entropy left to beat).
 */
export function baselineScores(labels: ArrayLike<number>, trainUpRate: number): Scores {
  return score(labels, new Float64Array(labels.length).fill(trainUpRate), 0)
}
