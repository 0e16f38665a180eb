import { describe, expect, it } from 'vitest'
import { cellValue, discoverColumns, orderByClause, searchKey, toRow } from './columns.js'

const run = toRow({
  info: {
    run_id: 'abc',
    run_uuid: 'abc',
    experiment_id: '1',
    run_name: 'r',
    user_id: 'u',
    status: 'FINISHED',
    start_time: 10,
    artifact_uri: '',
    lifecycle_stage: 'active',
  },
  data: {
    metrics: [
      { key: 'acc', value: 0.5, timestamp: 1, step: 1 },
      { key: 'bad', value: 'NaN', timestamp: 1, step: 1 },
    ],
    params: [{ key: 'lr', value: '0.1' }],
    tags: [
      { key: 'team', value: 'risk' },
      { key: 'mlflow.user', value: 'u' },
    ],
  },
  inputs: {},
})

describe('runs-table columns', () => {
  it('reads metrics as numbers (NaN too), params and tags as text, attributes by name', () => {
    expect(cellValue(run, 'metrics.acc')).toBe(0.5)
    expect(cellValue(run, 'metrics.bad')).toBeNaN()
    expect(cellValue(run, 'params.lr')).toBe('0.1')
    expect(cellValue(run, 'tags.team')).toBe('risk')
    expect(cellValue(run, 'attributes.start_time')).toBe(10)
    expect(cellValue(run, 'metrics.missing')).toBeUndefined()
  })

  it('quotes keys the search language cannot read bare, for sorting and filtering', () => {
    expect(searchKey('metrics.acc')).toBe('metrics.acc')
    expect(searchKey('metrics.f1-score')).toBe('metrics.`f1-score`')
    expect(searchKey('tags.mlflow.note')).toBe('tags.`mlflow.note`')
    expect(orderByClause({ column: 'params.learning rate', ascending: false })).toEqual([
      'params.`learning rate` DESC',
    ])
    expect(orderByClause(null)).toEqual([])
  })

  it("discovers columns from runs, leaving MLflow's system tags out", () => {
    const keys = { metrics: new Set<string>(), params: new Set<string>(), tags: new Set<string>() }
    expect(discoverColumns([run], keys)).toBe(true)
    expect(discoverColumns([run], keys)).toBe(false)
    expect([...keys.tags]).toEqual(['team'])
    expect([...keys.metrics].sort()).toEqual(['acc', 'bad'])
  })
})
