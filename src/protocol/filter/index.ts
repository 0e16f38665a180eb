/**
 * The search language's entry points. PLACEHOLDER until the parser lands: an empty filter is
 * accepted, anything else is refused with a clear error.
 */
import { invalidParameter } from '../errors.js'
import type { FilterExpr, OrderKey } from './ast.js'

export type SearchTarget = 'runs' | 'experiments' | 'registered_models' | 'model_versions'

export function parseSearchFilter(_target: SearchTarget, text: string): FilterExpr | null {
  if (text.trim() === '') return null
  throw invalidParameter('Filters are not supported yet')
}

export function parseSearchOrderBy(_target: SearchTarget, items: string[]): OrderKey[] {
  if (items.length === 0) return []
  throw invalidParameter('order_by is not supported yet')
}

export type { FilterExpr, OrderKey } from './ast.js'
