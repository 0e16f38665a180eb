import { describe, expect, it } from 'vitest'
import type { RegistryEvent, RegistryEventAction } from '../../protocol/registry-entities.js'
import { monotonicClock } from './monotonic-clock.js'
import { rollbackStep } from './rollback.js'

const ROLLBACK = Symbol('rollback')
const REFUSED = Symbol('refused')

/** Applies moves and rollbacks as the service does, returning where the alias ends up each time. */
/** Steps: a version to move to, null to delete the alias, or ROLLBACK. */
function replay(steps: (string | null | typeof ROLLBACK)[]): (string | null | typeof REFUSED)[] {
  const events: RegistryEvent[] = []
  let current: string | null = null
  const out: (string | null | typeof REFUSED)[] = []
  const record = (to: string | null, action: RegistryEventAction): void => {
    events.unshift({
      eventId: events.length + 1,
      name: 'm',
      timestamp: events.length,
      userId: '',
      kind: to === null ? 'alias_deleted' : 'alias_set',
      action,
      alias: 'champion',
      oldValue: current,
      newValue: to,
    })
    current = to
  }
  for (const s of steps) {
    if (s !== ROLLBACK) {
      record(s, 'api')
      out.push(current)
      continue
    }
    const step = rollbackStep(events)
    if (step === null || step.target === null) out.push(REFUSED)
    else {
      record(step.target, 'rollback')
      out.push(current)
    }
  }
  return out
}

describe('rollback targets', () => {
  it('walks back one move per rollback, then refuses', () => {
    expect(replay(['1', '2', '3', ROLLBACK, ROLLBACK, ROLLBACK])).toEqual(['1', '2', '3', '2', '1', REFUSED])
  })

  it('rolls back a move made after rollbacks first, then continues below it', () => {
    expect(replay(['1', '2', '3', ROLLBACK, '4', ROLLBACK, ROLLBACK, ROLLBACK])).toEqual([
      '1',
      '2',
      '3',
      '2',
      '4',
      '2',
      '1',
      REFUSED,
    ])
  })

  it('restores the version a deletion removed', () => {
    expect(replay(['1', '2', null, ROLLBACK, ROLLBACK])).toEqual(['1', '2', null, '2', '1'])
  })

  it('ignores events that are not alias moves and finds nothing for an alias that never moved', () => {
    const policy: RegistryEvent = {
      eventId: 1,
      name: 'm',
      timestamp: 0,
      userId: '',
      kind: 'policy_set',
      action: 'api',
      alias: 'champion',
      oldValue: null,
      newValue: '{}',
    }
    expect(rollbackStep([policy])).toBeNull()
    expect(rollbackStep([])).toBeNull()
  })
})

describe('the registry clock', () => {
  it('never repeats or goes back a millisecond', () => {
    const times = [5, 5, 5, 4, 9, 9]
    let i = 0
    const clock = monotonicClock({ now: () => times[i++]! })
    expect(times.map(() => clock.now())).toEqual([5, 6, 7, 8, 9, 10])
  })
})
