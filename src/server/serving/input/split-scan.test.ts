import { describe, expect, it } from 'vitest'
import { scanDataframeSplit } from './split-scan.js'

const scan = (text: string): Float64Array | null => {
  const r = scanDataframeSplit(Buffer.from(text))
  if (!r) return null
  if (r.payload.kind !== 'table') throw new Error('not a table')
  return r.payload.table.matrix ?? null
}

const NUMBERS = [
  '0',
  '-0',
  '-0.0',
  '1',
  '1.5',
  '0.1',
  '0.3',
  '-0.841',
  '123456789012345',
  '1234567890123456789',
  '1e5',
  '1E-5',
  '-2.5e+3',
  '1e400',
  '-1e-400',
  '0.000001',
  '3.14159265358979323846',
  '17.0',
  '1.7976931348623157e308',
  '5e-324',
  '9007199254740993',
  '0.1e1',
  '100000000000000000000000',
  '1.0000000000000002',
  '2.2250738585072014e-308',
  '0.30000000000000004',
]

/** A deterministic pseudo-random sequence (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648
}

describe('scanDataframeSplit', () => {
  it('reads every number exactly as JSON.parse does', () => {
    const rand = lcg(7)
    const numbers = [
      ...NUMBERS,
      ...Array.from({ length: 2000 }, () => String((rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20))),
      ...Array.from({ length: 2000 }, () => ((rand() - 0.5) * 1000).toFixed(Math.floor(rand() * 18))),
    ]
    const rows: string[] = []
    for (let i = 0; i + 1 < numbers.length; i += 2) rows.push(`[${numbers[i]}, ${numbers[i + 1]}]`)
    const body = `{"dataframe_split": {"columns": ["a", "b"], "data": [${rows.join(',\n ')}]}}`
    const got = scan(body)
    const want = (JSON.parse(body) as { dataframe_split: { data: number[][] } }).dataframe_split.data.flat()
    expect(got).not.toBeNull()
    expect(Array.from(got!)).toEqual(want)
    expect(Object.is(got![NUMBERS.indexOf('-0')], -0)).toBe(true)
  })

  it('gives the names, rows and row-major values, in either key order and with whitespace', () => {
    const r = scanDataframeSplit(
      Buffer.from(' {"dataframe_split" : {"data": [[1, 2], [3, 4], [5, 6]], "columns":["x","y"] } }\n'),
    )
    expect(r?.payload.kind).toBe('table')
    if (r?.payload.kind !== 'table') return
    const t = r.payload.table
    expect(t.names).toEqual(['x', 'y'])
    expect(t.rows).toBe(3)
    expect(Array.from(t.matrix!)).toEqual([1, 2, 3, 4, 5, 6])
    expect(t.columns).toEqual([
      [1, 3, 5],
      [2, 4, 6],
    ])
    expect(t.data).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ])
  })

  it('returns values of its own: a later body, short or past the reused buffer, leaves them as they were', () => {
    const first = scan('{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], [3, 4]]}}')
    const rows = Array.from({ length: 5000 }, (_, r) => `[${r}, ${r + 0.5}]`).join(', ')
    const big = scan(`{"dataframe_split": {"columns": ["a", "b"], "data": [${rows}]}}`)
    scan('{"dataframe_split": {"columns": ["a", "b"], "data": [[9, 9]]}}')
    expect(Array.from(first!)).toEqual([1, 2, 3, 4])
    expect(big).toHaveLength(10_000)
    expect(big![9999]).toBe(4999.5)
  })

  it.each([
    ['uneven rows', '{"dataframe_split": {"columns": ["a"], "data": [[1], [2, 3]]}}'],
    ['fewer values than columns', '{"dataframe_split": {"columns": ["a", "b"], "data": [[1]]}}'],
    ['a leading zero', '{"dataframe_split": {"columns": ["a"], "data": [[01]]}}'],
    ['a bare dot', '{"dataframe_split": {"columns": ["a"], "data": [[1.]]}}'],
    ['NaN', '{"dataframe_split": {"columns": ["a"], "data": [[NaN]]}}'],
    ['null', '{"dataframe_split": {"columns": ["a"], "data": [[null]]}}'],
    ['a string value', '{"dataframe_split": {"columns": ["a"], "data": [["1"]]}}'],
    ['trailing text', '{"dataframe_split": {"columns": ["a"], "data": [[1]]}} x'],
    ['no rows', '{"dataframe_split": {"columns": ["a"], "data": []}}'],
    ['no columns', '{"dataframe_split": {"data": [[1]]}}'],
    ['an index', '{"dataframe_split": {"columns": ["a"], "data": [[1]], "index": [0]}}'],
    ['an empty exponent', '{"dataframe_split": {"columns": ["a"], "data": [[1e]]}}'],
    ['a lone minus', '{"dataframe_split": {"columns": ["a"], "data": [[-]]}}'],
    ['params', '{"dataframe_split": {"columns": ["a"], "data": [[1]]}, "params": {}}'],
    ['a trailing comma', '{"dataframe_split": {"columns": ["a"], "data": [[1],]}}'],
    ['an escaped name', '{"dataframe_split": {"columns": ["\\u0061"], "data": [[1]]}}'],
    ['a non-ASCII name', '{"dataframe_split": {"columns": ["é"], "data": [[1]]}}'],
    ['a repeated key', '{"dataframe_split": {"columns": ["a"], "columns": ["a"], "data": [[1]]}}'],
    ['a missing comma', '{"dataframe_split": {"columns": ["a"], "data": [[1 2]]}}'],
    ['another payload', '{"dataframe_records": [{"a": 1}]}'],
  ])('leaves %s to the general reader', (_, body) => {
    expect(scanDataframeSplit(Buffer.from(body))).toBeNull()
  })
})
