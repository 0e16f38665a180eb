import { describe, expect, it } from 'vitest'
import type { Scores } from '../lib/metrics.js'
import { pickBest } from './evaluate.js'
import type { TrainReport } from './train.js'

const GATE = { minAuc: 0.5, minAccuracyLift: 0, minLogLossGain: 0 }
const BASE: Scores = { accuracy: 0.52, roc_auc: 0.5, f1: 0.68, log_loss: 0.6925 }

function report(model: string, val: Partial<Scores>): TrainReport {
  const s = { ...BASE, ...val }
  return {
    model,
    run_id: model,
    model_uri: `runs:/${model}/model`,
    val: s,
    test: s,
    baseline_val: BASE,
    baseline_test: BASE,
    periods: { train: '', val: '', test: '' },
  }
}

describe('picking the model to register', () => {
  it('takes the best validation AUC among the models that beat "always UP", and passes', () => {
    const lr = report('lr', { roc_auc: 0.521, accuracy: 0.53, log_loss: 0.692 })
    const rf = report('rf', { roc_auc: 0.525, accuracy: 0.535, log_loss: 0.6921 })
    expect(pickBest([lr, rf], GATE)).toEqual({ best: rf, passed: true })
  })

  it('passes over a higher AUC whose log loss or accuracy loses to the baseline', () => {
    const lr = report('lr', { roc_auc: 0.5217, accuracy: 0.5317, log_loss: 0.6921 })
    const worseLoss = report('rf', { roc_auc: 0.5219, accuracy: 0.53, log_loss: 0.6928 })
    const worseAccuracy = report('gb', { roc_auc: 0.54, accuracy: 0.51, log_loss: 0.69 })
    expect(pickBest([worseLoss, lr, worseAccuracy], GATE)).toEqual({ best: lr, passed: true })
  })

  it('fails with the best AUC when no model beats the baseline, and breaks AUC ties by log loss', () => {
    const a = report('a', { roc_auc: 0.49, accuracy: 0.53, log_loss: 0.69 })
    const b = report('b', { roc_auc: 0.51, accuracy: 0.5, log_loss: 0.7 })
    expect(pickBest([a, b], GATE)).toEqual({ best: b, passed: false })
    const c = report('c', { roc_auc: 0.52, accuracy: 0.53, log_loss: 0.6915 })
    const d = report('d', { roc_auc: 0.52, accuracy: 0.53, log_loss: 0.691 })
    expect(pickBest([c, d], GATE).best).toBe(d)
    expect(() => pickBest([], GATE)).toThrow('no trained models to evaluate')
  })

  it('never passes a NaN AUC (a period with one class only)', () => {
    const nan = report('nan', { roc_auc: Number.NaN, accuracy: 0.6, log_loss: 0.6 })
    expect(pickBest([nan], GATE)).toEqual({ best: nan, passed: false })
  })
})
