/**
 * validate(table, expectations): one result per expectation, with the number of rows that break
 * it and a few examples (0-based row numbers). Outcomes are data; only malformed expectations throw.
 */
import { cellText, getColumn, type Column, type Table } from '../table/table.js'
import type { ColumnExpectations, Expectations } from './expectations.js'

export type ExpectationKind =
  | 'min_rows'
  | 'no_extra_columns'
  | 'required'
  | 'type'
  | 'min'
  | 'max'
  | 'allowed_values'
  | 'max_missing_share'
  | 'unique'

export interface Example {
  /** 0-based data row (a CSV file's line is row + 2). */
  row: number
  value: string | number | null
}

export interface ExpectationResult {
  expectation: ExpectationKind
  column: string | null
  expected: unknown
  success: boolean
  /** Rows that break the expectation (0 when it holds). */
  failingRows: number
  /** Rows it was checked on. */
  rows: number
  observed?: unknown
  examples?: Example[]
  message: string
}

export interface ValidationResult {
  success: boolean
  rows: number
  passed: number
  failed: number
  results: ExpectationResult[]
}

export const MAX_EXAMPLES = 5

/** A column's values as numbers (NaN missing), or the rows whose text is not a number. */
function asNumbers(c: Column): { values: Float64Array; bad: Example[]; badCount: number } {
  if (c.kind === 'numeric') return { values: c.values, bad: [], badCount: 0 }
  const values = new Float64Array(c.codes.length).fill(NaN)
  const parsed = c.dictionary.map((s) => {
    const t = s.trim()
    const v = t === '' ? NaN : Number(t)
    return Number.isNaN(v) ? undefined : v
  })
  const bad: Example[] = []
  let badCount = 0
  for (let i = 0; i < c.codes.length; i++) {
    const code = c.codes[i]!
    if (code < 0) continue
    const v = parsed[code]
    if (v === undefined) {
      badCount++
      if (bad.length < MAX_EXAMPLES) bad.push({ row: i, value: c.dictionary[code]! })
    } else values[i] = v
  }
  return { values, bad, badCount }
}

function missingCount(c: Column): number {
  let n = 0
  if (c.kind === 'numeric') for (const v of c.values) n += v !== v ? 1 : 0
  else for (const k of c.codes) n += k < 0 ? 1 : 0
  return n
}

interface Ctx {
  column: string
  rows: number
}

function result(ctx: Ctx, r: Omit<ExpectationResult, 'column' | 'rows'>): ExpectationResult {
  return { column: ctx.column, rows: ctx.rows, ...r }
}

function rangeCheck(
  ctx: Ctx,
  values: Float64Array,
  bound: { kind: 'min' | 'max'; limit: number },
): ExpectationResult {
  const { kind, limit } = bound
  const examples: Example[] = []
  let failing = 0
  let observed = kind === 'min' ? Infinity : -Infinity
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (v !== v) continue
    if (kind === 'min' ? v < observed : v > observed) observed = v
    if (kind === 'min' ? v < limit : v > limit) {
      failing++
      if (examples.length < MAX_EXAMPLES) examples.push({ row: i, value: v })
    }
  }
  const word = kind === 'min' ? 'below the minimum' : 'above the maximum'
  return result(ctx, {
    expectation: kind,
    expected: limit,
    success: failing === 0,
    failingRows: failing,
    ...(Number.isFinite(observed) ? { observed } : {}),
    ...(failing > 0 ? { examples } : {}),
    message: failing === 0 ? `no value ${word} ${limit}` : `${failing} values ${word} ${limit}`,
  })
}

function allowedCheck(ctx: Ctx, c: Column, allowed: readonly (string | number)[]): ExpectationResult {
  const set = new Set(allowed.map(String))
  const examples: Example[] = []
  const unexpected = new Map<string, number>()
  let failing = 0
  for (let i = 0; i < ctx.rows; i++) {
    const t = cellText(c, i)
    if (t === undefined || set.has(t)) continue
    failing++
    unexpected.set(t, (unexpected.get(t) ?? 0) + 1)
    if (examples.length < MAX_EXAMPLES) examples.push({ row: i, value: t })
  }
  const top = [...unexpected.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)
  return result(ctx, {
    expectation: 'allowed_values',
    expected: [...allowed],
    success: failing === 0,
    failingRows: failing,
    ...(failing > 0 ? { observed: Object.fromEntries(top), examples } : {}),
    message:
      failing === 0
        ? 'every value is allowed'
        : `${failing} values not allowed (${top.map(([k]) => `'${k}'`).join(', ')})`,
  })
}

