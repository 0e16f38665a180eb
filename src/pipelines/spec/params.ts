/**
 * Typed pipeline parameters: declaration (`lr: {type: float, default: 0.1}` or the shorthand
 * `lr: 0.1`), type checks of defaults, and values given on the command line (`--param lr=0.2`)
 * parsed by the declared type.
 */
import { invalidParameter } from '../../protocol/errors.js'
import { didYouMean, type Issues } from './errors.js'
import { IDENT_RE } from './names.js'
import { PARAM_TYPES, type ParamSpec, type ParamType, type PipelineSpec, type Value } from './types.js'

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The type a literal value has, as a param type. */
export function inferType(v: Value): ParamType {
  if (Array.isArray(v)) return 'list'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float'
  if (typeof v === 'string') return 'string'
  return 'object'
}

/** Whether a value fits a type (an int fits float). */
export function fitsType(v: Value, t: ParamType): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string'
    case 'int':
      return typeof v === 'number' && Number.isInteger(v)
    case 'float':
      return typeof v === 'number' && Number.isFinite(v)
    case 'bool':
      return typeof v === 'boolean'
    case 'list':
      return Array.isArray(v)
    case 'object':
      return isObj(v)
  }
}

export function normalizeParams(raw: unknown, issues: Issues): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {}
  if (raw === undefined || raw === null) return out
  if (!isObj(raw)) {
    issues.add(null, 'params', 'must map parameter names to a type and default')
    return out
  }
  for (const [name, decl] of Object.entries(raw)) {
    const field = `params.${name}`
    if (!IDENT_RE.test(name)) issues.add(null, field, `parameter name must match ${IDENT_RE}`)
    if (isObj(decl) && typeof decl['type'] === 'string') {
      for (const k of Object.keys(decl)) {
        if (!['type', 'default', 'description'].includes(k)) {
          issues.add(
            null,
            `${field}.${k}`,
            `unknown field${didYouMean(k, ['type', 'default', 'description'])}`,
          )
        }
      }
      const type = decl['type']
      if (!(PARAM_TYPES as readonly string[]).includes(type)) {
        issues.add(
          null,
          `${field}.type`,
          `unknown type '${type}'${didYouMean(type, PARAM_TYPES)}; one of ${PARAM_TYPES.join(', ')}`,
        )
        continue
      }
      const def = (decl['default'] ?? null) as Value | null
      if (def !== null && !fitsType(def, type as ParamType)) {
        issues.add(null, `${field}.default`, `type mismatch: ${JSON.stringify(def)} is not a ${type}`)
      }
      out[name] = {
        type: type as ParamType,
        default: def,
        description: typeof decl['description'] === 'string' ? decl['description'] : '',
      }
    } else if (decl === null) {
      issues.add(null, field, 'give a default value or { type, default }')
    } else {
      out[name] = { type: inferType(decl as Value), default: decl as Value, description: '' }
    }
  }
  return out
}

/** A command-line value read as the declared type: `--param epochs=10`, `--param tickers='["A","B"]'`. */
export function coerceParam(name: string, text: string, type: ParamType): Value {
  const fail = (want: string): never => {
    throw invalidParameter(`Parameter '${name}' is a ${type}; ${JSON.stringify(text)} is not ${want}.`)
  }
  switch (type) {
    case 'string':
      return text
    case 'int': {
      if (!/^-?\d+$/.test(text.trim())) fail('an integer')
      return Number(text)
    }
    case 'float': {
      const n = Number(text)
      if (text.trim() === '' || !Number.isFinite(n)) fail('a number')
      return n
    }
    case 'bool':
      if (['true', '1', 'yes'].includes(text.toLowerCase())) return true
      if (['false', '0', 'no'].includes(text.toLowerCase())) return false
      return fail('true or false')
    case 'list':
    case 'object': {
      let v: unknown
      try {
        v = JSON.parse(text)
      } catch {
        if (type === 'list') return text.split(',').map((s) => s.trim())
        fail('a JSON object')
      }
      if (!fitsType(v as Value, type)) fail(type === 'list' ? 'a JSON list' : 'a JSON object')
      return v as Value
    }
  }
}

/** Splits `k=v` command-line arguments. */
export function parseParamArgs(args: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const a of args) {
    const eq = a.indexOf('=')
    if (eq <= 0) throw invalidParameter(`--param expects name=value, got '${a}'.`)
    out[a.slice(0, eq)] = a.slice(eq + 1)
  }
  return out
}

/**
 * The run's parameter values: defaults, overridden by `given` (text from the command line is
 * parsed by type; values from a stored run or a schedule are checked). Unknown names and missing
 * required parameters are errors.
 */
export function resolveParams(
  spec: PipelineSpec,
  given: Record<string, string | Value>,
): Record<string, Value> {
  const out: Record<string, Value> = {}
  for (const name of Object.keys(given)) {
    if (!(name in spec.params)) {
      const known = Object.keys(spec.params)
      throw invalidParameter(
        `Pipeline '${spec.name}' has no parameter '${name}'${didYouMean(name, known)}; its parameters: ${known.join(', ') || '(none)'}.`,
      )
    }
  }
  for (const [name, p] of Object.entries(spec.params)) {
    const v = given[name]
    if (v === undefined) {
      if (p.default === null)
        throw invalidParameter(
          `Pipeline '${spec.name}' needs parameter '${name}' (${p.type}); pass --param ${name}=…`,
        )
      out[name] = p.default
    } else if (typeof v === 'string' && p.type !== 'string') {
      out[name] = coerceParam(name, v, p.type)
    } else {
      if (!fitsType(v, p.type))
        throw invalidParameter(`Parameter '${name}' is a ${p.type}; ${JSON.stringify(v)} is not.`)
      out[name] = v
    }
  }
  return out
}
