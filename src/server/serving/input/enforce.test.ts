import { describe, expect, it } from 'vitest'
import { CairnError } from '../../../protocol/errors.js'
import type { Schema } from '../../../models/index.js'
import { parseCsv } from './csv.js'
import { enforceSchema } from './enforce.js'
import { parseScoringJson } from './payload.js'

const columns = (...names: string[]): Schema => ({
  kind: 'columns',
  columns: names.map((name) => ({ kind: 'column', name, type: 'double', required: true })),
})

function failure(fn: () => unknown): CairnError {
  try {
    fn()
  } catch (err) {
    if (err instanceof CairnError) return err
    throw err
  }
  throw new Error('expected a CairnError')
}

const enforce = (body: unknown, schema: Schema | null) =>
  enforceSchema(parseScoringJson(body).payload, schema)

describe('schema enforcement of scoring payloads', () => {
  it('checks each request against the same signature afresh: changed columns, duplicates, nameless data', () => {
    const schema = columns('a', 'b')
    const split = (names: string[], row: number[]) => ({ dataframe_split: { columns: names, data: [row] } })
    const first = enforce(split(['b', 'a', 'x'], [2, 1, 9]), schema)
    expect(first.dropped).toEqual(['x'])
    expect(first.input.kind === 'columns' && Array.from(first.input.columns['a'] as Float64Array)).toEqual([
      1,
    ])
    const again = enforce(split(['b', 'a', 'x'], [4, 3, 9]), schema)
    expect(again.input.kind === 'columns' && Array.from(again.input.columns['a'] as Float64Array)).toEqual([
      3,
    ])
    expect(again.dropped).toEqual(['x'])
    expect(failure(() => enforce(split(['b', 'x'], [1, 2]), schema)).message).toMatch(
      /missing inputs \['a'\]/,
    )
    expect(failure(() => enforce(split(['a', 'b', 'a'], [1, 2, 3]), schema)).message).toMatch(
      /more than once/,
    )
    expect(failure(() => enforce({ dataframe_split: { data: [[1, 2]] } }, schema)).message).toMatch(
      /missing inputs/,
    )
    expect(enforce(split(['a', 'b'], [5, 6]), schema).dropped).toEqual([])
  })

  it('matches columns by name and puts them in the signature order', () => {
    const { input, dropped } = enforce(
      {
        dataframe_split: {
          columns: ['b', 'a'],
          data: [
            [2, 1],
            [4, 3],
          ],
        },
      },
      columns('a', 'b'),
    )
    expect(input.kind).toBe('columns')
    if (input.kind !== 'columns') return
    expect(Object.keys(input.columns)).toEqual(['a', 'b'])
    expect(Array.from(input.columns['a'] as Float64Array)).toEqual([1, 3])
    expect(Array.from(input.columns['b'] as Float64Array)).toEqual([2, 4])
    expect(dropped).toEqual([])
  })

  it('drops extra columns and reports them', () => {
    const { input, dropped } = enforce({ dataframe_records: [{ a: 1, note: 'x', z: 3 }] }, columns('a'))
    expect(input.rows).toBe(1)
    expect(dropped).toEqual(['note', 'z'])
  })

  it('names the missing column in a 400 INVALID_PARAMETER_VALUE', () => {
    const err = failure(() =>
      enforce({ dataframe_split: { columns: ['a'], data: [[1]] } }, columns('a', 'b')),
    )
    expect(err.code).toBe('INVALID_PARAMETER_VALUE')
    expect(err.message).toContain("missing inputs ['b']")
  })

  it('converts numeric strings and booleans, and refuses other strings naming the column', () => {
    const { input } = enforce(
      { dataframe_split: { columns: ['a', 'b'], data: [['1.5', true]] } },
      columns('a', 'b'),
    )
    if (input.kind !== 'columns') throw new Error('columns expected')
    expect(Array.from(input.columns['a'] as Float64Array)).toEqual([1.5])
    expect(Array.from(input.columns['b'] as Float64Array)).toEqual([1])
    const err = failure(() => enforce({ dataframe_split: { columns: ['a'], data: [['abc']] } }, columns('a')))
    expect(err.code).toBe('BAD_REQUEST')
    expect(err.message).toContain('column a')
  })

  it('refuses null, NaN and a missing record key in a required column before the model sees them', () => {
    for (const body of [
      { dataframe_split: { columns: ['a'], data: [[null]] } },
      { dataframe_split: { columns: ['a'], data: [['NaN']] } },
      { dataframe_records: [{ a: 1 }, { b: 2, a: undefined }] },
      { inputs: { a: [null] } },
    ]) {
      const err = failure(() => enforce(body, columns('a')))
      expect(err.code).toBe('BAD_REQUEST')
      expect(err.message).toContain("Column 'a'")
    }
  })

  it('refuses infinities in numeric columns', () => {
    const err = failure(() =>
      enforce({ dataframe_split: { columns: ['a'], data: [['Infinity']] } }, columns('a')),
    )
    expect(err.message).toContain('finite')
  })

  it('accepts a missing value in a column marked required: false (NaN)', () => {
    const schema: Schema = {
      kind: 'columns',
      columns: [{ kind: 'column', name: 'a', type: 'double', required: false }],
    }
    const { input } = enforce({ dataframe_split: { columns: ['a'], data: [[null], [2]] } }, schema)
    if (input.kind !== 'columns') throw new Error('columns expected')
    expect(Number.isNaN((input.columns['a'] as Float64Array)[0])).toBe(true)
  })

  it('refuses nameless rows for a named signature, as MLflow does', () => {
    const err = failure(() => enforce({ instances: [[1, 2]] }, columns('a', 'b')))
    expect(err.code).toBe('INVALID_PARAMETER_VALUE')
    expect(err.message).toContain('missing inputs')
  })

  it('reads columnar dicts, with scalars as one row, and refuses columns of different lengths', () => {
    expect(enforce({ inputs: { a: 1, b: 2 } }, columns('a', 'b')).input.rows).toBe(1)
    expect(enforce({ instances: { a: [1, 2], b: [3, 4] } }, columns('a', 'b')).input.rows).toBe(2)
    const err = failure(() => enforce({ inputs: { a: [1, 2], b: [3] } }, columns('a', 'b')))
    expect(err.code).toBe('INVALID_PARAMETER_VALUE')
  })

  it('refuses an empty batch with a clear message', () => {
    const err = failure(() => enforce({ dataframe_split: { columns: ['a'], data: [] } }, columns('a')))
    expect(err.code).toBe('BAD_REQUEST')
    expect(err.message).toContain('no rows')
  })

  it('refuses fractional values for integer columns', () => {
    const schema: Schema = {
      kind: 'columns',
      columns: [{ kind: 'column', name: 'n', type: 'long', required: true }],
    }
    expect(enforce({ inputs: { n: [2, 3.0] } }, schema).input.rows).toBe(2)
    expect(failure(() => enforce({ inputs: { n: [2.5] } }, schema)).code).toBe('BAD_REQUEST')
  })

  it("reads dataframe_split rows straight into numeric columns, and words the general path's errors when a value needs it", () => {
    const schema: Schema = {
      kind: 'columns',
      columns: [
        { kind: 'column', name: 'x', type: 'double', required: true },
        { kind: 'column', name: 's', type: 'string', required: true },
        { kind: 'column', name: 'n', type: 'integer', required: true },
      ],
    }
    const split = (data: unknown[][]) => ({ dataframe_split: { columns: ['n', 's', 'x'], data } })
    const { input } = enforce(
      split([
        [1, 'a', 0.5],
        [2, 'b', '1.5'],
      ]),
      schema,
    )
    expect(input.kind === 'columns' && input.columns).toEqual({
      x: Float64Array.of(0.5, 1.5),
      s: ['a', 'b'],
      n: Float64Array.of(1, 2),
    })
    expect(failure(() => enforce(split([[2147483648, 'a', 1]]), schema)).message).toMatch(/column n/)
    expect(failure(() => enforce(split([[1, 'a', null]]), schema)).message).toMatch(/Column 'x'/)
  })

  it('builds tensors of the spec dtype and checks their shape', () => {
    const schema: Schema = {
      kind: 'tensors',
      tensors: [{ kind: 'tensor', name: 'x', dtype: 'float32', shape: [-1, 2] }],
    }
    const { input } = enforce(
      {
        inputs: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      },
      schema,
    )
    if (input.kind !== 'tensors') throw new Error('tensors expected')
    expect(input.rows).toBe(3)
    expect(input.tensors['x']!.data).toBeInstanceOf(Float32Array)
    expect(input.tensors['x']!.shape).toEqual([3, 2])
    const err = failure(() => enforce({ inputs: [[1, 2, 3]] }, schema))
    expect(err.message).toContain('Shape')
    expect(failure(() => enforce({ inputs: [[1, 2], [3]] }, schema)).message).toContain('ragged')
  })

  it('passes tables through as sent when the model has no signature', () => {
    const { input } = enforce({ dataframe_split: { columns: ['z', 'y'], data: [[1, 'a']] } }, null)
    if (input.kind !== 'columns') throw new Error('columns expected')
    expect(input.columns).toEqual({ z: [1], y: ['a'] })
  })
})

