/** Replays test/fixtures/stats-golden/quality.json (scikit-learn 1.2.1) against the quality metrics. */
import { describe, expect, it } from 'vitest'
import {
  accuracy,
  confusionMatrix,
  logLoss,
  precisionRecallF1,
  prfPerClass,
  rocAuc,
  rocAucOvr,
  type Average,
} from '../../src/monitoring/quality/classification.js'
import { regressionMetrics } from '../../src/monitoring/quality/regression.js'
import { classificationQuality, regressionQuality } from '../../src/monitoring/quality/summary.js'
import { expectStat, expectStats, loadGolden } from './golden.js'

interface QualityCase {
  name: string
  task: 'binary' | 'multiclass' | 'regression'
  inputs: { y_true: number[]; y_pred: number[]; y_score?: number[]; y_proba?: number[][] }
  expected: Record<string, any>
  warnings?: Record<string, string[]>
  errors?: Record<string, { type: string; message: string }>
}

const golden = loadGolden<{ cases: QualityCase[] }>('quality.json')

/** Our warnings for a golden metric key, by the metric family the key names. */
function warnedFamily(key: string, warnings: string[]): boolean {
  const family = key.startsWith('precision')
    ? 'Precision'
    : key.startsWith('recall')
      ? 'Recall'
      : key.startsWith('f1')
        ? 'F-score'
        : '?'
  return warnings.some((w) => w.includes(`${family} is ill-defined`))
}

function expectValue(actual: { value: number | null; error?: string }, c: QualityCase, key: string): void {
  const err = c.errors?.[key]
  if (err) {
    expect(actual.value, key).toBeNull()
    expect(actual.error, key).toBe(err.message)
  } else {
    expect(actual.error, key).toBeUndefined()
    expectStat(actual.value!, c.expected[key], key)
  }
}

