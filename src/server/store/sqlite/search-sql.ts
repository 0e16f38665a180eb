/**
 * Search → SQL for SQLite: the filter tree and order keys (protocol/filter) compiled to one
 * parameterized query per search (experiments) or a few ordered segments (runs, see
 * search-sql-runs.ts). The in-memory evaluator (protocol/filter/evaluate.ts) is the reference:
 * property tests hold this compiler to its answers and order.
 */
import type { ViewType } from '../../../protocol/entities.js'
import type { Comparison, FilterExpr, OrderKey } from '../../../protocol/filter/ast.js'
import { fullOrder } from '../../../protocol/filter/evaluate.js'
import { booleanSql, direction, lifecycle, valueTest } from './search-sql-common.js'
import { type Fragment, joinSql, raw, sql } from './sql-fragment.js'

export { compileRunSearch, type RunSearchPlan, type RunSearchQuery } from './search-sql-runs.js'
export { selectRunRows } from './search-run-rows.js'
export type { SearchKeys } from './search-sql-common.js'

export interface SqlQuery {
  sql: string
  params: unknown[]
}

export interface ExperimentSearchQuery {
  filter: FilterExpr | null
  orderBy: OrderKey[]
  viewType: ViewType
  limit: number
  offset: number
}

const EXPERIMENT_COLUMNS: Readonly<Record<string, string>> = {
  experiment_id: 'e.experiment_id',
  name: 'e.name',
  creation_time: 'e.creation_time',
  last_update_time: 'e.last_update_time',
}

function experimentColumn(key: string): Fragment {
  const column = EXPERIMENT_COLUMNS[key]
  if (column === undefined) throw new Error(`experiments have no attribute ${key}`)
  return raw(column)
}

function experimentComparison(c: Comparison): Fragment {
  if (c.entity === 'attribute') return valueTest(experimentColumn(c.key), c.comparator, c.value)
  if (c.entity === 'tag') {
    return sql`EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ${c.key}
                       AND ${valueTest(raw('+t.value'), c.comparator, c.value)})`
  }
  throw new Error(`experiments cannot be searched by ${c.entity}`)
}

/** Every experiment column is NOT NULL, so MLflow's order needs no presence terms here. */
export function compileExperimentSearch(q: ExperimentSearchQuery): SqlQuery {
  const where = [lifecycle(q.viewType, 'e.lifecycle_stage')]
  if (q.filter) where.push(booleanSql(q.filter, experimentComparison))
  const order = fullOrder('experiments', q.orderBy).map(
    (k) => sql`${experimentColumn(k.key)} ${direction(k.ascending)}`,
  )
  const query = sql`SELECT e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time
                      FROM experiments e
                     WHERE ${joinSql(where, ' AND ')}
                     ORDER BY ${joinSql(order, ', ')}
                     LIMIT ${q.limit} OFFSET ${q.offset}`
  return { sql: query.sql, params: [...query.params] }
}
