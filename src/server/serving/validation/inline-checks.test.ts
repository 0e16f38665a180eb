import { describe, expect, it } from 'vitest'
import type { Expectations } from '../../../monitoring/validation/expectations.js'
import type { ModelInput } from '../types.js'
import { compileChecks, describeFailures, MAX_FAILING_ROWS, runChecks } from './inline-checks.js'

const expectations = (columns: Expectations['columns'], more: Partial<Expectations> = {}): Expectations => ({
  format: 'cairn.expectations',
  version: 1,
  columns,
  ...more,
})

const columns = (cols: Record<string, Float64Array | unknown[]>): ModelInput => ({
  kind: 'columns',
  rows: Object.values(cols)[0]!.length,
  columns: cols,
})

const checksOf = (e: Expectations) => {
  const c = compileChecks(e)
  if (!c) throw new Error('no checks compiled')
  return c
}

describe('inline row checks', () => {
  it('finds rows outside the range of a numeric column, with their row numbers and values', () => {
    const checks = checksOf(expectations({ age: { type: 'numerical', min: 18, max: 95 } }))
    const out = runChecks(checks, columns({ age: new Float64Array([30, 12, 99, 40, 130]) }))
    expect(out).toEqual({
      rows: 5,
      failedRows: 3,
      failures: [
        { expectation: 'min', column: 'age', expected: 18, count: 1, rows: [1], values: [12] },
        { expectation: 'max', column: 'age', expected: 95, count: 2, rows: [2, 4], values: [99, 130] },
      ],
    })
    expect(describeFailures(out!)).toBe(
      'age min (below the minimum 18): row 1 (12); age max (above the maximum 95): rows 2 (99), 4 (130)',
    )
  })

  it('checks allowed values as text, numbers included, and text that should be numbers', () => {
    const checks = checksOf(
      expectations({
        city: { type: 'categorical', allowedValues: ['oslo', 'paris'] },
        grade: { allowedValues: [1, 2] },
        score: { type: 'numerical', max: 10 },
      }),
    )
    const out = runChecks(
      checks,
      columns({
        city: ['oslo', 'berlin', 'paris', null],
        grade: [1, '2', 3, 2],
        score: ['5', 'n/a', ' 11 ', true],
      }),
    )!
    expect(out.failures.map((f) => [f.column, f.expectation, f.rows])).toEqual([
      ['city', 'allowed_values', [1]],
      ['grade', 'allowed_values', [2]],
      ['score', 'type', [1, 3]],
      ['score', 'max', [2]],
    ])
    expect(out.failedRows).toBe(3)
  })

  it('fails missing values only where the reference had none; shares above 0 are left to batch validation', () => {
    const checks = checksOf(
      expectations({
        strict: { type: 'numerical', maxMissingShare: 0 },
        loose: { type: 'categorical', maxMissingShare: 0.2 },
      }),
    )
    const out = runChecks(
      checks,
      columns({ strict: new Float64Array([1, NaN, 3]), loose: [null, '', undefined] }),
    )!
    expect(out.failures).toEqual([
      {
        expectation: 'max_missing_share',
        column: 'strict',
        expected: 0,
        count: 1,
        rows: [1],
        values: [null],
      },
    ])
  })

  it('fails every row when a required column is absent, and ignores an absent optional one', () => {
    const checks = checksOf(expectations({ a: { required: true }, b: { required: false, min: 0 } }))
    const out = runChecks(checks, columns({ c: [1, 2] }))!
    expect(out.failures).toEqual([
      { expectation: 'required', column: 'a', expected: true, count: 2, rows: [0, 1], values: [null, null] },
    ])
    expect(out.failedRows).toBe(2)
  })

  it('keeps the first rows of a failure and the exact count', () => {
    const checks = checksOf(expectations({ x: { max: 0 } }))
    const out = runChecks(checks, columns({ x: new Float64Array(50).fill(1) }))!
    expect(out.failures[0]!.count).toBe(50)
    expect(out.failures[0]!.rows).toHaveLength(MAX_FAILING_ROWS)
    expect(describeFailures(out)).toMatch(/rows 0 \(1\), 1 \(1\), .* 19 \(1\) and 30 more$/)
  })

  it('compiles nothing from dataset-level expectations (unique, a missing share above 0, row counts)', () => {
    const e = expectations(
      { id: { required: false, unique: true, maxMissingShare: 0.1 } },
      { minRows: 100, allowExtraColumns: false },
    )
    expect(compileChecks(e)).toBeNull()
  })

  it('does not judge tensor inputs, whose columns have no names', () => {
    const checks = checksOf(expectations({ x: { max: 0 } }))
    const input: ModelInput = {
      kind: 'tensors',
      rows: 1,
      tensors: { '0': { dtype: 'float64', shape: [1, 1], data: new Float64Array([5]) } },
    }
    expect(runChecks(checks, input)).toBeNull()
  })

  it('passes rows that meet every expectation', () => {
    const checks = checksOf(expectations({ x: { type: 'numerical', min: 0, max: 1, maxMissingShare: 0 } }))
    expect(runChecks(checks, columns({ x: new Float64Array([0, 0.5, 1]) }))).toEqual({
      rows: 3,
      failedRows: 0,
      failures: [],
    })
  })
})
