import { describe, expect, it } from 'vitest'
import type { WireRun } from '../../../../src/protocol/wire.js'
import { compareCsv, defaultGoal, metricRows, paramRows } from './compare.js'

const run = (id: string, params: Record<string, string>, metrics: Record<string, number>): WireRun => ({
  info: {
    run_id: id,
    run_uuid: id,
    experiment_id: '1',
    run_name: id,
    user_id: '',
    status: 'FINISHED',
    start_time: 0,
    artifact_uri: '',
    lifecycle_stage: 'active',
  },
  data: {
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })),
    tags: [{ key: 'note', value: 'has, comma' }],
  },
  inputs: {},
})

const runs = [
  run('a', { lr: '0.1', opt: 'adam' }, { loss: 0.3, acc: 0.8 }),
  run('b', { lr: '0.1', opt: 'sgd', extra: 'x' }, { loss: 0.2, acc: 0.7 }),
]

describe('compare view', () => {
  it('marks params that differ, a missing one included', () => {
    expect(paramRows(runs).map((r) => [r.key, r.differs])).toEqual([
      ['extra', true],
      ['lr', false],
      ['opt', true],
    ])
  })

  it('marks the best metric value by goal: lower for losses, higher otherwise, flippable', () => {
    expect(defaultGoal('val_loss')).toBe('min')
    expect(defaultGoal('accuracy')).toBe('max')
    const rows = metricRows(runs, {})
    expect(rows.find((r) => r.key === 'loss')?.best).toBe(1)
    expect(rows.find((r) => r.key === 'acc')?.best).toBe(0)
    expect(metricRows(runs, { acc: 'min' }).find((r) => r.key === 'acc')?.best).toBe(1)
  })

  it('exports CSV with quoted fields and one column per run', () => {
    const csv = compareCsv(runs)
    const lines = csv.split('\r\n')
    expect(lines[0]).toBe('field,a,b')
    expect(lines).toContain('params.opt,adam,sgd')
    expect(lines).toContain('metrics.loss,0.3,0.2')
    expect(lines).toContain('tags.note,"has, comma","has, comma"')
  })
})
