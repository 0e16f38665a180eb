import { describe, expect, it } from 'vitest'
import { parsePromotionPolicy, promotionPolicyToDocument } from './promotion-policy.js'

describe('promotion policy documents', () => {
  it('fills defaults and reads back its own document unchanged', () => {
    const p = parsePromotionPolicy({
      compare: [{ metric: 'auc', goal: 'maximize' }],
      require_tags: { validated: true, n: 1 },
    })
    expect(p).toEqual({
      alias: 'champion',
      description: '',
      requireTags: { validated: 'true', n: '1' },
      compare: [{ metric: 'auc', goal: 'maximize', minDelta: 0 }],
      thresholds: [],
    })
    const doc = promotionPolicyToDocument(p)
    expect(parsePromotionPolicy(doc)).toEqual(p)
    expect(promotionPolicyToDocument(parsePromotionPolicy(doc))).toEqual(doc)
  })

  it('reports every problem with its path', () => {
    let message = ''
    try {
      parsePromotionPolicy({
        alias: 'v3',
        extra: 1,
        compare: [{ metric: '', goal: 'up', min_delta: -1 }, 'auc'],
        thresholds: [{ metric: 'acc', op: '=>', value: 'high' }],
        require_tags: { a: { b: 1 } },
      })
    } catch (err) {
      message = (err as Error).message
    }
    for (const part of [
      'policy.extra: unknown key',
      "policy.alias: Version alias name 'v3' is reserved.",
      'policy.compare[0].metric: must be a metric name',
      "policy.compare[0].goal: must be one of maximize, minimize, got 'up'",
      'policy.compare[0].min_delta: must be 0 or more, got -1',
      'policy.compare[1]: must be a mapping',
      "policy.thresholds[0].op: must be one of > >= < <= == !=, got '=>'",
      "policy.thresholds[0].value: must be a finite number, got 'high'",
      'policy.require_tags.a: must be a string',
    ]) {
      expect(message).toContain(part)
    }
    expect(() => parsePromotionPolicy([1])).toThrow('expected a mapping')
    expect(() => parsePromotionPolicy({ alias: '' })).toThrow('policy.alias')
  })
})