function uniqueCheck(ctx: Ctx, c: Column): ExpectationResult {
  const seen = new Set<string | number>()
  const examples: Example[] = []
  let failing = 0
  for (let i = 0; i < ctx.rows; i++) {
    const key = c.kind === 'numeric' ? c.values[i]! : c.codes[i]!
    if (c.kind === 'numeric' ? key !== key : key < 0) continue
    if (seen.has(key)) {
      failing++
      if (examples.length < MAX_EXAMPLES)
        examples.push({
          row: i,
          value: c.kind === 'numeric' ? key : c.dictionary[key]!,
        })
    } else seen.add(key)
  }
  return result(ctx, {
    expectation: 'unique',
    expected: true,
    success: failing === 0,
    failingRows: failing,
    ...(failing > 0 ? { examples } : {}),
    message: failing === 0 ? 'every value is distinct' : `${failing} rows repeat an earlier value`,
  })
}

function checkColumn(ctx: Ctx, c: Column, e: ColumnExpectations): ExpectationResult[] {
  const out: ExpectationResult[] = []
  let numbers: Float64Array | undefined = c.kind === 'numeric' ? c.values : undefined
  if (e.type === 'numerical') {
    const parsed = asNumbers(c)
    numbers = parsed.values
    out.push(
      result(ctx, {
        expectation: 'type',
        expected: 'numerical',
        success: parsed.badCount === 0,
        failingRows: parsed.badCount,
        observed: c.kind === 'numeric' ? 'numerical' : parsed.badCount === 0 ? 'numbers as text' : 'text',
        ...(parsed.badCount > 0 ? { examples: parsed.bad } : {}),
        message:
          parsed.badCount === 0 ? 'every value is a number' : `${parsed.badCount} values are not numbers`,
      }),
    )
  } else if (e.type === 'categorical') {
    out.push(
      result(ctx, {
        expectation: 'type',
        expected: 'categorical',
        success: true,
        failingRows: 0,
        observed: c.kind === 'numeric' ? 'numerical' : 'categorical',
        message: c.kind === 'numeric' ? 'numbers are read as categories' : 'categorical',
      }),
    )
  }
  if (e.min !== undefined || e.max !== undefined) {
    numbers ??= asNumbers(c).values
    if (e.min !== undefined) out.push(rangeCheck(ctx, numbers, { kind: 'min', limit: e.min }))
    if (e.max !== undefined) out.push(rangeCheck(ctx, numbers, { kind: 'max', limit: e.max }))
  }
  if (e.allowedValues !== undefined) out.push(allowedCheck(ctx, c, e.allowedValues))
  if (e.maxMissingShare !== undefined) {
    const missing = missingCount(c)
    const share = ctx.rows === 0 ? 0 : missing / ctx.rows
    const ok = share <= e.maxMissingShare
    out.push(
      result(ctx, {
        expectation: 'max_missing_share',
        expected: e.maxMissingShare,
        success: ok,
        failingRows: ok ? 0 : missing,
        observed: share,
        message: ok
          ? `missing share ${share} within ${e.maxMissingShare}`
          : `${missing} missing values (share ${share}) exceed ${e.maxMissingShare}`,
      }),
    )
  }
  if (e.unique) out.push(uniqueCheck(ctx, c))
  return out
}

/**
 * Checks a table against expectations.
 *
 *   const r = validate(table, parseExpectations(yamlText))
 *   if (!r.success) for (const f of r.results.filter((x) => !x.success)) console.log(f.column, f.message)
 */
export function validate(table: Table, expectations: Expectations): ValidationResult {
  const rows = table.rowCount
  const results: ExpectationResult[] = []
  const minRows = expectations.minRows ?? 1
  results.push({
    expectation: 'min_rows',
    column: null,
    expected: minRows,
    success: rows >= minRows,
    failingRows: 0,
    rows,
    observed: rows,
    message: rows >= minRows ? `${rows} rows` : `${rows} rows, fewer than ${minRows}`,
  })
  if (expectations.allowExtraColumns === false) {
    const extra = table.columns.map((c) => c.name).filter((n) => !(n in expectations.columns))
    results.push({
      expectation: 'no_extra_columns',
      column: null,
      expected: Object.keys(expectations.columns),
      success: extra.length === 0,
      failingRows: 0,
      rows,
      ...(extra.length > 0 ? { observed: extra } : {}),
      message: extra.length === 0 ? 'no unexpected columns' : `unexpected columns: ${extra.join(', ')}`,
    })
  }
  for (const [name, e] of Object.entries(expectations.columns)) {
    const ctx = { column: name, rows }
    const c = getColumn(table, name)
    if (!c) {
      if (e.required ?? true) {
        results.push(
          result(ctx, {
            expectation: 'required',
            expected: true,
            success: false,
            failingRows: rows,
            message: `column '${name}' is missing`,
          }),
        )
      }
      continue
    }
    if (e.required ?? true) {
      results.push(
        result(ctx, {
          expectation: 'required',
          expected: true,
          success: true,
          failingRows: 0,
          message: 'present',
        }),
      )
    }
    results.push(...checkColumn(ctx, c, e))
  }
  const failed = results.filter((r) => !r.success).length
  return { success: failed === 0, rows, passed: results.length - failed, failed, results }
}
