import { describe, expect, it } from 'vitest'
import type { WireStep } from '../../../../src/protocol/pipeline-wire.js'
import { buildDag, stepStatus } from './dag.js'

const step = (step: string, status: WireStep['status'], extra: Partial<WireStep> = {}): WireStep => ({
  step_key: step,
  step,
  status,
  attempts: 1,
  cache_hit: false,
  message: '',
  log_bytes: 0,
  position: 0,
  ...extra,
})

describe('pipeline DAG', () => {
  const spec = {
    steps: [
      { name: 'prepare', dependsOn: [] },
      { name: 'train', dependsOn: ['prepare'] },
      { name: 'score', dependsOn: [], inputs: { model: { step: 'train', artifact: 'model' } } },
      { name: 'report', dependsOn: ['prepare', 'score'] },
    ],
    onExit: { name: 'notify' },
  }

  it('layers steps by their longest dependency chain, with edges from dependsOn and artifact inputs', () => {
    const nodes = buildDag(spec, [])
    const at = Object.fromEntries(nodes.map((n) => [n.name, [n.layer, n.deps.sort()]]))
    expect(at).toEqual({
      prepare: [0, []],
      train: [1, ['prepare']],
      score: [2, ['train']],
      report: [3, ['prepare', 'score']],
      notify: [4, []],
    })
    expect(nodes.find((n) => n.name === 'notify')?.onExit).toBe(true)
  })

  it('sums a fan-out step’s items: progress, cache hits, and the status that matters most', () => {
    const rows = [
      step('train', 'succeeded', { step_key: 'train[0]', cache_hit: true }),
      step('train', 'running', { step_key: 'train[1]' }),
      step('train', 'pending', { step_key: 'train[2]' }),
    ]
    const train = buildDag(spec, rows).find((n) => n.name === 'train')!
    expect(train).toMatchObject({ status: 'running', total: 3, done: 1, cached: 1 })
    expect(stepStatus([step('a', 'succeeded'), step('a', 'failed')])).toBe('failed')
    expect(stepStatus([step('a', 'skipped')])).toBe('skipped')
    expect(stepStatus([])).toBe('pending')
  })

  it('still shows steps it cannot find in the spec', () => {
    expect(buildDag(null, [step('mystery', 'succeeded')]).map((n) => n.name)).toEqual(['mystery'])
  })
})
