import { describe, expect, it } from 'vitest'
import { quality } from './core-adapter.js'
import type { LabelledRows } from './ground-truth.js'

const rows = (l: Partial<LabelledRows>): LabelledRows => ({
  times: [],
  predicted: [],
  truth: [],
  scores: null,
  unmatched: 0,
  output: 'label',
  scoreOutput: null,
  ...l,
})

describe('live quality through the core', () => {
  it('computes accuracy, F1 and AUC of binary predictions, comparing labels sent as text or numbers alike', () => {
    const q = quality(
      ['accuracy', 'f1', 'auc'],
      rows({ truth: ['1', '0', '1', '0'], predicted: [1, 0, 0, 0], scores: [0.9, 0.2, 0.4, 0.3] }),
      {},
    )
    expect(q['accuracy']).toEqual({ value: 0.75 })
    expect(q['f1']!.value).toBeCloseTo(2 / 3, 12)
    expect(q['auc']).toEqual({ value: 1 })
  })

  it('leaves out rows without a prediction and says why AUC has no value without scores', () => {
    const q = quality(['accuracy', 'auc'], rows({ truth: [1, 0, 1], predicted: [1, null, 1] }), {})
    expect(q['accuracy']).toEqual({ value: 1 })
    expect(q['auc']!.value).toBeNull()
    expect(q['auc']!.explanation).toContain('no scores')
  })

  it('computes MAE and RMSE of regressions, and refuses text for them with a reason', () => {
    const q = quality(['mae', 'rmse'], rows({ truth: [1, 2, 4], predicted: [1, 3, 2] }), {})
    expect(q['mae']!.value).toBeCloseTo(1, 12)
    expect(q['rmse']!.value).toBeCloseTo(Math.sqrt(5 / 3), 12)
    const bad = quality(['mae'], rows({ truth: ['a'], predicted: [1] }), {})
    expect(bad['mae']).toEqual({
      value: null,
      explanation: 'ground truth and predictions must be numbers for regression metrics',
    })
  })

  it('has no value, with the reason, for an empty window', () => {
    const q = quality(['accuracy'], rows({}), {})
    expect(q['accuracy']!.value).toBeNull()
    expect(q['accuracy']!.explanation).toContain('no rows')
  })
})
