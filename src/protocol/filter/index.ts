/**
 * The search language's entry points: filter strings and order_by lists → typed trees (ast.ts),
 * checked against the target's key table (keys.ts). Errors are INVALID_PARAMETER_VALUE naming
 * the bad token and its position (0-based), and listing the valid keys where a key was wrong.
 *
 * @example parseSearchFilter('runs', "metrics.acc > 0.9 AND (params.opt = 'adam' OR tags.team LIKE 'ml%')")
 */
import type { FilterExpr, OrderKey } from './ast.js'
import type { SearchTarget } from './keys.js'
import { parseFilter, parseOrderBy } from './parse.js'

export function parseSearchFilter(target: SearchTarget, text: string): FilterExpr | null {
  return parseFilter(target, text)
}

export function parseSearchOrderBy(target: SearchTarget, items: readonly string[]): OrderKey[] {
  return parseOrderBy(target, items)
}

export type { Comparator, Comparison, Entity, FilterExpr, Literal, OrderKey } from './ast.js'
export type { SearchTarget } from './keys.js'
export { SEARCH_TARGETS } from './keys.js'
export { formatFilter, formatOrderKey } from './format.js'
export {
  DATASET_CONTEXT_TAG,
  experimentSubject,
  fullOrder,
  makeSubject,
  matches,
  modelVersionSubject,
  orderComparator,
  registeredModelSubject,
  runSubject,
  type DatasetFacet,
  type SearchSubject,
} from './evaluate.js'
