import { describe, expect, it } from 'vitest'
import type { PromotionOutcome } from '../../protocol/promotion-policy.js'
import type { RegistryEvent } from '../../protocol/registry-entities.js'
import { promotionReport, requirement } from './promotion.js'
import { changeText, fieldList } from './registry.js'
import { PLAIN } from './style.js'

const event = (e: Partial<RegistryEvent>): RegistryEvent => ({
  eventId: 1,
  name: 'm',
  timestamp: 1,
  userId: '',
  kind: 'alias_set',
  action: 'api',
  oldValue: null,
  newValue: null,
  ...e,
})

describe('registry formatting', () => {
  it('states what a compare rule requires in the holder’s numbers', () => {
    const base = { kind: 'compare' as const, metric: 'loss', passed: true, message: '' }
    expect(requirement({ ...base, goal: 'minimize', minDelta: 0.05, current: 0.3 })).toBe('<= 0.25 (-0.05)')
    expect(requirement({ ...base, goal: 'maximize', minDelta: 0, current: 0.3 })).toBe('>= 0.3')
    expect(requirement({ ...base, goal: 'maximize', minDelta: 0.01 })).toBe('maximize (nothing to beat)')
    expect(
      requirement({ kind: 'threshold', metric: 'a', op: '!=', value: 0, passed: true, message: '' }),
    ).toBe('!= 0')
  })

  it('describes each kind of audit event as a before → after', () => {
    expect(changeText(event({ kind: 'alias_set', oldValue: null, newValue: '4' }))).toBe('unset → 4')
    expect(changeText(event({ kind: 'alias_deleted', oldValue: '4' }))).toBe('4 → unset')
    expect(
      changeText(event({ kind: 'stage_transition', version: '2', oldValue: 'None', newValue: 'Production' })),
    ).toBe('v2: None → Production')
    expect(changeText(event({ kind: 'model_renamed', oldValue: 'a', newValue: 'b' }))).toBe('a → b')
    expect(changeText(event({ kind: 'version_deleted', version: '7' }))).toBe('- version 7')
    expect(changeText(event({ kind: 'policy_set', oldValue: '{}', newValue: '{}' }))).toBe('policy changed')
  })

  it('says when nothing was checked because the alias has no policy', () => {
    const outcome: PromotionOutcome = {
      name: 'm',
      alias: 'champion',
      candidate: { version: '2', runId: 'r' },
      checks: [],
      passed: false,
      dryRun: false,
      forced: true,
      moved: true,
      message: "Promoted: 'champion' unset → version 2 (forced): there is no policy.",
    }
    const text = promotionReport(outcome, { style: PLAIN })
    expect(text).toContain("Promote 'm' version 2 to 'champion' (now unset)")
    expect(text).toContain("(no promotion policy for 'champion': nothing was checked)")
    expect(text).toContain('Verdict: FAIL (forced). Promoted:')
  })

  it('aligns field lists on the longest label', () => {
    expect(
      fieldList(
        [
          ['A', '1'],
          ['Longer', '2'],
        ],
        PLAIN,
      ),
    ).toBe('A       1\nLonger  2\n')
  })
})
