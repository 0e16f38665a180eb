/**
 * fast-check generators for registry search property tests: small worlds of registered models and
 * versions whose names, tags, run ids, sources and timestamps collide on purpose, and random
 * filters and orders over the registered-model and model-version key tables. Test-only.
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
import type { ModelVersionStage } from '../../protocol/registry-entities.js'
import { filterTree, PATTERNS, STRINGS, TAG_KEYS, UNKNOWN } from './search-arbitraries.js'

export const MODEL_NAMES = ['m-a', 'm-b', 'M-a', 'm_c', 'model', 'Model', 'm%x', 'é']
export const RUN_IDS = ['', 'r1', 'r2', 'R1']
export const SOURCES = ['s3://b/a', 'mlflow-artifacts:/1/x', 'file:///a_b', 'S3://B/A']
const STAGES: ModelVersionStage[] = ['None', 'Staging', 'Production', 'Archived']

export interface VersionSpec {
  runId: string
  source: string
  tags: Record<string, string>
  stage: ModelVersionStage
  /** Archive the others in the stage when moving there. */
  archive: boolean
  retag: boolean
  deleted: boolean
}

export interface ModelSpec {
  name: string
  tags: Record<string, string>
  versions: VersionSpec[]
  describe: boolean
}

const tags = fc.dictionary(fc.constantFrom(...TAG_KEYS), fc.constantFrom(...STRINGS), {
  maxKeys: TAG_KEYS.length,
})

const versionSpec: fc.Arbitrary<VersionSpec> = fc.record({
  runId: fc.constantFrom(...RUN_IDS),
  source: fc.constantFrom(...SOURCES),
  tags,
  stage: fc.constantFrom(...STAGES),
  archive: fc.boolean(),
  retag: fc.boolean(),
  deleted: fc.nat({ max: 4 }).map((n) => n === 0),
})

export const modelWorld: fc.Arbitrary<ModelSpec[]> = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom(...MODEL_NAMES),
    tags,
    versions: fc.array(versionSpec, { maxLength: 4 }),
    describe: fc.boolean(),
  }),
  { maxLength: 6, selector: (m) => m.name },
)

const STRING_CMP: Comparator[] = ['=', '!=', 'LIKE', 'ILIKE']
const NUMERIC_CMP: Comparator[] = ['=', '!=', '<', '<=', '>', '>=']

function compare(
  entity: Entity,
  key: fc.Arbitrary<string>,
  comparators: Comparator[],
  value: (c: Comparator) => fc.Arbitrary<Literal>,
): fc.Arbitrary<Comparison> {
  return fc
    .tuple(key, fc.constantFrom(...comparators))
    .chain(([k, c]) =>
      value(c).map((v): Comparison => ({ type: 'compare', entity, key: k, comparator: c, value: v })),
    )
}

const text = (pool: string[]): fc.Arbitrary<Literal> =>
  fc.constantFrom(...pool).map((value) => ({ kind: 'string', value }))
const patternOr = (pool: string[]) => (c: Comparator) =>
  text(c === 'LIKE' || c === 'ILIKE' ? [...PATTERNS, 'm%', 'M%', '%a', 's3%', '%x'] : pool)

const tagComparison = compare(
  'tag',
  fc.constantFrom(...TAG_KEYS, UNKNOWN.tag),
  STRING_CMP,
  patternOr(STRINGS),
)
const nameComparison = compare('attribute', fc.constant('name'), STRING_CMP, patternOr(MODEL_NAMES))

export const registeredModelComparison: fc.Arbitrary<Comparison> = fc.oneof(nameComparison, tagComparison)

export const modelVersionComparison: fc.Arbitrary<Comparison> = fc.oneof(
  nameComparison,
  tagComparison,
  compare('attribute', fc.constant('source_path'), STRING_CMP, patternOr(SOURCES)),
  compare('attribute', fc.constant('run_id'), [...STRING_CMP, 'IN'], (c) =>
    c === 'IN'
      ? fc
          .uniqueArray(fc.constantFrom(...RUN_IDS), { minLength: 1, maxLength: 3 })
          .map((values) => ({ kind: 'list', values }))
      : patternOr(RUN_IDS)(c),
  ),
  compare('attribute', fc.constant('version_number'), NUMERIC_CMP, () =>
    fc.constantFrom(0, 1, 2, 2.5, 3, 4).map((value): Literal => ({ kind: 'number', value })),
  ),
)

export const registeredModelFilter: fc.Arbitrary<FilterExpr> = filterTree(registeredModelComparison)
export const modelVersionFilter: fc.Arbitrary<FilterExpr> = filterTree(modelVersionComparison)

function orderOf(keys: string[]): fc.Arbitrary<OrderKey[]> {
  return fc
    .uniqueArray(fc.constantFrom(...keys), { maxLength: 3 })
    .chain((ks) =>
      fc
        .array(fc.boolean(), { minLength: ks.length, maxLength: ks.length })
        .map((asc) => ks.map((key, i): OrderKey => ({ entity: 'attribute', key, ascending: asc[i]! }))),
    )
}

export const registeredModelOrder = orderOf(['name', 'last_updated_timestamp', 'creation_timestamp'])
export const modelVersionOrder = orderOf([
  'name',
  'version_number',
  'creation_timestamp',
  'last_updated_timestamp',
])
