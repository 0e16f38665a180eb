/**
 * The reference semantics of the search language, in memory. Every store's SQL compiler must
 * give the same answers in the same order; property tests hold them to it.
 *
 * - A missing metric, param or tag never matches, not even `!=`. NaN never satisfies a comparison.
 * - LIKE is case-sensitive, `%` any run of characters, `_` one character, nothing else special.
 *   ILIKE folds ASCII letters only, as SQLite's lower() does.
 * - `datasets.*` match when any of the run's dataset inputs matches; `context` is the input's
 *   `mlflow.data.context` tag (inputs without one never match).
 * - Strings order by code point (= UTF-8 bytes = SQLite's BINARY collation).
 */
import type { Experiment, Run } from '../entities.js'
import type { ModelVersion, RegisteredModel } from '../registry-entities.js'
import type { Comparison, Entity, FilterExpr, Literal, OrderKey } from './ast.js'
import type { SearchTarget } from './keys.js'

export type AttributeValue = string | number | null

export interface DatasetFacet {
  name: string
  digest: string
  /** The input's `mlflow.data.context` tag. */
  context?: string
}

/** What a filter can ask of one searched thing. Undefined = missing. */
export interface SearchSubject {
  attribute(key: string): AttributeValue | undefined
  metric(key: string): number | undefined
  param(key: string): string | undefined
  tag(key: string): string | undefined
  datasets(): readonly DatasetFacet[]
}

export const DATASET_CONTEXT_TAG = 'mlflow.data.context'

export interface SubjectParts {
  attributes: Readonly<Record<string, AttributeValue>>
  metrics?: readonly { key: string; value: number }[]
  params?: readonly { key: string; value: string }[]
  tags?: readonly { key: string; value: string }[]
  datasets?: readonly DatasetFacet[]
}

/** A subject over plain data: attributes by canonical key, entries by key. */
export function makeSubject(parts: SubjectParts): SearchSubject {
  const index = <V>(list: readonly { key: string; value: V }[] | undefined): Map<string, V> =>
    new Map((list ?? []).map((e) => [e.key, e.value]))
  const metrics = index(parts.metrics)
  const params = index(parts.params)
  const tags = index(parts.tags)
  return {
    attribute: (k) => (Object.hasOwn(parts.attributes, k) ? parts.attributes[k] : undefined),
    metric: (k) => metrics.get(k),
    param: (k) => params.get(k),
    tag: (k) => tags.get(k),
    datasets: () => parts.datasets ?? [],
  }
}

export function runSubject(run: Run): SearchSubject {
  const i = run.info
  return makeSubject({
    attributes: {
      run_id: i.runId,
      run_name: i.runName,
      status: i.status,
      user_id: i.userId,
      artifact_uri: i.artifactUri,
      start_time: i.startTime,
      end_time: i.endTime,
    },
    metrics: run.data.metrics,
    params: run.data.params,
    tags: run.data.tags,
    datasets: run.inputs.datasetInputs.map((d) => {
      const context = d.tags.find((t) => t.key === DATASET_CONTEXT_TAG)?.value
      const facet: DatasetFacet = { name: d.dataset.name, digest: d.dataset.digest }
      if (context !== undefined) facet.context = context
      return facet
    }),
  })
}

export function experimentSubject(exp: Experiment): SearchSubject {
  return makeSubject({
    attributes: {
      experiment_id: Number(exp.experimentId),
      name: exp.name,
      creation_time: exp.creationTime,
      last_update_time: exp.lastUpdateTime,
    },
    tags: exp.tags,
  })
}

export function registeredModelSubject(model: RegisteredModel): SearchSubject {
  return makeSubject({
    attributes: {
      name: model.name,
      creation_timestamp: model.creationTimestamp,
      last_updated_timestamp: model.lastUpdatedTimestamp,
    },
    tags: model.tags,
  })
}

export function modelVersionSubject(v: ModelVersion): SearchSubject {
  return makeSubject({
    attributes: {
      name: v.name,
      version_number: Number(v.version),
      run_id: v.runId,
      source_path: v.source,
      creation_timestamp: v.creationTimestamp,
      last_updated_timestamp: v.lastUpdatedTimestamp,
    },
    tags: v.tags,
  })
}

const likeCache = new Map<string, RegExp>()

function likeRegExp(pattern: string): RegExp {
  let re = likeCache.get(pattern)
  if (!re) {
    let src = ''
    for (const ch of pattern) {
      if (ch === '%') src += '[^]*'
      else if (ch === '_') src += '[^]'
      else src += ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')
    }
    re = new RegExp(`^${src}$`, 'u')
    if (likeCache.size > 1000) likeCache.clear()
    likeCache.set(pattern, re)
  }
  return re
}

/** SQL LIKE without an escape character, case-sensitive. */
export function like(value: string, pattern: string): boolean {
  return likeRegExp(pattern).test(value)
}