describe('the scoring envelope', () => {
  it('needs exactly one input key', () => {
    for (const body of [{}, { params: {} }, { dataframe_split: {}, instances: [] }, { data: [] }]) {
      const err = failure(() => parseScoringJson(body))
      expect(err.code).toBe('BAD_REQUEST')
      expect(err.message).toContain('exactly one of the input fields')
    }
  })

  it('refuses non-objects and LLM chat payloads with their own messages', () => {
    expect(failure(() => parseScoringJson([1])).message).toContain('Received a list')
    expect(failure(() => parseScoringJson({ messages: [] })).code).toBe('INVALID_PARAMETER_VALUE')
  })

  it('checks dataframe_split row widths and index length', () => {
    expect(
      failure(() => parseScoringJson({ dataframe_split: { columns: ['a', 'b'], data: [[1]] } })).message,
    ).toContain('2 columns passed')
    expect(
      failure(() => parseScoringJson({ dataframe_split: { index: [0], columns: ['a'], data: [[1], [2]] } }))
        .message,
    ).toContain('length of index')
  })

  it('takes the request id from the body', () => {
    expect(parseScoringJson({ inputs: { a: 1 }, request_id: 'r-1' }).requestId).toBe('r-1')
  })
})

describe('CSV bodies', () => {
  it('reads a header, quoted fields, CRLF and empty fields', () => {
    const t = parseCsv('a,"b, c",d\r\n1,"x ""y""",\r\n2,z,4\r\n')
    expect(t.names).toEqual(['a', 'b, c', 'd'])
    expect(t.columns).toEqual([
      ['1', '2'],
      ['x "y"', 'z'],
      [null, '4'],
    ])
  })

  it("names an empty header 'Unnamed: 0' (pandas' index column)", () => {
    expect(parseCsv(',a\n0,1\n').names).toEqual(['Unnamed: 0', 'a'])
  })

  it('refuses an empty body and rows of the wrong width', () => {
    expect(failure(() => parseCsv('')).message).toContain('No columns to parse')
    expect(failure(() => parseCsv('a,b\n1\n')).code).toBe('BAD_REQUEST')
  })
})
