/**
 * Promotion policies: a declarative document stored with a registered model that says when a
 * candidate version may take an alias (by default `champion`). Pure: parsing a YAML text into a
 * value happens in the server; this file checks the value and gives its normalized form.
 *
 * @example
 * {
 *   alias: 'champion',
 *   require_tags: { validated: 'true' },
 *   compare: [
 *     { metric: 'auc', goal: 'maximize', min_delta: 0.01 },
 *     { metric: 'log_loss', goal: 'minimize' },
 *   ],
 *   thresholds: [{ metric: 'accuracy', op: '>=', value: 0.55 }],
 * }
 *
 * - `compare`: the latest value of the metric in the candidate's run against the current alias
 *   holder's run. `maximize`: candidate ≥ holder + min_delta; `minimize`: candidate ≤ holder −
 *   min_delta. `min_delta` defaults to 0 ("not worse"). With no holder, compare rules pass.
 * - `thresholds`: the candidate's metric against a fixed value.
 * - `require_tags`: tags the candidate *version* must carry with exactly these values.
 */
import { CairnError } from './errors.js'
import { validateAliasName } from './registry-validation.js'

export const POLICY_GOALS = ['maximize', 'minimize'] as const
export type PolicyGoal = (typeof POLICY_GOALS)[number]

export const POLICY_OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const
export type PolicyOperator = (typeof POLICY_OPERATORS)[number]

export interface CompareRule {
  metric: string
  goal: PolicyGoal
  minDelta: number
}

export interface ThresholdRule {
  metric: string
  op: PolicyOperator
  value: number
}

export interface PromotionPolicy {
  alias: string
  description: string
  requireTags: Record<string, string>
  compare: CompareRule[]
  thresholds: ThresholdRule[]
}

export const DEFAULT_POLICY_ALIAS = 'champion'

const TOP_KEYS = ['alias', 'description', 'require_tags', 'compare', 'thresholds']
const COMPARE_KEYS = ['metric', 'goal', 'min_delta']
const THRESHOLD_KEYS = ['metric', 'op', 'value']

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v)))

class Problems {
  readonly list: string[] = []
  add(at: string, what: string): void {
    this.list.push(`${at}: ${what}`)
  }
  unknownKeys(at: string, obj: Record<string, unknown>, known: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (!known.includes(k)) this.add(`${at}.${k}`, `unknown key; known keys are ${known.join(', ')}`)
    }
  }
}

function metricName(p: Problems, at: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') {
    p.add(`${at}.metric`, `must be a metric name, got ${show(v)}`)
    return ''
  }
  return v
}

function finiteNumber(p: Problems, at: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    p.add(at, `must be a finite number, got ${show(v)}`)
    return 0
  }
  return v
}

function list(p: Problems, at: string, v: unknown): unknown[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) {
    p.add(at, `must be a list, got ${show(v)}`)
    return []
  }
  return v
}

function compareRule(p: Problems, at: string, v: unknown): CompareRule | null {
  if (!isObject(v)) {
    p.add(at, `must be a mapping like {metric: auc, goal: maximize}, got ${show(v)}`)
    return null
  }
  p.unknownKeys(at, v, COMPARE_KEYS)
  const metric = metricName(p, at, v['metric'])
  const goal = v['goal']
  if (!(POLICY_GOALS as readonly unknown[]).includes(goal)) {
    p.add(`${at}.goal`, `must be one of ${POLICY_GOALS.join(', ')}, got ${show(goal)}`)
  }
  let minDelta = 0
  if (v['min_delta'] !== undefined) {
    minDelta = finiteNumber(p, `${at}.min_delta`, v['min_delta'])
    if (minDelta < 0) p.add(`${at}.min_delta`, `must be 0 or more, got ${minDelta}`)
  }
  return { metric, goal: goal as PolicyGoal, minDelta }
}

function thresholdRule(p: Problems, at: string, v: unknown): ThresholdRule | null {
  if (!isObject(v)) {
    p.add(at, `must be a mapping like {metric: accuracy, op: '>=', value: 0.5}, got ${show(v)}`)
    return null
  }
  p.unknownKeys(at, v, THRESHOLD_KEYS)
  const metric = metricName(p, at, v['metric'])
  const op = v['op']
  if (!(POLICY_OPERATORS as readonly unknown[]).includes(op)) {
    p.add(`${at}.op`, `must be one of ${POLICY_OPERATORS.join(' ')}, got ${show(op)}`)
  }
  const value = finiteNumber(p, `${at}.value`, v['value'])
  return { metric, op: op as PolicyOperator, value }
}

