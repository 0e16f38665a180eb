/**
 * Registered-model and model-version search → SQL, held to the in-memory evaluator
 * (protocol/filter/evaluate.ts) by the registry contract's property tests. Every searchable
 * column is NOT NULL, so the order needs no presence terms; strings compare as BINARY (code
 * points), as the evaluator does. The queries return keys only; entities are loaded a page at a
 * time afterwards.
 */
import type { Comparison, FilterExpr, OrderKey } from '../../../../protocol/filter/ast.js'
import { fullOrder } from '../../../../protocol/filter/evaluate.js'
import { booleanSql, direction, valueTest } from '../search-sql-common.js'
import { type Fragment, joinSql, raw, sql } from '../sql-fragment.js'

export interface RegistrySearchQuery {
  filter: FilterExpr | null
  orderBy: OrderKey[]
  limit: number
  offset: number
}

export interface SqlQuery {
  sql: string
  params: unknown[]
}

const MODEL_COLUMNS: Readonly<Record<string, string>> = {
  name: 'm.name',
  creation_timestamp: 'm.creation_time',
  last_updated_timestamp: 'm.last_updated_time',
}

const VERSION_COLUMNS: Readonly<Record<string, string>> = {
  name: 'v.name',
  version_number: 'v.version',
  run_id: 'v.run_id',
  source_path: 'v.source',
  creation_timestamp: 'v.creation_time',
  last_updated_timestamp: 'v.last_updated_time',
}

function column(table: Readonly<Record<string, string>>, what: string, key: string): Fragment {
  const c = table[key]
  if (c === undefined) throw new Error(`${what} have no attribute ${key}`)
  return raw(c)
}

function modelComparison(c: Comparison): Fragment {
  if (c.entity === 'attribute')
    return valueTest(column(MODEL_COLUMNS, 'registered models', c.key), c.comparator, c.value)
  if (c.entity === 'tag') {
    return sql`EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.model_pk = m.model_pk AND t.key = ${c.key}
                       AND ${valueTest(raw('+t.value'), c.comparator, c.value)})`
  }
  throw new Error(`registered models cannot be searched by ${c.entity}`)
}

function versionComparison(c: Comparison): Fragment {
  if (c.entity === 'attribute')
    return valueTest(column(VERSION_COLUMNS, 'model versions', c.key), c.comparator, c.value)
  if (c.entity === 'tag') {
    return sql`EXISTS (SELECT 1 FROM model_version_tags t WHERE t.model_pk = v.model_pk AND t.version = v.version
                       AND t.key = ${c.key} AND ${valueTest(raw('+t.value'), c.comparator, c.value)})`
  }
  throw new Error(`model versions cannot be searched by ${c.entity}`)
}

/** `SELECT model_pk …` in the search's order, one page. */
export function compileRegisteredModelSearch(q: RegistrySearchQuery): SqlQuery {
  const where = q.filter ? booleanSql(q.filter, modelComparison) : raw('1')
  const order = fullOrder('registered_models', q.orderBy).map(
    (k) => sql`${column(MODEL_COLUMNS, 'registered models', k.key)} ${direction(k.ascending)}`,
  )
  const query = sql`SELECT m.model_pk FROM registered_models m
                     WHERE ${where}
                     ORDER BY ${joinSql(order, ', ')}
                     LIMIT ${q.limit} OFFSET ${q.offset}`
  return { sql: query.sql, params: [...query.params] }
}

/** `SELECT model_pk, version …` in the search's order, one page. */
export function compileModelVersionSearch(q: RegistrySearchQuery): SqlQuery {
  const where = q.filter ? booleanSql(q.filter, versionComparison) : raw('1')
  const order = fullOrder('model_versions', q.orderBy).map(
    (k) => sql`${column(VERSION_COLUMNS, 'model versions', k.key)} ${direction(k.ascending)}`,
  )
  const query = sql`SELECT v.model_pk, v.version FROM model_versions v
                     WHERE ${where}
                     ORDER BY ${joinSql(order, ', ')}
                     LIMIT ${q.limit} OFFSET ${q.offset}`
  return { sql: query.sql, params: [...query.params] }
}
