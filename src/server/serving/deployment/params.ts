/**
 * Inference params (`params` in a scoring request) against the signature's params schema, as
 * MLflow applies them: a model without a params schema ignores whatever is sent (MLflow logs a
 * warning and answers 200); with one, each param takes the request's value or its default, and a
 * value of the wrong type is a 400 naming it. Params the schema does not list are ignored.
 */
import { CairnError } from '../../../protocol/errors.js'
import type { InferenceParams, ParamSpec } from '../../../models/index.js'

const bad = (message: string): CairnError =>
  new CairnError('INVALID_PARAMETER_VALUE', `Invalid params: ${message}`)

function checkScalar(spec: ParamSpec, v: unknown): unknown {
  switch (spec.type) {
    case 'double':
    case 'float':
      if (typeof v === 'number') return v
      break
    case 'integer':
    case 'long':
      if (typeof v === 'number' && Number.isInteger(v)) return v
      break
    case 'boolean':
      if (typeof v === 'boolean') return v
      break
    case 'string':
    case 'binary':
      if (typeof v === 'string') return v
      break
    case 'datetime':
      if (typeof v === 'string' && !Number.isNaN(new Date(v).getTime())) return v
      break
  }
  throw bad(`'${spec.name}' must be a ${spec.type}${spec.shape ? ' list' : ''}, got ${JSON.stringify(v)}`)
}

export function resolveParams(specs: ParamSpec[] | null | undefined, sent: unknown): InferenceParams {
  if (!specs || specs.length === 0) return {}
  if (sent !== undefined && sent !== null && (typeof sent !== 'object' || Array.isArray(sent))) {
    throw bad('params must be an object of name → value')
  }
  const given = (sent ?? {}) as Record<string, unknown>
  const out: InferenceParams = {}
  for (const spec of specs) {
    const v = given[spec.name]
    if (v === undefined || v === null) {
      out[spec.name] = spec.default
      continue
    }
    if (spec.shape) {
      if (!Array.isArray(v)) throw bad(`'${spec.name}' must be a list`)
      out[spec.name] = v.map((x) => checkScalar(spec, x))
    } else out[spec.name] = checkScalar(spec, v)
  }
  return out
}