function requiredTags(p: Problems, v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {}
  if (!isObject(v)) {
    p.add('policy.require_tags', `must be a mapping of tag key to value, got ${show(v)}`)
    return {}
  }
  const out: Record<string, string> = {}
  for (const [k, value] of Object.entries(v)) {
    // YAML reads `validated: true` as a boolean; tags are text, so scalars are taken as their text.
    if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number')
      out[k] = String(value)
    else p.add(`policy.require_tags.${k}`, `must be a string, got ${show(value)}`)
  }
  return out
}

/**
 * Checks a policy document (a parsed JSON or YAML value) and returns it normalized. Every problem
 * is reported at once, each with its path: INVALID_PARAMETER_VALUE "Invalid promotion policy:
 * policy.compare[0].goal: must be one of maximize, minimize, got 'max'; …".
 */
export function parsePromotionPolicy(doc: unknown): PromotionPolicy {
  const p = new Problems()
  if (!isObject(doc)) {
    throw new CairnError(
      'INVALID_PARAMETER_VALUE',
      `Invalid promotion policy: expected a mapping, got ${show(doc)}`,
    )
  }
  p.unknownKeys('policy', doc, TOP_KEYS)
  let alias = DEFAULT_POLICY_ALIAS
  if (doc['alias'] !== undefined) {
    if (typeof doc['alias'] !== 'string') p.add('policy.alias', `must be a string, got ${show(doc['alias'])}`)
    else {
      alias = doc['alias']
      try {
        if (alias === '') throw new Error('must not be empty')
        validateAliasName(alias)
      } catch (err) {
        p.add('policy.alias', (err as Error).message)
      }
    }
  }
  const description = doc['description'] ?? ''
  if (typeof description !== 'string')
    p.add('policy.description', `must be a string, got ${show(description)}`)
  const compare = list(p, 'policy.compare', doc['compare'])
    .map((r, i) => compareRule(p, `policy.compare[${i}]`, r))
    .filter((r): r is CompareRule => r !== null)
  const thresholds = list(p, 'policy.thresholds', doc['thresholds'])
    .map((r, i) => thresholdRule(p, `policy.thresholds[${i}]`, r))
    .filter((r): r is ThresholdRule => r !== null)
  const requireTags = requiredTags(p, doc['require_tags'])
  if (p.list.length > 0) {
    throw new CairnError('INVALID_PARAMETER_VALUE', `Invalid promotion policy: ${p.list.join('; ')}`)
  }
  return { alias, description: description as string, requireTags, compare, thresholds }
}

/** The policy's document (snake_case), as stored and sent. `parsePromotionPolicy` reads it back unchanged. */
export function promotionPolicyToDocument(policy: PromotionPolicy): Record<string, unknown> {
  const doc: Record<string, unknown> = { alias: policy.alias }
  if (policy.description !== '') doc['description'] = policy.description
  doc['require_tags'] = { ...policy.requireTags }
  doc['compare'] = policy.compare.map((r) => ({ metric: r.metric, goal: r.goal, min_delta: r.minDelta }))
  doc['thresholds'] = policy.thresholds.map((r) => ({ metric: r.metric, op: r.op, value: r.value }))
  return doc
}

/** One evaluated rule, for the side-by-side table. Metric values may be NaN; missing is undefined. */
export type PromotionCheck =
  | {
      kind: 'compare'
      metric: string
      goal: PolicyGoal
      minDelta: number
      candidate?: number
      current?: number
      passed: boolean
      message: string
    }
  | {
      kind: 'threshold'
      metric: string
      op: PolicyOperator
      value: number
      candidate?: number
      passed: boolean
      message: string
    }
  | { kind: 'tag'; key: string; expected: string; actual?: string; passed: boolean; message: string }

/** A promotion's verdict, whether or not it moved the alias. */
export interface PromotionOutcome {
  name: string
  alias: string
  candidate: { version: string; runId: string }
  /** The alias holder the candidate was compared with; absent when the alias was unset. */
  current?: { version: string; runId: string }
  checks: PromotionCheck[]
  /** Whether every check passed. */
  passed: boolean
  dryRun: boolean
  forced: boolean
  /** Whether this request moved the alias. */
  moved: boolean
  /** One sentence: the verdict and why. */
  message: string
  /** The audit event that records the move. */
  eventId?: number
}
