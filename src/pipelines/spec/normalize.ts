/**
 * Raw pipeline definitions (parsed YAML/JSON, or what the TypeScript builder assembles) become the
 * normalized spec here, the one place shorthands are expanded and defaults filled in. Structural
 * problems are collected, not thrown one by one; validate.ts then checks references, cycles and
 * types on the result.
 */
import { parseDuration } from './duration.js'
import { didYouMean, Issues, PipelineSpecError } from './errors.js'
import { ExprError, parseExpr } from './expr/parse.js'
import { IDENT_RE, NAME_RE, RESERVED } from './names.js'
import { normalizeParams } from './params.js'
import {
  PARAM_TYPES,
  SPEC_VERSION,
  type ForEachSpec,
  type ParamType,
  type PipelineSpec,
  type ResourceSpec,
  type RetrySpec,
  type StepRun,
  type StepSpec,
  type Value,
} from './types.js'
import { validateSpec } from './validate.js'

type Raw = Record<string, unknown>

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)

/** snake_case spellings YAML authors may prefer. */
const ALIASES: Record<string, string> = {
  depends_on: 'dependsOn',
  for_each: 'forEach',
  on_exit: 'onExit',
  api_version: 'apiVersion',
  max_backoff: 'maxBackoff',
}

const PIPELINE_KEYS = [
  'apiVersion',
  'name',
  'description',
  'experiment',
  'params',
  'parallelism',
  'defaults',
  'steps',
  'onExit',
]
const STEP_KEYS = [
  'name',
  'description',
  'command',
  'function',
  'image',
  'params',
  'inputs',
  'outputs',
  'dependsOn',
  'resources',
  'retries',
  'timeout',
  'when',
  'forEach',
  'cache',
  'env',
  'sources',
]
const DEFAULT_KEYS = ['image', 'resources', 'retries', 'timeout', 'cache', 'env']

const DEFAULT_RETRY: RetrySpec = { limit: 0, backoffMs: 1000, factor: 2, maxBackoffMs: 3_600_000 }
export const DEFAULT_PARALLELISM = 4

function keysOf(
  raw: Raw,
  allowed: string[],
  issues: Issues,
  where: { step: string | null; field: string },
): Raw {
  const out: Raw = {}
  for (const [k0, v] of Object.entries(raw)) {
    const k = ALIASES[k0] ?? k0
    if (!allowed.includes(k)) {
      const field = where.field ? `${where.field}.${k0}` : k0
      issues.add(where.step, field, `unknown field${didYouMean(k0, allowed)}`)
      continue
    }
    out[k] = v
  }
  return out
}

/** Parses and validates a raw definition; throws PipelineSpecError listing every problem. */
export function normalizePipeline(raw: unknown): PipelineSpec {
  const issues = new Issues()
  if (!isObj(raw))
    throw new PipelineSpecError('?', [{ step: null, field: '', message: 'a pipeline must be a mapping' }])
  const p = keysOf(raw, PIPELINE_KEYS, issues, { step: null, field: '' })
  const name = typeof p['name'] === 'string' ? p['name'] : ''
  if (!NAME_RE.test(name))
    issues.add(null, 'name', `pipeline name ${JSON.stringify(p['name'])} must match ${NAME_RE}`)
  if (p['apiVersion'] !== undefined && p['apiVersion'] !== SPEC_VERSION) {
    issues.add(
      null,
      'apiVersion',
      `unsupported ${JSON.stringify(p['apiVersion'])}; this Cairn reads '${SPEC_VERSION}'`,
    )
  }
  const parallelism = p['parallelism'] === undefined ? DEFAULT_PARALLELISM : p['parallelism']
  if (!isPositiveInt(parallelism)) issues.add(null, 'parallelism', 'must be a positive integer')
  const defaults = isObj(p['defaults'])
    ? keysOf(p['defaults'], DEFAULT_KEYS, issues, { step: null, field: 'defaults' })
    : {}
  if (p['defaults'] !== undefined && !isObj(p['defaults'])) issues.add(null, 'defaults', 'must be a mapping')

  const steps: StepSpec[] = []
  if (!Array.isArray(p['steps']) || p['steps'].length === 0) {
    issues.add(null, 'steps', 'a pipeline needs a list of at least one step')
  } else {
    p['steps'].forEach((s, i) => {
      const step = normalizeStep(s, { index: i, defaults, issues })
      if (step) steps.push(step)
    })
  }
  const onExit =
    p['onExit'] === undefined || p['onExit'] === null
      ? null
      : normalizeStep(p['onExit'], { index: -1, defaults, issues })

  const spec: PipelineSpec = {
    apiVersion: SPEC_VERSION,
    name,
    description: str(p['description']),
    experiment: typeof p['experiment'] === 'string' && p['experiment'] !== '' ? p['experiment'] : null,
    params: normalizeParams(p['params'], issues),
    parallelism: isPositiveInt(parallelism) ? parallelism : DEFAULT_PARALLELISM,
    steps,
    onExit,
  }
  if (issues.list.length === 0) validateSpec(spec, issues)
  if (issues.list.length > 0) throw new PipelineSpecError(name || '?', issues.list)
  return spec
}

