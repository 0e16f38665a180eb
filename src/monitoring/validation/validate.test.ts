import { describe, expect, it } from 'vitest'
import { computeProfile } from '../profile/profile.js'
import { tableFromColumns } from '../table/table.js'
import { inferExpectations, parseExpectations, serializeExpectations } from './expectations.js'
import { validate } from './validate.js'

const n = 40
const train = tableFromColumns({
  age: Array.from({ length: n }, (_, i) => 20 + i),
  city: Array.from({ length: n }, (_, i) => ['paris', 'oslo', 'rome'][i % 3]!),
  id: Array.from({ length: n }, (_, i) => `id-${i}`),
  score: Array.from({ length: n }, (_, i) => (i % 10 === 0 ? NaN : i / 10)),
  label: Array.from({ length: n }, (_, i) => i % 2),
})
const expectations = inferExpectations(computeProfile(train, { target: 'label' }))

describe('inferExpectations', () => {
  it('infers types, ranges, allowed values, missing shares and uniqueness from the profile', () => {
    expect(expectations.columns).toEqual({
      age: { type: 'numerical', required: true, min: 20, max: 59, maxMissingShare: 0 },
      city: {
        type: 'categorical',
        required: true,
        allowedValues: ['oslo', 'paris', 'rome'],
        maxMissingShare: 0,
      },
      id: { type: 'categorical', required: true, maxMissingShare: 0, unique: true },
      score: { type: 'numerical', required: true, min: 0.1, max: 3.9, maxMissingShare: 0.1 },
      label: { type: 'numerical', required: false, min: 0, max: 1, maxMissingShare: 0 },
    })
  })

  it('round-trips through editable YAML', () => {
    const text = serializeExpectations(expectations, 'inferred from a test profile')
    expect(text).toMatch(/^# Cairn data expectations/)
    expect(text).toContain('allowedValues:')
    expect(parseExpectations(text)).toEqual(expectations)
  })
})

describe('parseExpectations', () => {
  it('names unknown keys, bad values and versions', () => {
    const base = 'format: cairn.expectations\nversion: 1\n'
    expect(() => parseExpectations(base + 'columns:\n  a:\n    minimum: 3\n')).toThrow(
      /columns.a: unknown key 'minimum'; known: type, required/,
    )
    expect(() => parseExpectations(base + 'columns:\n  a:\n    maxMissingShare: 2\n')).toThrow(
      /maxMissingShare must be a number within \[0, 1\]/,
    )
    expect(() => parseExpectations(base + 'columns:\n  a:\n    min: 5\n    max: 1\n')).toThrow(
      /min is above max/,
    )
    expect(() => parseExpectations('format: cairn.expectations\nversion: 9\ncolumns: {}\n')).toThrow(
      /version 9 is not supported/,
    )
    expect(() => parseExpectations('a: [')).toThrow(/not valid YAML/)
    expect(() => parseExpectations('columns: {}')).toThrow(/not Cairn expectations/)
  })
})

describe('validate', () => {
  it('passes the reference data itself', () => {
    const r = validate(train, expectations)
    expect(r.failed).toBe(0)
    expect(r.success).toBe(true)
  })

  it('reports each broken expectation with row counts and examples', () => {
    const bad = tableFromColumns({
      age: [25, 17, 70, NaN, 30],
      city: ['paris', 'berlin', 'oslo', 'berlin', 'lima'],
      id: ['a', 'b', 'a', 'c', 'a'],
      score: ['0.5', 'n/a?', '1', '2', '3'],
    })
    const r = validate(bad, expectations)
    expect(r.success).toBe(false)
    const failed = Object.fromEntries(
      r.results.filter((x) => !x.success).map((x) => [`${x.column}.${x.expectation}`, x]),
    )
    expect(Object.keys(failed).sort()).toEqual([
      'age.max',
      'age.max_missing_share',
      'age.min',
      'city.allowed_values',
      'id.unique',
      'score.type',
    ])
    expect(failed['age.min']).toMatchObject({
      failingRows: 1,
      examples: [{ row: 1, value: 17 }],
      observed: 17,
    })
    expect(failed['age.max']).toMatchObject({ failingRows: 1, examples: [{ row: 2, value: 70 }] })
    expect(failed['age.max_missing_share']).toMatchObject({ failingRows: 1, observed: 0.2 })
    expect(failed['city.allowed_values']).toMatchObject({ failingRows: 3, observed: { berlin: 2, lima: 1 } })
    expect(failed['id.unique']).toMatchObject({
      failingRows: 2,
      examples: [
        { row: 2, value: 'a' },
        { row: 4, value: 'a' },
      ],
    })
    expect(failed['score.type']).toMatchObject({ failingRows: 1, examples: [{ row: 1, value: 'n/a?' }] })
    // label is a target: optional, so its absence is no failure.
    expect(r.results.some((x) => x.column === 'label')).toBe(false)
  })

  it('fails a required column that is missing, too few rows, and unexpected columns when asked', () => {
    const t = tableFromColumns({ age: [30], extra: [1] })
    const r = validate(t, { ...expectations, minRows: 2, allowExtraColumns: false })
    const failed = r.results.filter((x) => !x.success).map((x) => `${x.column ?? '*'}.${x.expectation}`)
    expect(failed).toEqual([
      '*.min_rows',
      '*.no_extra_columns',
      'city.required',
      'id.required',
      'score.required',
    ])
    expect(r.results.find((x) => x.column === 'city')!.message).toBe("column 'city' is missing")
  })

  it('accepts numbers as categories and numbers written as text', () => {
    const r = validate(tableFromColumns({ k: [1, 2], v: ['1.5', '2'] }), {
      format: 'cairn.expectations',
      version: 1,
      columns: { k: { type: 'categorical', allowedValues: ['1', '2'] }, v: { type: 'numerical', max: 2 } },
    })
    expect(r.success).toBe(true)
  })
})
