/**
 * What each searchable thing lets a filter and an order_by name: entity prefixes, attribute keys
 * with their value type and comparators, and aliases. The tables follow MLflow's
 * `mlflow/utils/search_utils.py` (SearchUtils, SearchExperimentsUtils, SearchModelUtils,
 * SearchModelVersionUtils); where Cairn accepts more than MLflow it says so beside the entry.
 */
import type { Comparator, Entity } from './ast.js'

export type SearchTarget = 'runs' | 'experiments' | 'registered_models' | 'model_versions'

export type ValueKind = 'string' | 'number'

export interface KeySpec {
  kind: ValueKind
  comparators: readonly Comparator[]
}

export interface TargetSpec {
  /** Entity prefixes accepted in identifiers (`metrics.` …), lower case. */
  prefixes: Readonly<Record<string, Entity>>
  /** Keys allowed per entity for filters; absent entity = any key (metrics, params, tags). */
  attributes: Readonly<Record<string, KeySpec>>
  datasetKeys: Readonly<Record<string, KeySpec>>
  /** Comparators for entities whose keys are free (metric, param, tag). */
  freeKeys: Partial<Readonly<Record<Entity, KeySpec>>>
  /** Attribute keys accepted in order_by (canonical names), with their kind. */
  orderAttributes: Readonly<Record<string, ValueKind>>
  /** Entities order_by may name. */
  orderEntities: readonly Entity[]
  /** Attribute aliases → canonical key, for filters and order_by alike. */
  aliases: Readonly<Record<string, string>>
  /** MLflow refuses `order_by` naming one field twice for runs (not for the others). */
  uniqueOrderKeys: boolean
}

const EQ: readonly Comparator[] = ['=', '!=']
const STRING: readonly Comparator[] = [...EQ, 'LIKE', 'ILIKE']
const STRING_LIST: readonly Comparator[] = [...STRING, 'IN', 'NOT IN']
const NUMERIC: readonly Comparator[] = [...EQ, '<', '<=', '>', '>=']

const str = (comparators = STRING): KeySpec => ({ kind: 'string', comparators })
const num: KeySpec = { kind: 'number', comparators: NUMERIC }

/** Cairn also accepts `attributes.`/`attr.` where MLflow's non-run searches only take `attribute.`. */
const ATTRIBUTE_AND_TAG_PREFIXES: Readonly<Record<string, Entity>> = {
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  tag: 'tag',
  tags: 'tag',
}

const RUNS: TargetSpec = {
  prefixes: {
    metric: 'metric',
    metrics: 'metric',
    parameter: 'param',
    parameters: 'param',
    param: 'param',
    params: 'param',
    tag: 'tag',
    tags: 'tag',
    attribute: 'attribute',
    attributes: 'attribute',
    attr: 'attribute',
    run: 'attribute',
    dataset: 'dataset',
    datasets: 'dataset',
  },
  attributes: {
    run_id: str(STRING_LIST),
    run_name: str(),
    status: str(),
    user_id: str(),
    artifact_uri: str(),
    start_time: num,
    end_time: num,
  },
  datasetKeys: { name: str(STRING_LIST), digest: str(STRING_LIST), context: str(STRING_LIST) },
  freeKeys: { metric: num, param: str(), tag: str() },
  orderAttributes: {
    run_id: 'string',
    run_name: 'string',
    status: 'string',
    user_id: 'string',
    artifact_uri: 'string',
    start_time: 'number',
    end_time: 'number',
  },
  orderEntities: ['metric', 'param', 'tag', 'attribute'],
  aliases: {
    created: 'start_time',
    Created: 'start_time',
    'run name': 'run_name',
    'Run name': 'run_name',
    'Run Name': 'run_name',
  },
  uniqueOrderKeys: true,
}

const EXPERIMENTS: TargetSpec = {
  prefixes: ATTRIBUTE_AND_TAG_PREFIXES,
  attributes: { name: str(), creation_time: num, last_update_time: num },
  datasetKeys: {},
  freeKeys: { tag: str() },
  orderAttributes: {
    name: 'string',
    experiment_id: 'number',
    creation_time: 'number',
    last_update_time: 'number',
  },
  orderEntities: ['attribute'],
  aliases: {},
  uniqueOrderKeys: false,
}

const REGISTERED_MODELS: TargetSpec = {
  prefixes: ATTRIBUTE_AND_TAG_PREFIXES,
  attributes: { name: str() },
  datasetKeys: {},
  freeKeys: { tag: str() },
  // MLflow 2.10 accepts `timestamp` (= last_updated_timestamp); later versions add creation_timestamp.
  orderAttributes: { name: 'string', last_updated_timestamp: 'number', creation_timestamp: 'number' },
  orderEntities: ['attribute'],
  aliases: { timestamp: 'last_updated_timestamp' },
  uniqueOrderKeys: false,
}

const MODEL_VERSIONS: TargetSpec = {
  prefixes: ATTRIBUTE_AND_TAG_PREFIXES,
  attributes: { name: str(), version_number: num, run_id: str([...STRING, 'IN']), source_path: str() },
  datasetKeys: {},
  freeKeys: { tag: str() },
  orderAttributes: {
    name: 'string',
    version_number: 'number',
    creation_timestamp: 'number',
    last_updated_timestamp: 'number',
  },
  orderEntities: ['attribute'],
  // As for registered models, MLflow reads `timestamp` as last_updated_timestamp in order_by.
  aliases: { timestamp: 'last_updated_timestamp' },
  uniqueOrderKeys: false,
}

export const SEARCH_TARGETS: Readonly<Record<SearchTarget, TargetSpec>> = {
  runs: RUNS,
  experiments: EXPERIMENTS,
  registered_models: REGISTERED_MODELS,
  model_versions: MODEL_VERSIONS,
}

/** How an entity reads in messages: the prefixes that name it, e.g. "metric(s)". */
export function describePrefixes(spec: TargetSpec, entities?: readonly Entity[]): string {
  const byEntity = new Map<Entity, string[]>()
  for (const [prefix, entity] of Object.entries(spec.prefixes)) {
    if (entities && !entities.includes(entity)) continue
    byEntity.set(entity, [...(byEntity.get(entity) ?? []), prefix])
  }
  return [...byEntity.values()].map((names) => names.join('/')).join(', ')
}
