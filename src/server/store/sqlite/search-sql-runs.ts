/**
 * Run search → SQL. The order is MLflow's SQL store order (`_get_orderby_clauses`): for each key,
 * runs that have a value first, in the requested direction, then runs whose metric is NaN, then
 * runs without the key; ties broken by start_time DESC (unless ordered by it) and run id.
 *
 * Why segments: a single ORDER BY starting with "has a value" cannot walk an index, so every
 * matching run would be sorted. Instead the first order key splits the search into up to three
 * queries (has a value / NaN / missing) run one after another until the page is full. The first
 * one walks the key's (key, value) index in order and stops after the page, so "top 100 by
 * metrics.m2" reads about 100 / selectivity index entries however many runs there are.
 *
 * When the filter pins the runs down to a few candidates (`run_id IN (…)`, a rare param value,
 * a tag no run has), walking the order index would read it all to find them. So each indexable
 * condition that every match must meet is also compiled into a "driver" (the run_pks it allows,
 * from its own index), and the executor counts each driver up to a cap first: under the cap, one
 * query starts from the smallest driver's candidates and sorts them; otherwise the segments run.
 *
 * Metrics are read from `latest_metrics` only, never from histories. A metric key no run has
 * logged (not interned) matches nothing and orders as missing everywhere.
 */
import type { ViewType } from '../../../protocol/entities.js'
import type { Comparison, FilterExpr, OrderKey } from '../../../protocol/filter/ast.js'
import { fullOrder } from '../../../protocol/filter/evaluate.js'
import { booleanSql, direction, inList, lifecycle, valueTest, type SearchKeys } from './search-sql-common.js'
import { FALSE, type Fragment, joinSql, raw, sql } from './sql-fragment.js'

export interface RunSearchQuery {
  experimentIds: number[]
  filter: FilterExpr | null
  orderBy: OrderKey[]
  viewType: ViewType
}

export interface RunDriver {
  /** `SELECT run_pk …` queries, each read from an index; together a superset of the matching runs. */
  branches: Fragment[]
  /** The whole search started from those rows, in the full order. No LIMIT yet. */
  query: Fragment
}

/**
 * The default order (start_time, then run id) over several experiments or lifecycle stages: one
 * query per (experiment, stage), each walking `runs_by_experiment` in order, merged by the caller.
 * A single query would sort every run (or, with sqlite_stat1, often pick a worse plan).
 */
export interface RunPartitions {
  queries: Fragment[]
  ascending: boolean
}

export interface RunSearchPlan {
  /** Queries whose results, concatenated in order, are the search's full order. No LIMIT yet. */
  segments: Fragment[]
  drivers: RunDriver[]
  partitions?: RunPartitions
}

const MAX_PARTITIONS = 64

const RUN_COLUMNS = raw(
  'r.run_pk, r.run_uuid, r.experiment_id, r.run_name, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage',
)

const ATTRIBUTE_COLUMNS: Readonly<Record<string, string>> = {
  run_id: 'r.run_uuid',
  run_name: 'r.run_name',
  status: 'r.status',
  user_id: 'r.user_id',
  artifact_uri: 'r.artifact_uri',
  start_time: 'r.start_time',
  end_time: 'r.end_time',
}
const NULLABLE_ATTRIBUTES: ReadonlySet<string> = new Set(['end_time'])

function attributeColumn(key: string): Fragment {
  const column = ATTRIBUTE_COLUMNS[key]
  if (column === undefined) throw new Error(`runs have no attribute ${key}`)
  return raw(column)
}

const ENTRY_TABLES = { param: 'params', tag: 'tags' } as const

// In the EXISTS probes below, `+x.value` keeps SQLite from answering them through the (key, value)
// index: without statistics it may otherwise scan a whole value range for every candidate run
// (hundreds of ms at 100k runs) instead of one (run_pk, key) lookup.
function runComparison(c: Comparison, keys: SearchKeys): Fragment {
  switch (c.entity) {
    case 'attribute':
      return valueTest(attributeColumn(c.key), c.comparator, c.value)
    case 'metric': {
      const id = keys.metricKeyId(c.key)
      if (id === undefined) return FALSE
      return sql`EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_pk = r.run_pk AND m.key_id = ${id}
                          AND ${valueTest(raw('+m.value'), c.comparator, c.value)})`
    }
    case 'param':
    case 'tag':
      return sql`EXISTS (SELECT 1 FROM ${raw(ENTRY_TABLES[c.entity])} p WHERE p.run_pk = r.run_pk AND p.key = ${c.key}
                          AND ${valueTest(raw('+p.value'), c.comparator, c.value)})`
    case 'dataset':
      if (c.key === 'context') {
        return sql`EXISTS (SELECT 1 FROM input_tags it WHERE it.run_pk = r.run_pk AND it.key = 'mlflow.data.context'
                            AND ${valueTest(raw('it.value'), c.comparator, c.value)})`
      }
      return sql`EXISTS (SELECT 1 FROM inputs i JOIN datasets d ON d.dataset_pk = i.dataset_pk WHERE i.run_pk = r.run_pk
                          AND ${valueTest(raw(c.key === 'name' ? 'd.name' : 'd.digest'), c.comparator, c.value)})`
  }
}

