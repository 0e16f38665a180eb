/**
 * fast-check generators for search property tests: small worlds of runs and experiments whose
 * values collide on purpose (ties, case variants, LIKE wildcards, NaN, ±Infinity, missing keys),
 * random filter trees with AND/OR, and random order_by lists. Test-only.
 */
import fc from 'fast-check'
import type {
  Comparator,
  Comparison,
  Entity,
  FilterExpr,
  Literal,
  OrderKey,
} from '../../protocol/filter/ast.js'
import type { RunStatus } from '../../protocol/entities.js'

export const STRINGS = [
  'a',
  'A',
  'ab',
  'aB',
  'b',
  '',
  'a_b',
  'a%b',
  'é',
  'É',
  'x y',
  "it's",
  '日本',
  '😀',
  'ß',
]
export const PATTERNS = [
  'a',
  'A',
  '%',
  'a%',
  '%b',
  '_',
  'a_',
  '%a%',
  'É',
  'é',
  '',
  "it's",
  '😀',
  '_b',
  'x%',
  '%_%',
  'A%',
]
export const METRIC_VALUES = [
  -1,
  0,
  0.5,
  1,
  2,
  Number.NaN,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
]
export const NUMBER_LITERALS = [
  -1,
  0,
  0.5,
  1,
  1.5,
  2,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.POSITIVE_INFINITY,
]
export const TIMES = [0, 1, 2, 3]

export const METRIC_KEYS = ['m0', 'm1', 'm2']
export const PARAM_KEYS = ['p0', 'p1']
export const TAG_KEYS = ['t0', 't1']
/** Keys no run ever logs: they must match nothing and order as missing. */
export const UNKNOWN = { metric: 'm_unknown', param: 'p_unknown', tag: 't_unknown' }

const NAMES = ['run-a', 'run-b', 'Run-A', 'other']
const USERS = ['alice', 'bob']
const STATUSES: RunStatus[] = ['RUNNING', 'FINISHED', 'FAILED']
const DATASET_NAMES = ['train', 'test', 'Train']
const DIGESTS = ['d1', 'd2']
const CONTEXTS = ['training', 'eval']

export interface MetricPoint {
  key: string
  value: number
  step: number
  timestamp: number
}

export interface RunSpec {
  experiment: number
  startTime: number
  endTime: number | null
  runName: string
  userId: string
  status: RunStatus
  params: Record<string, string>
  tags: Record<string, string>
  metrics: MetricPoint[]
  datasets: { name: string; digest: string; context: string | null }[]
  deleted: boolean
}

const entries = (keys: string[], values: fc.Arbitrary<string>): fc.Arbitrary<Record<string, string>> =>
  fc.dictionary(fc.constantFrom(...keys), values, { maxKeys: keys.length })

export const runSpec = (experiments: number): fc.Arbitrary<RunSpec> =>
  fc.record({
    experiment: fc.nat({ max: experiments - 1 }),
    startTime: fc.constantFrom(...TIMES),
    endTime: fc.option(fc.constantFrom(...TIMES), { nil: null }),
    runName: fc.constantFrom(...NAMES),
    userId: fc.constantFrom(...USERS),
    status: fc.constantFrom(...STATUSES),
    params: entries(PARAM_KEYS, fc.constantFrom(...STRINGS)),
    tags: entries(TAG_KEYS, fc.constantFrom(...STRINGS)),
    metrics: fc.array(
      fc.record({
        key: fc.constantFrom(...METRIC_KEYS),
        value: fc.constantFrom(...METRIC_VALUES),
        step: fc.nat({ max: 2 }),
        timestamp: fc.nat({ max: 2 }),
      }),
      { maxLength: 5 },
    ),
    datasets: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom(...DATASET_NAMES),
        digest: fc.constantFrom(...DIGESTS),
        context: fc.option(fc.constantFrom(...CONTEXTS), { nil: null }),
      }),
      { maxLength: 2, selector: (d) => `${d.name}/${d.digest}` },
    ),
    deleted: fc.nat({ max: 4 }).map((n) => n === 0),
  })

const stringLiteral = (pool: string[]): fc.Arbitrary<Literal> =>
  fc.constantFrom(...pool).map((value) => ({ kind: 'string', value }))
const numberLiteral: fc.Arbitrary<Literal> = fc
  .constantFrom(...NUMBER_LITERALS)
  .map((value) => ({ kind: 'number', value }))
const listLiteral = (pool: string[]): fc.Arbitrary<Literal> =>
  fc
    .uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 })
    .map((values) => ({ kind: 'list', values }))

const STRING_CMP: Comparator[] = ['=', '!=', 'LIKE', 'ILIKE']
const NUMERIC_CMP: Comparator[] = ['=', '!=', '<', '<=', '>', '>=']

function compare(
  entity: Entity,
  key: fc.Arbitrary<string>,
  comparator: Comparator[],
  value: (c: Comparator) => fc.Arbitrary<Literal>,
): fc.Arbitrary<Comparison> {
  return fc
    .tuple(key, fc.constantFrom(...comparator))
    .chain(([k, c]) =>
      value(c).map((v): Comparison => ({ type: 'compare', entity, key: k, comparator: c, value: v })),
    )
}

const stringValue = (c: Comparator): fc.Arbitrary<Literal> =>
  stringLiteral(c === 'LIKE' || c === 'ILIKE' ? PATTERNS : STRINGS)

