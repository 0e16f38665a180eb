import { describe, expect, it } from 'vitest'
import { parseRunsView, runsViewQuery, type RunsView } from './runs-view.js'

describe('runs view state in the URL', () => {
  it('round-trips every field through the query string', () => {
    const view: RunsView = {
      experimentIds: ['1', '7'],
      filter: "metrics.acc > 0.9 OR params.opt = 'a,b'",
      sort: { column: 'metrics.f1 score', ascending: false },
      columns: ['metrics.acc', 'params.a,b', 'tags.team'],
      groupBy: 'params.opt',
      selected: ['r1', 'r2'],
      tab: 'charts',
      x: 'time',
      smoothing: 0.6,
      scatter: { x: 'params.lr', y: 'metrics.acc' },
      parallel: ['params.lr', 'metrics.acc'],
      deleted: true,
    }
    expect(parseRunsView(new URLSearchParams(runsViewQuery(view).toString()))).toEqual(view)
  })

  it('reads an empty query as the default view and writes the default view as an empty query', () => {
    const view = parseRunsView(new URLSearchParams(''))
    expect(view).toMatchObject({
      experimentIds: [],
      filter: '',
      sort: null,
      columns: null,
      tab: 'table',
      x: 'step',
      smoothing: 0,
    })
    expect(runsViewQuery(view).toString()).toBe('')
  })

  it('ignores an unknown tab and clamps smoothing', () => {
    const view = parseRunsView(new URLSearchParams('tab=bogus&smooth=3'))
    expect(view.tab).toBe('table')
    expect(view.smoothing).toBe(0.99)
  })
})
