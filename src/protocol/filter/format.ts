/**
 * The text of a tree: `parseFilter(t, formatFilter(x))` gives back `x` (tests check it), so
 * clients can build filters as trees and send them as strings.
 *
 * @example formatFilter({ type: 'compare', entity: 'metric', key: 'f1 score', comparator: '>', value: { kind: 'number', value: 0.5 } })
 *   // → "metrics.`f1 score` > 0.5"
 */
import type { Comparison, Entity, FilterExpr, Literal, OrderKey } from './ast.js'

const PREFIX: Record<Entity, string> = {
  metric: 'metrics',
  param: 'params',
  tag: 'tags',
  attribute: 'attributes',
  dataset: 'datasets',
}

const PLAIN_KEY = /^[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}\p{N}_]+)*$/u

function key(k: string): string {
  return PLAIN_KEY.test(k) ? k : '`' + k.replaceAll('`', '``') + '`'
}

function quote(s: string): string {
  return "'" + s.replaceAll('\\', '\\\\').replaceAll("'", "''") + "'"
}

function number(n: number): string {
  if (Number.isNaN(n)) throw new Error('NaN has no literal in the search language')
  if (n === Number.POSITIVE_INFINITY) return '1e999'
  if (n === Number.NEGATIVE_INFINITY) return '-1e999'
  return Object.is(n, -0) ? '-0' : String(n)
}

function literal(v: Literal): string {
  if (v.kind === 'number') return number(v.value)
  if (v.kind === 'string') return quote(v.value)
  return `(${v.values.map(quote).join(', ')})`
}

export function formatIdentifier(entity: Entity, k: string): string {
  return `${PREFIX[entity]}.${key(k)}`
}

function comparison(c: Comparison): string {
  return `${formatIdentifier(c.entity, c.key)} ${c.comparator} ${literal(c.value)}`
}

export function formatFilter(expr: FilterExpr): string {
  if (expr.type === 'compare') return comparison(expr)
  const sep = expr.type === 'and' ? ' AND ' : ' OR '
  return expr.items
    .map((item) =>
      item.type === 'compare' || (expr.type === 'or' && item.type === 'and')
        ? formatFilter(item)
        : `(${formatFilter(item)})`,
    )
    .join(sep)
}

export function formatOrderKey(k: OrderKey): string {
  return `${formatIdentifier(k.entity, k.key)} ${k.ascending ? 'ASC' : 'DESC'}`
}