interface StepContext {
  index: number
  defaults: Raw
  issues: Issues
}

function normalizeStep(raw: unknown, ctx: StepContext): StepSpec | null {
  const { issues } = ctx
  const label = ctx.index === -1 ? 'onExit' : `steps[${ctx.index}]`
  if (!isObj(raw)) {
    issues.add(null, label, 'a step must be a mapping with at least a name and a command or function')
    return null
  }
  const name = typeof raw['name'] === 'string' ? raw['name'] : label
  const s = keysOf(raw, STEP_KEYS, issues, { step: name, field: '' })
  if (!NAME_RE.test(name)) issues.add(name, 'name', `step name must match ${NAME_RE}`)
  else if (RESERVED.has(name)) issues.add(name, 'name', `'${name}' is reserved; choose another step name`)
  const add = (field: string, message: string): void => issues.add(name, field, message)
  const pick = (k: string): unknown => (s[k] !== undefined ? s[k] : ctx.defaults[k])

  const run = normalizeRun(s, add)
  const timeout = pick('timeout')
  const timeoutMs = timeout === undefined || timeout === null ? null : parseDuration(timeout)
  if (timeout !== undefined && timeout !== null && (timeoutMs === null || timeoutMs <= 0)) {
    add('timeout', `${JSON.stringify(timeout)} is not a duration (e.g. 30s, 10m, 1h30m, or seconds)`)
  }
  const cache = pick('cache') ?? true
  if (typeof cache !== 'boolean') add('cache', 'must be true or false')
  const image = pick('image') ?? null
  if (image !== null && (typeof image !== 'string' || image === ''))
    add('image', 'must be an image reference')
  const when = s['when'] ?? null
  if (when !== null && (typeof when !== 'string' || when.trim() === ''))
    add('when', 'must be a condition string')
  else if (typeof when === 'string') {
    try {
      parseExpr(when)
    } catch (err) {
      if (!(err instanceof ExprError)) throw err
      add('when', `${err.message} in ${JSON.stringify(when)}`)
    }
  }

  return {
    name,
    description: str(s['description']),
    run: run ?? { kind: 'argv', argv: [] },
    image: typeof image === 'string' ? image : null,
    params: valueMap(s['params'], 'params', add),
    inputs: normalizeInputs(s['inputs'], add),
    outputs: normalizeOutputs(s['outputs'], add),
    dependsOn: stringList(s['dependsOn'], 'dependsOn', add),
    resources: normalizeResources(pick('resources'), add),
    retries: normalizeRetries(pick('retries'), add),
    timeoutMs: timeoutMs !== null && timeoutMs > 0 ? timeoutMs : null,
    when: typeof when === 'string' ? when.trim() : null,
    forEach: normalizeForEach(s['forEach'], add),
    cache: cache === false ? false : true,
    env: stringMap(
      { ...(isObj(ctx.defaults['env']) ? ctx.defaults['env'] : {}), ...(isObj(s['env']) ? s['env'] : {}) },
      add,
    ),
    sources: stringList(s['sources'], 'sources', add),
  }
}

type Add = (field: string, message: string) => void

