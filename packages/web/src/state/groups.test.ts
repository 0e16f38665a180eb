import { describe, expect, it } from 'vitest'
import { toRow } from './columns.js'
import { groupRuns } from './groups.js'

const row = (id: string, opt: string | null, acc: number) =>
  toRow({
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
      params: opt === null ? [] : [{ key: 'opt', value: opt }],
      metrics: [{ key: 'acc', value: acc, timestamp: 0, step: 0 }],
    },
    inputs: {},
  })

describe('grouping runs', () => {
  it('counts runs per value and aggregates each metric; runs without the key come last', () => {
    const groups = groupRuns(
      [row('1', 'adam', 0.5), row('2', 'adam', 0.7), row('3', 'sgd', 0.9), row('4', null, 0.1)],
      'params.opt',
    )
    expect(groups.map((g) => [g.value, g.runs])).toEqual([
      ['adam', 2],
      ['sgd', 1],
      [undefined, 1],
    ])
    expect(groups[0]!.metrics.get('acc')).toEqual({ count: 2, mean: 0.6, min: 0.5, max: 0.7 })
  })
})
