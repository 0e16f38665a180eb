import { describe, expect, it } from 'vitest'
import type { Run } from '../entities.js'
import {
  asciiLower,
  compareStrings,
  like,
  makeSubject,
  matches,
  orderComparator,
  runSubject,
} from './evaluate.js'
import { parseSearchFilter, parseSearchOrderBy } from './index.js'

function run(
  id: string,
  over: {
    startTime?: number
    metrics?: Record<string, number>
    params?: Record<string, string>
    tags?: Record<string, string>
  } = {},
): Run {
  const pairs = (r: Record<string, string> = {}) => Object.entries(r).map(([key, value]) => ({ key, value }))
  return {
    info: {
      runId: id,
      experimentId: '1',
      runName: `name-${id}`,
      userId: 'u',
      status: 'FINISHED',
      startTime: over.startTime ?? 0,
      endTime: null,
      artifactUri: `file:///a/${id}`,
      lifecycleStage: 'active',
    },
    data: {
      metrics: Object.entries(over.metrics ?? {}).map(([key, value]) => ({
        key,
        value,
        step: 0,
        timestamp: 0,
      })),
      params: pairs(over.params),
      tags: pairs(over.tags),
    },
    inputs: {
      datasetInputs: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: { name: 'train', digest: 'd1', sourceType: 'local', source: 'x' },
        },
        { tags: [], dataset: { name: 'test', digest: 'd2', sourceType: 'local', source: 'x' } },
      ],
    },
  }
}

const test = (filter: string, r: Run): boolean => matches(parseSearchFilter('runs', filter), runSubject(r))

describe('like', () => {
  it('treats only % and _ as wildcards, case-sensitively', () => {
    expect(like('abc', 'a%')).toBe(true)
    expect(like('abc', 'A%')).toBe(false)
    expect(like('abc', 'a_c')).toBe(true)
    expect(like('a.c', 'a.c')).toBe(true)
    expect(like('abc', 'a.c')).toBe(false)
    expect(like('a(b)*[c]\\d$', 'a(b)*[c]\\d$')).toBe(true)
    expect(like('', '%')).toBe(true)
    expect(like('', '_')).toBe(false)
  })

  it('matches one code point with _ and newlines with %', () => {
    expect(like('😀', '_')).toBe(true)
    expect(like('a\nb', 'a%b')).toBe(true)
    expect(like('a\nb', 'a_b')).toBe(true)
  })

  it('folds only ASCII letters for ILIKE', () => {
    expect(asciiLower('ÉCOLE Abc')).toBe('École abc')
  })
})

describe('matches', () => {
  const r = run('r1', {
    metrics: { acc: 0.5, bad: Number.NaN },
    params: { lr: '0.1' },
    tags: { team: 'Core' },
  })

  it('never matches missing keys or NaN metrics', () => {
    expect(test("params.missing != 'x'", r)).toBe(false)
    expect(test('metrics.missing != 1', r)).toBe(false)
    expect(test('metrics.bad != 1', r)).toBe(false)
    expect(test('metrics.bad = 1 OR metrics.bad < 1 OR metrics.bad > 1', r)).toBe(false)
    expect(test('end_time > 0 OR end_time <= 0', r)).toBe(false)
  })

  it('compares metrics, params, tags and attributes', () => {
    expect(test('metrics.acc >= 0.5 AND metrics.acc < 0.6', r)).toBe(true)
    expect(test("params.lr = '0.1' AND tags.team ILIKE 'c%'", r)).toBe(true)
    expect(test("tags.team LIKE 'c%'", r)).toBe(false)
    expect(test("run_id IN ('r0', 'r1')", r)).toBe(true)
    expect(test("run_id NOT IN ('r1')", r)).toBe(false)
    expect(test("`run name` = 'name-r1' AND status != 'RUNNING' AND created = 0", r)).toBe(true)
  })

  it('matches a dataset condition when any input matches; context is the input tag', () => {
    expect(test("datasets.name = 'test' AND datasets.digest = 'd1'", r)).toBe(true)
    expect(test("datasets.context = 'training'", r)).toBe(true)
    expect(test("datasets.context != 'training'", r)).toBe(false)
    expect(test("datasets.name NOT IN ('train')", r)).toBe(true)
    expect(test("datasets.name NOT IN ('train', 'test')", r)).toBe(false)
  })

  it('evaluates OR and AND as written', () => {
    expect(test("params.lr = 'x' OR metrics.acc > 0", r)).toBe(true)
    expect(test("(params.lr = 'x' OR metrics.acc > 0) AND tags.team = 'nope'", r)).toBe(false)
    expect(matches(null, runSubject(r))).toBe(true)
  })
})

describe('compareStrings', () => {
  it('orders by code point like UTF-8 bytes, not by UTF-16 units', () => {
    expect(compareStrings('\uffff', '😀')).toBeLessThan(0)
    expect('\uffff' < '😀').toBe(false)
    expect(compareStrings('a', 'b')).toBeLessThan(0)
    expect(compareStrings('B', 'a')).toBeLessThan(0)
    expect(compareStrings('ab', 'a')).toBeGreaterThan(0)
    expect(compareStrings('😀', '😀')).toBe(0)
  })
})

describe('orderComparator', () => {
  const ids = (runs: Run[], order: string[]): string[] =>
    runs
      .map((x) => ({ x, s: runSubject(x) }))
      .sort((a, b) => orderComparator('runs', parseSearchOrderBy('runs', order))(a.s, b.s))
      .map((e) => e.x.info.runId)

  const runs = [
    run('a', { startTime: 1, metrics: { m: 2 } }),
    run('b', { startTime: 2, metrics: { m: Number.NaN } }),
    run('c', { startTime: 3 }),
    run('d', { startTime: 4, metrics: { m: -1 } }),
    run('e', { startTime: 4, metrics: { m: 2 } }),
  ]

  it('puts values first, then NaN, then missing, in either direction, tie-broken by start_time DESC then id', () => {
    expect(ids(runs, ['metrics.m DESC'])).toEqual(['e', 'a', 'd', 'b', 'c'])
    expect(ids(runs, ['metrics.m'])).toEqual(['d', 'e', 'a', 'b', 'c'])
    expect(ids(runs, [])).toEqual(['d', 'e', 'c', 'b', 'a'])
    expect(ids(runs, ['start_time ASC'])).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('uses experiments defaults: creation_time DESC then experiment_id ASC; experiment_id DESC after given keys', () => {
    const exp = (id: number, name: string, t: number) =>
      makeSubject({ attributes: { experiment_id: id, name, creation_time: t, last_update_time: t } })
    const list = [exp(1, 'b', 5), exp(2, 'a', 5), exp(3, 'a', 7)]
    const order = (keys: string[]) =>
      [...list]
        .sort(orderComparator('experiments', parseSearchOrderBy('experiments', keys)))
        .map((s) => s.attribute('experiment_id'))
    expect(order([])).toEqual([3, 1, 2])
    expect(order(['name'])).toEqual([3, 2, 1])
  })
})