function normalizeRun(s: Raw, add: Add): StepRun | null {
  const cmd = s['command']
  const fn = s['function']
  if (cmd !== undefined && fn !== undefined) {
    add('command', "give either 'command' or 'function', not both")
    return null
  }
  if (typeof cmd === 'string') {
    if (cmd.trim() === '') add('command', 'must not be empty')
    return { kind: 'shell', script: cmd }
  }
  if (Array.isArray(cmd)) {
    if (cmd.length === 0 || !cmd.every((x) => typeof x === 'string' || typeof x === 'number')) {
      add('command', 'a command list needs at least the program, and only strings')
      return null
    }
    return { kind: 'argv', argv: cmd.map(String) }
  }
  if (cmd !== undefined) {
    add('command', 'must be a shell line (string) or a list of program and arguments')
    return null
  }
  if (typeof fn === 'string') {
    const hash = fn.lastIndexOf('#')
    const module = hash === -1 ? fn : fn.slice(0, hash)
    const exp = hash === -1 ? 'default' : fn.slice(hash + 1)
    if (module === '' || exp === '')
      add('function', `expected 'path/to/module.ts#exportName', got ${JSON.stringify(fn)}`)
    return { kind: 'function', module, export: exp }
  }
  if (isObj(fn)) {
    const module = fn['module']
    const exp = fn['export'] ?? 'default'
    if (typeof module !== 'string' || module === '' || typeof exp !== 'string' || exp === '') {
      add('function', "expected { module: 'path/to/module.ts', export: 'name' }")
      return null
    }
    return { kind: 'function', module, export: exp }
  }
  add('command', "a step needs a 'command' (shell line or list) or a 'function' (module#export)")
  return null
}

function normalizeInputs(v: unknown, add: Add): StepSpec['inputs'] {
  if (v === undefined || v === null) return {}
  if (!isObj(v)) {
    add('inputs', 'must map input names to upstream artifacts, e.g. { model: train.model }')
    return {}
  }
  const out: StepSpec['inputs'] = {}
  for (const [k, ref] of Object.entries(v)) {
    if (!IDENT_RE.test(k)) add(`inputs.${k}`, `input name must match ${IDENT_RE}`)
    const text = typeof ref === 'string' ? ref.replace(/^\{\{\s*(.*?)\s*\}\}$/, '$1') : ''
    const dot = text.indexOf('.')
    if (dot <= 0 || dot === text.length - 1 || text.indexOf('.', dot + 1) !== -1) {
      add(`inputs.${k}`, `expected 'step.artifact', got ${JSON.stringify(ref)}`)
      continue
    }
    out[k] = { step: text.slice(0, dot), artifact: text.slice(dot + 1) }
  }
  return out
}

function normalizeOutputs(v: unknown, add: Add): StepSpec['outputs'] {
  const out: StepSpec['outputs'] = { artifacts: [], values: {} }
  if (v === undefined || v === null) return out
  if (Array.isArray(v)) {
    out.artifacts = stringList(v, 'outputs', add)
  } else if (isObj(v)) {
    for (const k of Object.keys(v))
      if (k !== 'artifacts' && k !== 'values')
        add(`outputs.${k}`, `unknown field${didYouMean(k, ['artifacts', 'values'])}`)
    out.artifacts = stringList(v['artifacts'], 'outputs.artifacts', add)
    const values = v['values']
    if (values !== undefined && values !== null) {
      if (!isObj(values)) add('outputs.values', 'must map value names to types')
      else {
        for (const [k, t] of Object.entries(values)) {
          if (!(PARAM_TYPES as readonly unknown[]).includes(t)) {
            add(`outputs.values.${k}`, `unknown type ${JSON.stringify(t)}; one of ${PARAM_TYPES.join(', ')}`)
          } else out.values[k] = t as ParamType
        }
      }
    }
  } else add('outputs', 'must be a list of artifact names or { artifacts: [...], values: {name: type} }')
  for (const n of [...out.artifacts, ...Object.keys(out.values)]) {
    if (!IDENT_RE.test(n)) add('outputs', `output name '${n}' must match ${IDENT_RE}`)
  }
  for (const n of out.artifacts)
    if (n in out.values) add(`outputs.values.${n}`, `'${n}' is both an artifact and a value`)
  if (new Set(out.artifacts).size !== out.artifacts.length) add('outputs.artifacts', 'names must be unique')
  return out
}

const CPU_RE = /^([0-9]+(\.[0-9]+)?|[0-9]+m)$/
const MEMORY_RE = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/