describe('quality metrics match stats-golden/quality.json', () => {
  it('holds the 14 documented cases', () => {
    expect(golden.cases).toHaveLength(14)
  })

  for (const c of golden.cases) {
    const { y_true: yTrue, y_pred: yPred } = c.inputs
    const e = c.expected
    if (c.task === 'binary') {
      describe(c.name, () => {
        it("computes accuracy, precision, recall and F1 with sklearn's zero-division warnings", () => {
          expectStat(accuracy(yTrue, yPred), e.accuracy, 'accuracy')
          const prf = precisionRecallF1(yTrue, yPred, { average: 'binary', posLabel: 1 })
          expectStat(prf.precision, e.precision, 'precision')
          expectStat(prf.recall, e.recall, 'recall')
          expectStat(prf.f1, e.f1, 'f1')
          for (const key of ['precision', 'recall', 'f1']) {
            expect(warnedFamily(key, prf.warnings), `${key} warning`).toBe(Boolean(c.warnings?.[key]))
          }
        })

        it('builds the confusion matrix, with and without explicit labels', () => {
          expect(confusionMatrix(yTrue, yPred).matrix).toEqual(e.confusion_matrix)
          expect(confusionMatrix(yTrue, yPred, [0, 1]).matrix).toEqual(e.confusion_matrix_labels_0_1)
        })

        it('computes ROC AUC with ties as one half, or refuses one class', () => {
          expectValue(rocAuc(yTrue, c.inputs.y_score!), c, 'roc_auc')
        })

        it('computes log loss with eps clipping, or refuses one class without labels', () => {
          expectValue(logLoss(yTrue, c.inputs.y_score!), c, 'log_loss')
          expectValue(logLoss(yTrue, c.inputs.y_score!, { labels: [0, 1] }), c, 'log_loss_labels_0_1')
          if ('log_loss_eps_1e_15' in e)
            expectValue(logLoss(yTrue, c.inputs.y_score!, { eps: 1e-15 }), c, 'log_loss_eps_1e_15')
        })

        it('summarises the same values for live quality', () => {
          const q = classificationQuality({ yTrue, yPred, yScore: c.inputs.y_score!, classes: [0, 1] })
          expect(q.task).toBe('binary')
          expectStat(q.accuracy.value!, e.accuracy, 'accuracy')
          expectStat(q.f1.value!, e.f1, 'f1')
          expectValue(q.rocAuc, c, 'roc_auc')
          expectValue(q.logLoss, c, 'log_loss_labels_0_1')
          expect(Boolean(q.precision.warning)).toBe(Boolean(c.warnings?.precision))
        })
      })
    } else if (c.task === 'multiclass') {
      describe(c.name, () => {
        it('computes accuracy and macro, micro and weighted precision, recall and F1', () => {
          expectStat(accuracy(yTrue, yPred), e.accuracy, 'accuracy')
          for (const average of ['macro', 'micro', 'weighted'] as Average[]) {
            const prf = precisionRecallF1(yTrue, yPred, { average })
            expectStat(prf.precision, e[`precision_${average}`], `precision_${average}`)
            expectStat(prf.recall, e[`recall_${average}`], `recall_${average}`)
            expectStat(prf.f1, e[`f1_${average}`], `f1_${average}`)
            for (const m of ['precision', 'recall', 'f1']) {
              const key = `${m}_${average}`
              expect(warnedFamily(key, prf.warnings), `${key} warning`).toBe(Boolean(c.warnings?.[key]))
            }
          }
        })

        it('computes per-class values and the confusion matrix', () => {
          const per = prfPerClass(yTrue, yPred)
          expectStats(per.precision, e.precision_per_class, 'precision_per_class')
          expectStats(per.recall, e.recall_per_class, 'recall_per_class')
          expectStats(per.f1, e.f1_per_class, 'f1_per_class')
          expect(warnedFamily('precision_per_class', per.warnings)).toBe(
            Boolean(c.warnings?.precision_per_class),
          )
          expect(confusionMatrix(yTrue, yPred).matrix).toEqual(e.confusion_matrix)
        })

        it('computes log loss (rows renormalised) and one-vs-rest ROC AUC, or refuses non-probabilities', () => {
          expectValue(logLoss(yTrue, c.inputs.y_proba!), c, 'log_loss')
          expectValue(rocAucOvr(yTrue, c.inputs.y_proba!), c, 'roc_auc_ovr_macro')
          const q = classificationQuality({ yTrue, yPred, yProba: c.inputs.y_proba!, classes: [0, 1, 2] })
          expect(q.task).toBe('multiclass')
          expectStat(q.f1.value!, e.f1_macro, 'f1_macro')
          expectValue(q.rocAuc, c, 'roc_auc_ovr_macro')
        })
      })
    } else {
      describe(c.name, () => {
        it('computes MAE, MSE, RMSE, MAPE and R² with and without forcing it finite', () => {
          const m = regressionMetrics(yTrue, yPred)
          expectStat(m.mae, e.mae, 'mae')
          expectStat(m.mse, e.mse, 'mse')
          expectStat(m.rmse, e.rmse, 'rmse')
          expectStat(m.mape, e.mape, 'mape')
          expectStat(m.r2, e.r2, 'r2')
          expectStat(m.r2Raw, e.r2_not_forced_finite, 'r2_not_forced_finite')
          expect(Boolean(m.r2Note)).toBe(Boolean(c.warnings?.r2_not_forced_finite))
          const q = regressionQuality(yTrue, yPred)
          expect(q.r2.value).toBe(m.r2)
          expect(Number.isFinite(q.r2.value)).toBe(true)
        })
      })
    }
  }

  it('reports every metric as undefined for an empty window', () => {
    const q = classificationQuality({ yTrue: [], yPred: [] })
    expect(q.accuracy).toEqual({
      value: null,
      error: 'no rows with both a prediction and ground truth in the window',
    })
    expect(regressionQuality([], []).rmse.value).toBeNull()
  })
})
