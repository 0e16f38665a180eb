import { describe, expect, it } from 'vitest'
import { parsePromotionPolicy } from '../../protocol/promotion-policy.js'
import { evaluatePolicy, type PolicySubject } from './evaluate-policy.js'

const subject = (
  version: string,
  metrics: Record<string, number>,
  tags: Record<string, string> = {},
): PolicySubject => ({
  version,
  runId: `run${version}`,
  metrics: new Map(Object.entries(metrics)),
  tags: new Map(Object.entries(tags)),
})

describe('evaluating a promotion policy', () => {
  const policy = parsePromotionPolicy({
    compare: [
      { metric: 'auc', goal: 'maximize', min_delta: 0.01 },
      { metric: 'loss', goal: 'minimize' },
    ],
    thresholds: [{ metric: 'acc', op: '>=', value: 0.55 }],
    require_tags: { validated: 'true' },
  })

  it('passes a candidate that beats the holder by the margin, comparing decimals as written', () => {
    const v = evaluatePolicy(
      policy,
      subject('2', { auc: 0.92, loss: 0.3, acc: 0.55 }, { validated: 'true' }),
      subject('1', { auc: 0.91, loss: 0.3, acc: 0.9 }),
    )
    expect(v.checks.map((c) => c.passed)).toEqual([true, true, true, true])
    expect(v.passed).toBe(true)
    expect(v.missing).toEqual([])
  })

  it('fails each rule that does not hold, saying why', () => {
    const v = evaluatePolicy(
      policy,
      subject('2', { auc: 0.915, loss: 0.31, acc: 0.5 }, { validated: 'no' }),
      subject('1', { auc: 0.91, loss: 0.3 }),
    )
    expect(v.passed).toBe(false)
    expect(v.checks.map((c) => c.message)).toEqual([
      'auc: 0.915 is not >= 0.91 + 0.01',
      'loss: 0.31 is not <= 0.3',
      'acc: 0.5 is not >= 0.55',
      "tag validated is 'no', not 'true'",
    ])
  })

  it('passes compare rules when nothing holds the alias yet', () => {
    const v = evaluatePolicy(
      policy,
      subject('1', { auc: 0.5, loss: 9, acc: 0.6 }, { validated: 'true' }),
      null,
    )
    expect(v.passed).toBe(true)
    expect(v.checks[0]).toMatchObject({ candidate: 0.5, passed: true })
    expect(v.checks[0]).not.toHaveProperty('current')
  })

  it('lists the metrics the runs lack and never passes NaN', () => {
    const v = evaluatePolicy(
      policy,
      subject('2', { auc: Number.NaN, acc: 1 }, { validated: 'true' }),
      subject('1', { auc: 0.5 }),
    )
    expect(v.missing).toEqual([
      "run run2 (version 2) has no metric 'loss'",
      "run run1 (version 1) has no metric 'loss'",
    ])
    expect(v.checks[0]!.passed).toBe(false)
    expect(v.passed).toBe(false)
  })
})
