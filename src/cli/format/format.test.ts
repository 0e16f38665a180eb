import { describe, expect, it } from 'vitest'
import type { Run } from '../../protocol/entities.js'
import { orderByMetrics, parseColumn, pickColumns } from './run-columns.js'
import { PLAIN, styleFor, useColor, visibleWidth } from './style.js'
import { renderTable } from './table.js'
import { formatDuration, formatNumber, jsonText } from './values.js'

describe('renderTable', () => {
  it('aligns columns, right-aligning where asked, and trims line ends', () => {
    const text = renderTable(
      [{ header: 'Name' }, { header: 'Acc', align: 'right' }],
      [
        ['a', '0.5'],
        ['longer name', '10'],
      ],
    )
    expect(text).toBe(
      ['Name         Acc', '-----------  ---', 'a            0.5', 'longer name   10', ''].join('\n'),
    )
  })

  it('measures widths without color codes, and paints after padding', () => {
    const style = styleFor({ isTTY: true }, {})
    const text = renderTable(
      [{ header: 'S' }, { header: 'X' }],
      [[{ text: 'ok', paint: style.green }, 'x']],
      { style },
    )
    const row = text.split('\n')[2]!
    expect(row).toBe('\u001b[32mok\u001b[39m  x')
    expect(visibleWidth(row)).toBe(5)
  })

  it('cuts long cells only when a width limit is given', () => {
    const long = 'x'.repeat(60)
    expect(renderTable([{ header: 'V' }], [[long]])).toContain(long)
    const cut = renderTable([{ header: 'V' }], [[long]], { maxCellWidth: 10 })
    expect(cut).toContain('xxxxxxxxx…')
    expect(cut).not.toContain('x'.repeat(10))
  })

  it('prints section rows as titles without breaking alignment', () => {
    const text = renderTable(
      [{ header: 'K' }, { header: 'V' }],
      [['a', '1'], { section: 'More' }, ['bbb', '2']],
    )
    expect(text.split('\n')).toEqual(['K    V', '---  -', 'a    1', '', 'More', 'bbb  2', ''])
  })
})

describe('colors', () => {
  it('colors a TTY unless NO_COLOR is set or TERM is dumb; FORCE_COLOR colors pipes', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true)
    expect(useColor({ isTTY: false }, {})).toBe(false)
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false)
    expect(useColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false)
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true)
    expect(useColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true)
    expect(styleFor({ isTTY: false }, {})).toBe(PLAIN)
  })
})

describe('values', () => {
  it('formats numbers to six significant digits', () => {
    expect(formatNumber(0.123456789)).toBe('0.123457')
    expect(formatNumber(42)).toBe('42')
    expect(formatNumber(1234567.891)).toBe('1234570')
    expect(formatNumber(0.00001234)).toBe('1.2340e-5')
    expect(formatNumber(Number.NaN)).toBe('NaN')
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe('-Infinity')
  })

  it('formats durations compactly', () => {
    expect(formatDuration(950)).toBe('950ms')
    expect(formatDuration(12_345)).toBe('12.3s')
    expect(formatDuration(245_000)).toBe('4m05s')
    expect(formatDuration(2 * 3600_000 + 3 * 60_000)).toBe('2h03m')
    expect(formatDuration(null)).toBe('-')
  })

  it('writes NaN and infinities in JSON as MLflow spells them', () => {
    expect(JSON.parse(jsonText({ a: Number.NaN, b: Number.POSITIVE_INFINITY, c: 1 }))).toEqual({
      a: 'NaN',
      b: 'Infinity',
      c: 1,
    })
  })
})

const run = (id: string, params: Record<string, string>, metrics: Record<string, number>): Run => ({
  info: {
    runId: id,
    experimentId: '1',
    runName: id,
    userId: '',
    status: 'FINISHED',
    startTime: 1,
    endTime: 2,
    artifactUri: '',
    lifecycleStage: 'active',
  },
  data: {
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 })),
    tags: [],
  },
  inputs: { datasetInputs: [] },
})

describe('run columns', () => {
  it('parses params, metrics, tags (quoted keys too) and attributes; refuses the rest', () => {
    expect(parseColumn('params.lr')).toMatchObject({ kind: 'param', key: 'lr', header: 'params.lr' })
    expect(parseColumn('metric.`f1 score`')).toMatchObject({ kind: 'metric', key: 'f1 score' })
    expect(parseColumn('tags.team')).toMatchObject({ kind: 'tag', key: 'team' })
    expect(parseColumn('attributes.end_time')).toMatchObject({ kind: 'attribute', key: 'end_time' })
    expect(parseColumn('duration')).toMatchObject({ kind: 'attribute', key: 'duration' })
    expect(() => parseColumn('lr')).toThrow(/unknown column 'lr'/)
    expect(() => parseColumn('metrics.')).toThrow(/unknown column/)
  })

  it('reads metric keys out of order_by clauses', () => {
    expect(orderByMetrics(['metrics.acc DESC', 'params.lr', 'metric.`val loss` ASC'])).toEqual([
      'acc',
      'val loss',
    ])
  })

  it('picks params that vary and the metrics most runs have, order_by metrics first', () => {
    const runs = [
      run('a', { lr: '0.1', seed: '1', only_a: 'x' }, { acc: 1, loss: 2, rare: 3 }),
      run('b', { lr: '0.2', seed: '1' }, { acc: 1, loss: 2 }),
    ]
    const picked = pickColumns(runs, ['metrics.rare DESC']).map((c) => c.header)
    expect(picked).toEqual(['params.lr', 'params.only_a', 'metrics.rare', 'metrics.acc', 'metrics.loss'])
    expect(pickColumns([runs[0]!], [], 2).map((c) => c.header)).toEqual([
      'params.lr',
      'params.only_a',
      'metrics.acc',
      'metrics.loss',
    ])
  })
})
