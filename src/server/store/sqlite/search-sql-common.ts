/**
 * What the SQLite search compilers share: comparisons as SQL, AND/OR, lifecycle and direction.
 * LIKE is case-sensitive because db.ts sets `case_sensitive_like`; ILIKE is
 * `lower(x) LIKE lower(p)` (ASCII folding, like the evaluator).
 */
import type { ViewType } from '../../../protocol/entities.js'
import type { Comparator, Comparison, FilterExpr, Literal } from '../../../protocol/filter/ast.js'
import { Fragment, joinSql, raw, sql } from './sql-fragment.js'

export interface SearchKeys {
  /** Interned id of a metric key, or undefined when no run has logged it. */
  metricKeyId(key: string): number | undefined
}

export function lifecycle(viewType: ViewType, column: string): Fragment {
  if (viewType === 'ACTIVE_ONLY') return raw(`${column} = 'active'`)
  if (viewType === 'DELETED_ONLY') return raw(`${column} = 'deleted'`)
  return raw('1')
}

const OPERATORS: Partial<Record<Comparator, string>> = {
  '=': '=',
  '!=': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
}

const LONG_LIST = 500

/** The inside of `IN (…)`; a long list travels as one JSON parameter (SQLite caps bound variables). */
export function inList(values: readonly (string | number)[]): Fragment {
  if (values.length > LONG_LIST) return sql`SELECT value FROM json_each(${JSON.stringify(values)})`
  return joinSql(
    values.map((v) => sql`${v}`),
    ', ',
  )
}

/** `column <comparator> value`; NULL columns never satisfy it, as the evaluator's missing values. */
export function valueTest(column: Fragment, comparator: Comparator, value: Literal): Fragment {
  if (value.kind === 'list') {
    const list = inList(value.values)
    return comparator === 'NOT IN' ? sql`${column} NOT IN (${list})` : sql`${column} IN (${list})`
  }
  const v = value.value
  if (comparator === 'LIKE') return sql`${column} LIKE ${v}`
  if (comparator === 'ILIKE') return sql`lower(${column}) LIKE lower(${v})`
  const op = OPERATORS[comparator]
  if (op === undefined) throw new Error(`comparator ${comparator} needs a list`)
  return sql`${column} ${raw(op)} ${v}`
}

/** AND/OR of compiled comparisons, parenthesized. */
export function booleanSql(expr: FilterExpr, compare: (c: Comparison) => Fragment): Fragment {
  if (expr.type === 'compare') return compare(expr)
  const parts = expr.items.map((x) => booleanSql(x, compare))
  return sql`(${joinSql(parts, expr.type === 'and' ? ' AND ' : ' OR ')})`
}

export function direction(ascending: boolean): Fragment {
  return raw(ascending ? 'ASC' : 'DESC')
}