/** A comparison a runs filter may contain; `runIds` feeds `run_id IN (…)`. */
export function runComparison(runIds: string[]): fc.Arbitrary<Comparison> {
  const ids = runIds.length > 0 ? runIds : ['0'.repeat(32)]
  return fc.oneof(
    compare('metric', fc.constantFrom(...METRIC_KEYS, UNKNOWN.metric), NUMERIC_CMP, () => numberLiteral),
    compare('param', fc.constantFrom(...PARAM_KEYS, UNKNOWN.param), STRING_CMP, stringValue),
    compare('tag', fc.constantFrom(...TAG_KEYS, UNKNOWN.tag, 'mlflow.runName'), STRING_CMP, stringValue),
    compare('attribute', fc.constantFrom('start_time', 'end_time'), NUMERIC_CMP, () =>
      fc.constantFrom(...TIMES, 1.5).map((value): Literal => ({ kind: 'number', value })),
    ),
    compare('attribute', fc.constantFrom('run_name', 'user_id', 'status'), STRING_CMP, (c) =>
      c === 'LIKE' || c === 'ILIKE'
        ? stringLiteral([...PATTERNS, 'run%', 'RUN%'])
        : stringLiteral([...NAMES, ...USERS, ...STATUSES]),
    ),
    compare('attribute', fc.constant('run_id'), ['=', '!=', 'IN', 'NOT IN', 'LIKE'], (c) =>
      c === 'IN' || c === 'NOT IN'
        ? listLiteral(ids)
        : c === 'LIKE'
          ? stringLiteral(['0%', '%1', '%'])
          : stringLiteral(ids),
    ),
    compare('dataset', fc.constantFrom('name', 'digest', 'context'), [...STRING_CMP, 'IN', 'NOT IN'], (c) =>
      c === 'IN' || c === 'NOT IN'
        ? listLiteral([...DATASET_NAMES, ...DIGESTS, ...CONTEXTS])
        : c === 'LIKE' || c === 'ILIKE'
          ? stringLiteral(['t%', 'T%', '%a%', 'd_'])
          : stringLiteral([...DATASET_NAMES, ...DIGESTS, ...CONTEXTS]),
    ),
  )
}

export const experimentComparison: fc.Arbitrary<Comparison> = fc.oneof(
  compare('attribute', fc.constant('name'), STRING_CMP, (c) =>
    c === 'LIKE' || c === 'ILIKE'
      ? stringLiteral(['e%', 'E%', '%a%', 'e_', '%'])
      : stringLiteral(['e-a', 'e-b', 'E-a', 'Default']),
  ),
  compare('attribute', fc.constantFrom('creation_time', 'last_update_time'), NUMERIC_CMP, () =>
    fc.constantFrom(...TIMES, 10, 1.5).map((value): Literal => ({ kind: 'number', value })),
  ),
  compare('tag', fc.constantFrom(...TAG_KEYS, UNKNOWN.tag), STRING_CMP, stringValue),
)

/** AND/OR trees up to depth 3 over the given comparisons. */
export function filterTree(leaf: fc.Arbitrary<Comparison>): fc.Arbitrary<FilterExpr> {
  const { node } = fc.letrec<{ node: FilterExpr }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      leaf,
      fc.record({
        type: fc.constantFrom('and' as const, 'or' as const),
        items: fc.array(tie('node'), { minLength: 2, maxLength: 3 }),
      }),
    ),
  }))
  return node
}

/** Nested AND in AND (and OR in OR) merged, as the parser builds them. */
export function flattenTree(expr: FilterExpr): FilterExpr {
  if (expr.type === 'compare') return expr
  const items = expr.items.map(flattenTree).flatMap((x) => (x.type === expr.type ? x.items : [x]))
  return { type: expr.type, items }
}

const RUN_ORDER_KEYS: { entity: Entity; key: string }[] = [
  ...METRIC_KEYS.map((key) => ({ entity: 'metric' as const, key })),
  { entity: 'metric', key: UNKNOWN.metric },
  ...PARAM_KEYS.map((key) => ({ entity: 'param' as const, key })),
  { entity: 'param', key: UNKNOWN.param },
  ...TAG_KEYS.map((key) => ({ entity: 'tag' as const, key })),
  ...['start_time', 'end_time', 'run_name', 'status', 'user_id', 'run_id'].map((key) => ({
    entity: 'attribute' as const,
    key,
  })),
]

const EXPERIMENT_ORDER_KEYS = ['name', 'experiment_id', 'creation_time', 'last_update_time'].map((key) => ({
  entity: 'attribute' as const,
  key,
}))

function orderKeys(pool: { entity: Entity; key: string }[]): fc.Arbitrary<OrderKey[]> {
  return fc
    .uniqueArray(fc.constantFrom(...pool), { maxLength: 3, selector: (k) => `${k.entity}:${k.key}` })
    .chain((keys) =>
      fc
        .array(fc.boolean(), { minLength: keys.length, maxLength: keys.length })
        .map((asc) => keys.map((k, i) => ({ ...k, ascending: asc[i]! }))),
    )
}

export const runOrder = orderKeys(RUN_ORDER_KEYS)
export const experimentOrder = orderKeys(EXPERIMENT_ORDER_KEYS)