interface OrderTerms {
  joins: Fragment[]
  terms: Fragment[]
}

/** ORDER BY terms (and the LEFT JOINs they read) for keys after the first. */
function laterKeys(order: readonly OrderKey[], keys: SearchKeys): OrderTerms {
  const out: OrderTerms = { joins: [], terms: [] }
  order.forEach((k, n) => {
    const alias = raw(`o${n + 1}`)
    const dir = direction(k.ascending)
    if (k.entity === 'attribute') {
      const column = attributeColumn(k.key)
      if (NULLABLE_ATTRIBUTES.has(k.key)) out.terms.push(sql`${column} IS NULL`)
      out.terms.push(sql`${column} ${dir}`)
    } else if (k.entity === 'metric') {
      const id = keys.metricKeyId(k.key)
      if (id === undefined) return
      out.joins.push(
        sql`LEFT JOIN latest_metrics ${alias} ON ${alias}.run_pk = r.run_pk AND ${alias}.key_id = ${id}`,
      )
      out.terms.push(
        sql`CASE WHEN ${alias}.run_pk IS NULL THEN 2 WHEN ${alias}.value IS NULL THEN 1 ELSE 0 END`,
      )
      out.terms.push(sql`${alias}.value ${dir}`)
    } else if (k.entity === 'param' || k.entity === 'tag') {
      out.joins.push(
        sql`LEFT JOIN ${raw(ENTRY_TABLES[k.entity])} ${alias} ON ${alias}.run_pk = r.run_pk AND ${alias}.key = ${k.key}`,
      )
      out.terms.push(sql`${alias}.run_pk IS NULL`)
      out.terms.push(sql`${alias}.value ${dir}`)
    }
  })
  return out
}

interface Segment {
  /** FROM clause ending with `runs r`, joined by the first key's table when it has one. */
  from: Fragment
  where: Fragment[]
  order: Fragment[]
}

function segmentsForFirstKey(first: OrderKey, keys: SearchKeys): Segment[] {
  const dir = direction(first.ascending)
  if (first.entity === 'attribute') {
    const column = attributeColumn(first.key)
    const from = raw('runs r')
    if (!NULLABLE_ATTRIBUTES.has(first.key)) return [{ from, where: [], order: [sql`${column} ${dir}`] }]
    return [
      { from, where: [sql`${column} IS NOT NULL`], order: [sql`${column} ${dir}`] },
      { from, where: [sql`${column} IS NULL`], order: [] },
    ]
  }
  if (first.entity === 'metric') {
    const id = keys.metricKeyId(first.key)
    if (id === undefined) return [{ from: raw('runs r'), where: [], order: [] }]
    // CROSS JOIN keeps the metric index as the outer loop: SQLite would otherwise often start
    // from runs and sort every match.
    const from = raw('latest_metrics o0 CROSS JOIN runs r')
    const key = sql`o0.key_id = ${id} AND o0.run_pk = r.run_pk`
    return [
      { from, where: [key, raw('o0.value IS NOT NULL')], order: [sql`o0.value ${dir}`] },
      { from, where: [key, raw('o0.value IS NULL')], order: [] },
      {
        from: raw('runs r'),
        where: [
          sql`NOT EXISTS (SELECT 1 FROM latest_metrics x WHERE x.run_pk = r.run_pk AND x.key_id = ${id})`,
        ],
        order: [],
      },
    ]
  }
  if (first.entity === 'param' || first.entity === 'tag') {
    const table = raw(ENTRY_TABLES[first.entity])
    return [
      {
        from: sql`${table} o0 CROSS JOIN runs r`,
        where: [sql`o0.key = ${first.key} AND o0.run_pk = r.run_pk`],
        order: [sql`o0.value ${dir}`],
      },
      {
        from: raw('runs r'),
        where: [
          sql`NOT EXISTS (SELECT 1 FROM ${table} x WHERE x.run_pk = r.run_pk AND x.key = ${first.key})`,
        ],
        order: [],
      },
    ]
  }
  throw new Error(`runs cannot be ordered by ${first.entity}`)
}

