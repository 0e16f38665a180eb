import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { inferSchema } from './infer-signature.js'
import { readServingInputExample, serializeExample } from './input-example.js'
import { schemaToJson } from './signature.js'

describe('signature inference from an example', () => {
  it('reads a record, an array of records and an object of columns as the same table', () => {
    const expected =
      '[{"type": "double", "name": "x", "required": true}, {"type": "string", "name": "city", "required": true}, {"type": "boolean", "name": "ok", "required": true}]'
    expect(schemaToJson(inferSchema({ x: 1.5, city: 'Oslo', ok: true }))).toBe(expected)
    expect(
      schemaToJson(
        inferSchema([
          { x: 1, city: 'Oslo', ok: true },
          { x: 2, city: 'Rome', ok: false },
        ]),
      ),
    ).toBe(expected)
    expect(schemaToJson(inferSchema({ x: [1, 2], city: ['Oslo', 'Rome'], ok: [true, false] }))).toBe(expected)
  })

  it('types bigint as long, Date as datetime, Uint8Array values as binary and arrays by their items', () => {
    const s = inferSchema([{ n: 3n, at: new Date(0), raw: new Uint8Array([1]), v: [1.5, 2] }])
    expect(s.kind === 'columns' && s.columns.map((c) => c.type)).toEqual([
      'long',
      'datetime',
      'binary',
      { type: 'array', items: 'double' },
    ])
  })

  it('makes a column optional when a row lacks it or holds null', () => {
    const s = inferSchema([{ a: 1, b: 'x' }, { a: null }])
    expect(s.kind === 'columns' && s.columns.map((c) => [c.name, c.required])).toEqual([
      ['a', false],
      ['b', false],
    ])
  })

  it('infers tensors from typed arrays, { data, shape } tensors and nested number arrays, batch dimension -1', () => {
    expect(schemaToJson(inferSchema(new Float32Array(4)))).toBe(
      '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}]',
    )
    expect(
      schemaToJson(
        inferSchema({ input: { data: new Float32Array(8), shape: [2, 4] }, ids: new BigInt64Array(2) }),
      ),
    ).toBe(
      '[{"name": "input", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}, {"name": "ids", "type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]',
    )
    expect(
      schemaToJson(
        inferSchema([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ).toBe('[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 3]}}]')
  })

  it.each([
    ['a column mixing numbers and strings', [{ a: 1 }, { a: 'x' }], /Column 'a' mixes types/],
    ['a column that is always null', [{ a: null }], /'a': every value is null/],
    ['a string', 'hello', /Cannot infer a signature/],
    ['ragged rows', [[1, 2], [3]], /same length/],
    ['an empty object', {}, /no columns/],
  ])('refuses %s', (_what, example, message) => {
    expect(() => inferSchema(example)).toThrow(message)
  })
})

describe('input_example.json', () => {
  it('writes a table in pandas split orient and a dataframe_split serving payload', () => {
    const s = serializeExample([
      { x: 1.5, when: new Date(Date.UTC(2020, 0, 2)) },
      { x: Number.NaN, when: null },
    ])
    expect(s.info).toEqual({
      artifactPath: 'input_example.json',
      type: 'dataframe',
      pandasOrient: 'split',
      servingInputPath: 'serving_input_payload.json',
    })
    expect(s.data).toBe(
      '{"columns": ["x", "when"], "data": [[1.5, "2020-01-02T00:00:00.000Z"], [null, null]]}',
    )
    expect(JSON.parse(s.servingInput)).toEqual({ dataframe_split: JSON.parse(s.data) })
  })

  it('writes tensors in TF-serving form following their shape', () => {
    const s = serializeExample({ input: { data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3] } })
    expect(s.info).toMatchObject({ type: 'ndarray', format: 'tf-serving' })
    expect(s.data).toBe('{"inputs": {"input": [[1, 2, 3], [4, 5, 6]]}}')
  })

  it('turns an MLflow 2.10 example (no serving payload) into a dataframe_split request', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-example-'))
    try {
      await writeFile(join(dir, 'input_example.json'), '{"columns": ["f0"], "data": [[0.5]]}')
      const payload = await readServingInputExample(dir, {
        flavors: {},
        extra: {},
        savedInputExampleInfo: {
          artifactPath: 'input_example.json',
          type: 'dataframe',
          pandasOrient: 'split',
        },
      })
      expect(payload).toEqual({ dataframe_split: { columns: ['f0'], data: [[0.5]] } })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
