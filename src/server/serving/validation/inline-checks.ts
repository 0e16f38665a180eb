/**
 * A model's data expectations compiled once per loaded version into per-column row checks, run
 * on each request's rows as the model receives them (after signature enforcement).
 *
 * Only row-level expectations are judged per request: `required`, `type`, `min`, `max`,
 * `allowedValues`, and missing values where the reference had none (`maxMissingShare: 0`).
 * The others (`minRows`, `allowExtraColumns`, `unique`, a `maxMissingShare` above 0) describe a
 * dataset, not a row: a share measured on a one-row request means nothing, so they are left to
 * `cairn validate` and monitors, which judge them over a window.
 */
import type { ColumnExpectations, Expectations } from '../../../monitoring/validation/expectations.js'
import type { ExpectationKind } from '../../../monitoring/validation/validate.js'
import type { ModelInput } from '../types.js'

/** Row numbers kept per failed expectation (the count is always exact). */
export const MAX_FAILING_ROWS = 20

export interface RowFailure {
  expectation: ExpectationKind
  column: string
  expected: unknown
  /** Rows that break it. */
  count: number
  /** The first MAX_FAILING_ROWS of them (0-based, in request order) with their values. */
  rows: number[]
  values: unknown[]
}

export interface InlineOutcome {
  rows: number
  /** Distinct rows breaking at least one expectation. */
  failedRows: number
  failures: RowFailure[]
}

interface ColumnCheck {
  name: string
  required: boolean
  numerical: boolean
  min: number
  max: number
  allowed: Set<string> | null
  expectedValues: unknown[] | null
  noMissing: boolean
}

export interface CompiledChecks {
  readonly columns: readonly ColumnCheck[]
}

function compileColumn(name: string, e: ColumnExpectations): ColumnCheck | null {
  const c: ColumnCheck = {
    name,
    required: e.required ?? true,
    numerical: e.type === 'numerical',
    min: e.min ?? -Infinity,
    max: e.max ?? Infinity,
    allowed: e.allowedValues ? new Set(e.allowedValues.map(String)) : null,
    expectedValues: e.allowedValues ?? null,
    noMissing: e.maxMissingShare === 0,
  }
  const judged =
    c.required || c.numerical || c.min > -Infinity || c.max < Infinity || c.allowed !== null || c.noMissing
  return judged ? c : null
}

/** The checks `expectations` imply for single requests; null when none applies. */
export function compileChecks(expectations: Expectations): CompiledChecks | null {
  const columns = Object.entries(expectations.columns)
    .map(([name, e]) => compileColumn(name, e))
    .filter((c): c is ColumnCheck => c !== null)
  return columns.length === 0 ? null : { columns }
}

class Collector {
  readonly failures: RowFailure[] = []
  private marks: Uint8Array | null = null
  failedRows = 0

  constructor(readonly rows: number) {}

  fail(
    f: { kind: ExpectationKind; check: ColumnCheck; expected: unknown },
    row: number,
    value: unknown,
  ): void {
    let entry = this.failures.find((x) => x.expectation === f.kind && x.column === f.check.name)
    if (!entry) {
      entry = {
        expectation: f.kind,
        column: f.check.name,
        expected: f.expected,
        count: 0,
        rows: [],
        values: [],
      }
      this.failures.push(entry)
    }
    entry.count++
    if (entry.rows.length < MAX_FAILING_ROWS) {
      entry.rows.push(row)
      entry.values.push(value)
    }
    this.marks ??= new Uint8Array(this.rows)
    if (this.marks[row] === 0) {
      this.marks[row] = 1
      this.failedRows++
    }
  }
}

const missing = (v: unknown): boolean =>
  v === null || v === undefined || v === '' || (typeof v === 'number' && v !== v)

const MIN = { kind: 'min' as const }
const MAX = { kind: 'max' as const }

function checkNumber(out: Collector, c: ColumnCheck, row: number, v: number): void {
  if (v < c.min) out.fail({ ...MIN, check: c, expected: c.min }, row, v)
  else if (v > c.max) out.fail({ ...MAX, check: c, expected: c.max }, row, v)
  if (c.allowed !== null && !c.allowed.has(String(v)))
    out.fail({ kind: 'allowed_values', check: c, expected: c.expectedValues }, row, v)
}

function checkNumeric(out: Collector, c: ColumnCheck, values: Float64Array): void {
  const ranged = c.min > -Infinity || c.max < Infinity || c.allowed !== null
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (v !== v) {
      if (c.noMissing) out.fail({ kind: 'max_missing_share', check: c, expected: 0 }, i, null)
    } else if (ranged) checkNumber(out, c, i, v)
  }
}

function checkValues(out: Collector, c: ColumnCheck, values: readonly unknown[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (missing(v)) {
      if (c.noMissing) out.fail({ kind: 'max_missing_share', check: c, expected: 0 }, i, null)
      continue
    }
    let n = typeof v === 'number' ? v : NaN
    if (typeof v === 'string' && (c.numerical || c.min > -Infinity || c.max < Infinity)) n = Number(v.trim())
    if (n === n) {
      checkNumber(out, c, i, n)
      continue
    }
    if (c.numerical) {
      out.fail({ kind: 'type', check: c, expected: 'numerical' }, i, v)
      continue
    }
    if (c.allowed !== null) {
      // Booleans and bigints as text; objects (lists, structs) as JSON.
      const text =
        typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : (JSON.stringify(v) ?? '')
      if (!c.allowed.has(text))
        out.fail({ kind: 'allowed_values', check: c, expected: c.expectedValues }, i, v)
    }
  }
}

/** Checks a request's rows; null when the input is tensors (expectations name columns). */
export function runChecks(checks: CompiledChecks, input: ModelInput): InlineOutcome | null {
  if (input.kind !== 'columns') return null
  const out = new Collector(input.rows)
  for (const c of checks.columns) {
    const values = input.columns[c.name]
    if (values === undefined) {
      if (c.required)
        for (let i = 0; i < input.rows; i++) out.fail({ kind: 'required', check: c, expected: true }, i, null)
      continue
    }
    if (values instanceof Float64Array) checkNumeric(out, c, values)
    else checkValues(out, c, values)
  }
  return { rows: input.rows, failedRows: out.failedRows, failures: out.failures }
}

const shown = (v: unknown): string => (v === null ? 'missing' : JSON.stringify(v))

const RULE: Record<ExpectationKind, (f: RowFailure) => string> = {
  required: () => 'required column is absent',
  type: () => 'not a number',
  min: (f) => `below the minimum ${String(f.expected)}`,
  max: (f) => `above the maximum ${String(f.expected)}`,
  allowed_values: () => 'not an allowed value',
  max_missing_share: () => 'missing (the reference has no missing values)',
  min_rows: () => 'too few rows',
  no_extra_columns: () => 'unexpected column',
  unique: () => 'repeated value',
}

/** "age max (above the maximum 95): rows 1 (120), 4 (130)", one part per failed expectation. */
export function describeFailures(outcome: InlineOutcome): string {
  return outcome.failures
    .map((f) => {
      const rows = f.rows.map((r, i) => `${r} (${shown(f.values[i])})`).join(', ')
      const more = f.count > f.rows.length ? ` and ${f.count - f.rows.length} more` : ''
      return `${f.column} ${f.expectation} (${RULE[f.expectation](f)}): row${f.count === 1 ? '' : 's'} ${rows}${more}`
    })
    .join('; ')
}
