import { describe, expect, it } from 'vitest'
import { baselineScores, rocAuc, score } from './metrics.js'

describe('classification metrics', () => {
  it('gives ROC AUC 1 for a perfect ranking, 0 for a reversed one and 0.5 for ties', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1)
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0)
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5)
    // One of four positive/negative pairs is misordered, and one is tied: (2 + 0.5) / 4.
    expect(rocAuc([0, 1, 0, 1], [0.1, 0.4, 0.4, 0.9])).toBeCloseTo(3.5 / 4, 12)
    expect(rocAuc([1, 1], [0.3, 0.4])).toBeNaN()
  })

  it('counts accuracy, F1 of UP and log loss at the threshold', () => {
    const s = score([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1])
    expect(s.accuracy).toBe(0.5)
    // tp 1, fp 1, fn 1.
    expect(s.f1).toBeCloseTo(0.5, 12)
    expect(s.log_loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.4) + Math.log(0.4) + Math.log(0.9)) / 4, 12)
    expect(score([1, 0], [1, 0]).log_loss).toBeLessThan(1e-12)
  })

  it('scores "always UP" as the share of UP days, with the training base rate as its probability', () => {
    const b = baselineScores([1, 1, 1, 0], 0.6)
    expect(b.accuracy).toBe(0.75)
    expect(b.roc_auc).toBe(0.5)
    expect(b.f1).toBeCloseTo((2 * 0.75) / 1.75, 12)
    expect(b.log_loss).toBeCloseTo(-(3 * Math.log(0.6) + Math.log(0.4)) / 4, 12)
  })
})