/** ASCII-only lower case, as SQLite's lower() without ICU. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
}

function test(lhs: string | number, comparator: Comparison['comparator'], lit: Literal): boolean {
  if (lit.kind === 'list') {
    if (typeof lhs !== 'string') return false
    const found = lit.values.includes(lhs)
    return comparator === 'IN' ? found : comparator === 'NOT IN' && !found
  }
  const rhs = lit.value
  if (typeof lhs !== typeof rhs || Number.isNaN(lhs)) return false
  switch (comparator) {
    case '=':
      return lhs === rhs
    case '!=':
      return lhs !== rhs
    case '<':
      return lhs < rhs
    case '<=':
      return lhs <= rhs
    case '>':
      return lhs > rhs
    case '>=':
      return lhs >= rhs
    case 'LIKE':
      return like(lhs as string, rhs as string)
    case 'ILIKE':
      return like(asciiLower(lhs as string), asciiLower(rhs as string))
    default:
      return false
  }
}

function lookup(
  subject: SearchSubject,
  entity: Exclude<Entity, 'dataset'>,
  key: string,
): string | number | null | undefined {
  switch (entity) {
    case 'metric':
      return subject.metric(key)
    case 'param':
      return subject.param(key)
    case 'tag':
      return subject.tag(key)
    case 'attribute':
      return subject.attribute(key)
  }
}

function compare(c: Comparison, subject: SearchSubject): boolean {
  if (c.entity === 'dataset') {
    return subject.datasets().some((d) => {
      const v =
        c.key === 'context'
          ? d.context
          : c.key === 'name'
            ? d.name
            : c.key === 'digest'
              ? d.digest
              : undefined
      return v !== undefined && test(v, c.comparator, c.value)
    })
  }
  const lhs = lookup(subject, c.entity, c.key)
  return lhs !== undefined && lhs !== null && test(lhs, c.comparator, c.value)
}

/** Whether a subject satisfies a filter; null (no filter) matches everything. */
export function matches(expr: FilterExpr | null, subject: SearchSubject): boolean {
  if (expr === null) return true
  if (expr.type === 'compare') return compare(expr, subject)
  if (expr.type === 'and') return expr.items.every((x) => matches(x, subject))
  return expr.items.some((x) => matches(x, subject))
}

/** Code point order, the order of UTF-8 bytes. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    const surrogate = (x >= 0xd800 && x <= 0xdfff) || (y >= 0xd800 && y <= 0xdfff)
    return surrogate ? a.codePointAt(i)! - b.codePointAt(i)! : x - y
  }
  return a.length - b.length
}

/**
 * The full order of a search: the requested keys, then the target's tie-breakers (MLflow's):
 * runs `start_time DESC` (unless requested) then `run_id`; experiments `creation_time DESC,
 * experiment_id ASC` by default and `experiment_id DESC` as the last resort; registered models
 * `name`; model versions `last_updated_timestamp DESC` by default, then `name`, `version_number DESC`.
 */
export function fullOrder(target: SearchTarget, keys: readonly OrderKey[]): OrderKey[] {
  const out = [...keys]
  const has = (key: string): boolean => out.some((k) => k.entity === 'attribute' && k.key === key)
  const add = (key: string, ascending: boolean): void => {
    if (!has(key)) out.push({ entity: 'attribute', key, ascending })
  }
  switch (target) {
    case 'runs':
      add('start_time', false)
      out.push({ entity: 'attribute', key: 'run_id', ascending: true })
      break
    case 'experiments':
      if (keys.length === 0) out.push({ entity: 'attribute', key: 'creation_time', ascending: false })
      add('experiment_id', keys.length === 0)
      break
    case 'registered_models':
      add('name', true)
      break
    case 'model_versions':
      // MLflow 2.10's default is last_updated_timestamp DESC, then its usual tie-breakers.
      if (keys.length === 0) out.push({ entity: 'attribute', key: 'last_updated_timestamp', ascending: false })
      add('name', true)
      add('version_number', false)
      break
  }
  return out
}

/**
 * Where a value sorts: present values first (in the requested direction), then NaN metrics,
 * then missing values, whatever the direction — MLflow's SQL store order.
 */
function rank(v: string | number | null | undefined): number {
  if (v === undefined || v === null) return 2
  return typeof v === 'number' && Number.isNaN(v) ? 1 : 0
}

function sortValue(s: SearchSubject, k: OrderKey): string | number | null | undefined {
  if (k.entity === 'dataset') return undefined
  return lookup(s, k.entity, k.key)
}

/** A comparator for Array.prototype.sort giving a search's order (tie-breakers included). */
export function orderComparator(
  target: SearchTarget,
  keys: readonly OrderKey[],
): (a: SearchSubject, b: SearchSubject) => number {
  const order = fullOrder(target, keys)
  return (a, b) => {
    for (const k of order) {
      const x = sortValue(a, k)
      const y = sortValue(b, k)
      const ra = rank(x)
      const rb = rank(y)
      if (ra !== rb) return ra - rb
      if (ra !== 0) continue
      const c =
        typeof x === 'number' && typeof y === 'number'
          ? x < y
            ? -1
            : x > y
              ? 1
              : 0
          : compareStrings(String(x), String(y))
      if (c !== 0) return k.ascending ? Math.sign(c) : -Math.sign(c)
    }
    return 0
  }
}