function normalizeResources(v: unknown, add: Add): ResourceSpec {
  const out: ResourceSpec = { cpu: null, memory: null, gpu: null }
  if (v === undefined || v === null) return out
  if (!isObj(v)) {
    add('resources', 'must be a mapping of cpu, memory, gpu')
    return out
  }
  for (const k of Object.keys(v))
    if (!['cpu', 'memory', 'gpu'].includes(k))
      add(`resources.${k}`, `unknown field${didYouMean(k, ['cpu', 'memory', 'gpu'])}`)
  if (v['cpu'] !== undefined) {
    const cpu = typeof v['cpu'] === 'number' || typeof v['cpu'] === 'string' ? String(v['cpu']) : ''
    if (!CPU_RE.test(cpu))
      add('resources.cpu', `${JSON.stringify(v['cpu'])} is not a CPU quantity (e.g. 2, 0.5, 500m)`)
    else out.cpu = cpu
  }
  if (v['memory'] !== undefined) {
    const mem = typeof v['memory'] === 'string' ? v['memory'] : ''
    if (!MEMORY_RE.test(mem))
      add('resources.memory', `${JSON.stringify(v['memory'])} is not a memory quantity (e.g. 512Mi, 4Gi)`)
    else out.memory = mem
  }
  if (v['gpu'] !== undefined) {
    if (!Number.isInteger(v['gpu']) || (v['gpu'] as number) < 0)
      add('resources.gpu', 'must be a whole number of GPUs')
    else out.gpu = v['gpu'] as number
  }
  return out
}

function normalizeRetries(v: unknown, add: Add): RetrySpec {
  if (v === undefined || v === null) return { ...DEFAULT_RETRY }
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) add('retries', 'must be a whole number of retries (0 or more)')
    return { ...DEFAULT_RETRY, limit: Number.isInteger(v) && v >= 0 ? v : 0 }
  }
  if (!isObj(v)) {
    add('retries', 'must be a number or { limit, backoff, factor, maxBackoff }')
    return { ...DEFAULT_RETRY }
  }
  const out = { ...DEFAULT_RETRY }
  for (const k0 of Object.keys(v)) {
    const k = ALIASES[k0] ?? k0
    if (!['limit', 'backoff', 'factor', 'maxBackoff'].includes(k))
      add(`retries.${k0}`, `unknown field${didYouMean(k0, ['limit', 'backoff', 'factor', 'maxBackoff'])}`)
  }
  const limit = v['limit'] ?? 0
  if (!Number.isInteger(limit) || (limit as number) < 0)
    add('retries.limit', 'must be a whole number (0 or more)')
  else out.limit = limit as number
  for (const [key, field] of [
    ['backoff', 'backoffMs'],
    ['maxBackoff', 'maxBackoffMs'],
  ] as const) {
    const raw = v[key] ?? v[key === 'maxBackoff' ? 'max_backoff' : key]
    if (raw === undefined) continue
    const ms = parseDuration(raw)
    if (ms === null) add(`retries.${key}`, `${JSON.stringify(raw)} is not a duration`)
    else out[field] = ms
  }
  if (v['factor'] !== undefined) {
    if (typeof v['factor'] !== 'number' || v['factor'] < 1) add('retries.factor', 'must be a number ≥ 1')
    else out.factor = v['factor']
  }
  return out
}

function normalizeForEach(v: unknown, add: Add): ForEachSpec | null {
  if (v === undefined || v === null) return null
  const spec = isObj(v) ? v : { items: v }
  if (isObj(v))
    for (const k of Object.keys(v))
      if (k !== 'items' && k !== 'parallelism')
        add(`forEach.${k}`, `unknown field${didYouMean(k, ['items', 'parallelism'])}`)
  const items = spec['items']
  const parallelism = spec['parallelism'] ?? DEFAULT_PARALLELISM
  if (!isPositiveInt(parallelism)) add('forEach.parallelism', 'must be a positive integer')
  if (!Array.isArray(items) && typeof items !== 'string') {
    add('forEach.items', 'must be a list or a template naming a list, e.g. "{{params.tickers}}"')
    return null
  }
  return {
    items: items as Value[] | string,
    parallelism: isPositiveInt(parallelism) ? parallelism : DEFAULT_PARALLELISM,
  }
}

function valueMap(v: unknown, field: string, add: Add): Record<string, Value> {
  if (v === undefined || v === null) return {}
  if (!isObj(v)) {
    add(field, 'must be a mapping')
    return {}
  }
  for (const k of Object.keys(v)) if (!IDENT_RE.test(k)) add(`${field}.${k}`, `name must match ${IDENT_RE}`)
  return v as Record<string, Value>
}

function stringMap(v: Raw, add: Add): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, x] of Object.entries(v)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) add(`env.${k}`, 'not a valid environment variable name')
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x)
    else add(`env.${k}`, 'must be a string')
  }
  return out
}

function stringList(v: unknown, field: string, add: Add): string[] {
  if (v === undefined || v === null) return []
  if (typeof v === 'string') return [v]
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    add(field, 'must be a list of names')
    return []
  }
  return v
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

function isPositiveInt(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) > 0
}
