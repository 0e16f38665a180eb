/**
 * MLflow's rules for names and values (mlflow/utils/validation.py). Checked once, above every
 * backend, so a store never sees a value MLflow would refuse.
 */
import { invalidParameter } from './errors.js'
import { LIMITS } from './limits.js'

const NAME_RE = /^[/\w.\- ]*$/
const RUN_ID_RE = /^[a-zA-Z0-9][\w-]{0,255}$/

export type EntityKind = 'metric' | 'param' | 'tag'

function normalizePath(p: string): string {
  // posixpath.normpath, enough to tell whether a name resolves to another one.
  const abs = p.startsWith('/')
  const parts: string[] = []
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop()
      else if (!abs) parts.push('..')
      continue
    }
    parts.push(seg)
  }
  const out = (abs ? '/' : '') + parts.join('/')
  return out === '' ? '.' : out
}

/** "Invalid metric name: 'bad*key'" and friends; names may not escape like paths. */
export function validateEntityName(kind: EntityKind, name: string): void {
  if (!NAME_RE.test(name)) {
    throw invalidParameter(
      `Invalid ${kind} name: '${name}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).`,
    )
  }
  // Without a slash a name always normalizes to itself: skip the work (it is on the ingest path).
  if (name === '' || !name.includes('/')) return
  const norm = normalizePath(name)
  if (norm !== name && norm + '/' !== name) {
    throw invalidParameter(
      `Invalid ${kind} name: '${name}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${norm}'`,
    )
  }
  if (name.startsWith('/')) {
    throw invalidParameter(`Invalid ${kind} name: '${name}'. Names must not start with a slash.`)
  }
}

function lengthError(what: string, value: string, limit: number): Error {
  const shown = value.length > 250 ? value.slice(0, 250) : value
  return invalidParameter(
    `${what} '${shown}' had length ${value.length}, which exceeded length limit of ${limit}`,
  )
}

export function validateLength(what: string, value: string, limit: number): void {
  if (value.length > limit) throw lengthError(what, value, limit)
}

export function validateParam(key: string, value: string): void {
  validateEntityName('param', key)
  validateLength('Param key', key, LIMITS.maxEntityKeyLength)
  validateLength('Param value', value, LIMITS.maxParamValueLength)
}

export function validateTag(key: string, value: string): void {
  validateEntityName('tag', key)
  validateLength('Tag key', key, LIMITS.maxEntityKeyLength)
  validateLength('Tag value', value, LIMITS.maxTagValueLength)
}

/**
 * Metric keys: MLflow checks the name but (since 2.x) not the key length; 251+ is accepted and
 * the golden transcripts keep that, so only the charset and path rules apply.
 */
export function validateMetric(key: string, value: number, timestamp: number, step: number): void {
  validateEntityName('metric', key)
  if (typeof value !== 'number') throw invalidParameter(`Got invalid value ${String(value)} for metric '${key}'`)
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw invalidParameter(
      `Got invalid timestamp ${timestamp} for metric '${key}' (value=${value}). Timestamp must be a nonnegative long (64-bit integer)`,
    )
  }
  if (!Number.isSafeInteger(step)) {
    throw invalidParameter(`Got invalid step ${step} for metric '${key}' (value=${value}). Step must be a valid long (64-bit integer).`)
  }
}

export function validateRunId(runId: string): void {
  if (!RUN_ID_RE.test(runId)) throw invalidParameter(`Invalid run ID: '${runId}'`)
}

export function validateExperimentName(name: string): void {
  if (name.length > LIMITS.maxExperimentNameLength) {
    throw invalidParameter(
      `Experiment name exceeds the maximum length of ${LIMITS.maxExperimentNameLength} characters`,
    )
  }
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  if (metrics > LIMITS.maxMetricsPerBatch) {
    throw invalidParameter(
      `A batch logging request can contain at most ${LIMITS.maxMetricsPerBatch} metrics. Got ${metrics} metrics. Please split up metrics across multiple requests and try again.`,
    )
  }
  if (params > LIMITS.maxParamsPerBatch) {
    throw invalidParameter(
      `A batch logging request can contain at most ${LIMITS.maxParamsPerBatch} params. Got ${params} params. Please split up params across multiple requests and try again.`,
    )
  }
  if (tags > LIMITS.maxTagsPerBatch) {
    throw invalidParameter(
      `A batch logging request can contain at most ${LIMITS.maxTagsPerBatch} tags. Got ${tags} tags. Please split up tags across multiple requests and try again.`,
    )
  }
  const total = metrics + params + tags
  if (total > LIMITS.maxEntitiesPerBatch) {
    throw invalidParameter(
      `A batch logging request can contain at most ${LIMITS.maxEntitiesPerBatch} metrics, params, and tags. Got ${total} metrics, params, and tags. Please split up metrics, params, and tags across multiple requests and try again.`,
    )
  }
}