/** A superset of the runs a comparison allows, from an index; null when no index helps. */
function leafDriver(c: Comparison, keys: SearchKeys): Fragment | null {
  switch (c.entity) {
    case 'metric': {
      const id = keys.metricKeyId(c.key)
      if (id === undefined) return raw('SELECT NULL AS run_pk WHERE 0')
      return sql`SELECT run_pk FROM latest_metrics WHERE key_id = ${id} AND ${valueTest(raw('value'), c.comparator, c.value)}`
    }
    case 'param':
    case 'tag':
      return sql`SELECT run_pk FROM ${raw(ENTRY_TABLES[c.entity])} WHERE key = ${c.key} AND ${valueTest(raw('value'), c.comparator, c.value)}`
    case 'attribute':
      if (c.key !== 'run_id' || (c.comparator !== '=' && c.comparator !== 'IN')) return null
      return sql`SELECT run_pk FROM runs WHERE ${valueTest(raw('run_uuid'), c.comparator, c.value)}`
    case 'dataset':
      if (c.key === 'context') return null
      return sql`SELECT DISTINCT i.run_pk AS run_pk FROM datasets d JOIN inputs i ON i.dataset_pk = d.dataset_pk
                  WHERE ${valueTest(raw(c.key === 'name' ? 'd.name' : 'd.digest'), c.comparator, c.value)}`
  }
}

const MAX_DRIVERS = 4

/**
 * Candidate sets any match must belong to, each a union of index reads: one per indexable
 * AND-ed condition; an OR gives one set only when every branch has one.
 */
function drivers(expr: FilterExpr, keys: SearchKeys): Fragment[][] {
  if (expr.type === 'compare') {
    const d = leafDriver(expr, keys)
    return d ? [[d]] : []
  }
  if (expr.type === 'and') return expr.items.flatMap((x) => drivers(x, keys)).slice(0, MAX_DRIVERS)
  const branches = expr.items.map((x) => drivers(x, keys))
  if (branches.some((b) => b.length === 0)) return []
  return [branches.flatMap((b) => b[0]!)]
}

export function compileRunSearch(q: RunSearchQuery, keys: SearchKeys): RunSearchPlan {
  const order = fullOrder('runs', q.orderBy)
  const [first, ...rest] = order
  const base = [
    sql`r.experiment_id IN (${inList(q.experimentIds)})`,
    lifecycle(q.viewType, 'r.lifecycle_stage'),
  ]
  if (q.filter) base.push(booleanSql(q.filter, (c) => runComparison(c, keys)))
  const later = laterKeys(rest, keys)
  const segments = segmentsForFirstKey(first!, keys).map(
    (s) => sql`SELECT ${RUN_COLUMNS} FROM ${s.from} ${joinSql(later.joins, ' ')}
                WHERE ${joinSql([...s.where, ...base], ' AND ')}
                ORDER BY ${joinSql([...s.order, ...later.terms], ', ')}`,
  )
  const all = laterKeys(order, keys)
  const driven = (q.filter ? drivers(q.filter, keys) : []).map((branches) => ({
    branches,
    query: sql`SELECT ${RUN_COLUMNS} FROM (${joinSql(branches, ' UNION ')}) f CROSS JOIN runs r ${joinSql(all.joins, ' ')}
                WHERE ${joinSql([raw('r.run_pk = f.run_pk'), ...base], ' AND ')}
                ORDER BY ${joinSql(all.terms, ', ')}`,
  }))
  const plan: RunSearchPlan = { segments, drivers: driven }
  const stages =
    q.viewType === 'ALL' ? ['active', 'deleted'] : [q.viewType === 'ACTIVE_ONLY' ? 'active' : 'deleted']
  const byTimeThenId = first!.entity === 'attribute' && first!.key === 'start_time' && rest.length === 1
  const count = q.experimentIds.length * stages.length
  if (byTimeThenId && count > 1 && count <= MAX_PARTITIONS) {
    const filter = base.slice(2)
    const queries = q.experimentIds.flatMap((id) =>
      stages.map(
        (stage) => sql`SELECT ${RUN_COLUMNS} FROM runs r
                        WHERE ${joinSql([sql`r.experiment_id = ${id} AND r.lifecycle_stage = ${stage}`, ...filter], ' AND ')}
                        ORDER BY r.start_time ${direction(first!.ascending)}, r.run_uuid ASC`,
      ),
    )
    plan.partitions = { queries, ascending: first!.ascending }
  }
  return plan
}
