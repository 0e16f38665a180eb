/**
 * A promotion policy evaluated against the runs behind a candidate version and the current alias
 * holder: one check per rule, for the side-by-side table. Pure. Metric values are the latest
 * values the runs logged (as runs/search sees them).
 *
 * Differences are compared with a tolerance of 1e-9 (relative to the larger magnitude, at least
 * absolute), so "auc ≥ champion's + 0.01" holds for 0.92 against 0.91 despite binary floating
 * point. NaN never passes.
 */
import type { PolicyOperator, PromotionCheck, PromotionPolicy } from '../../protocol/promotion-policy.js'

export interface PolicySubject {
  version: string
  runId: string
  /** Latest value of each metric of the version's run; empty when the version has no run. */
  metrics: ReadonlyMap<string, number>
  /** The version's tags. */
  tags: ReadonlyMap<string, string>
}

export interface PolicyVerdict {
  checks: PromotionCheck[]
  passed: boolean
  /** "run r (version 7) has no metric 'auc'": what the policy names and the runs lack. */
  missing: string[]
}

const EPSILON = 1e-9

function tolerance(a: number, b: number): number {
  return EPSILON * Math.max(1, Math.abs(a), Math.abs(b))
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12))))

function threshold(op: PolicyOperator, v: number, bound: number): boolean {
  if (Number.isNaN(v)) return false
  const tol = tolerance(v, bound)
  switch (op) {
    case '>':
      return v > bound
    case '>=':
      return v >= bound - tol
    case '<':
      return v < bound
    case '<=':
      return v <= bound + tol
    case '==':
      return Math.abs(v - bound) <= tol
    case '!=':
      return Math.abs(v - bound) > tol
  }
}

function subjectName(s: PolicySubject): string {
  return s.runId === '' ? `version ${s.version} (no run)` : `run ${s.runId} (version ${s.version})`
}

export function evaluatePolicy(
  policy: PromotionPolicy,
  candidate: PolicySubject,
  current: PolicySubject | null,
): PolicyVerdict {
  const checks: PromotionCheck[] = []
  const missing: string[] = []
  const lookup = (s: PolicySubject, metric: string): number | undefined => {
    const v = s.metrics.get(metric)
    if (v === undefined) missing.push(`${subjectName(s)} has no metric '${metric}'`)
    return v
  }

  for (const rule of policy.compare) {
    const c = lookup(candidate, rule.metric)
    const h = current === null ? undefined : lookup(current, rule.metric)
    const base = { kind: 'compare' as const, metric: rule.metric, goal: rule.goal, minDelta: rule.minDelta }
    const values = {
      ...(c !== undefined ? { candidate: c } : {}),
      ...(h !== undefined ? { current: h } : {}),
    }
    if (current === null) {
      const passed = c !== undefined
      checks.push({
        ...base,
        ...values,
        passed,
        message: passed
          ? `${rule.metric}: no current holder to compare with`
          : `${rule.metric}: the candidate's run lacks it`,
      })
      continue
    }
    if (c === undefined || h === undefined) {
      checks.push({
        ...base,
        ...values,
        passed: false,
        message: `${rule.metric}: missing from ${c === undefined ? 'the candidate' : 'the current holder'}'s run`,
      })
      continue
    }
    const bound = rule.goal === 'maximize' ? h + rule.minDelta : h - rule.minDelta
    const op = rule.goal === 'maximize' ? '>=' : '<='
    const passed = threshold(op, c, bound)
    const need =
      rule.minDelta === 0
        ? `${op} ${fmt(h)}`
        : `${op} ${fmt(h)} ${rule.goal === 'maximize' ? '+' : '-'} ${fmt(rule.minDelta)}`
    checks.push({
      ...base,
      ...values,
      passed,
      message: `${rule.metric}: ${fmt(c)} ${passed ? 'is' : 'is not'} ${need}`,
    })
  }

  for (const rule of policy.thresholds) {
    const c = lookup(candidate, rule.metric)
    const base = { kind: 'threshold' as const, metric: rule.metric, op: rule.op, value: rule.value }
    if (c === undefined) {
      checks.push({ ...base, passed: false, message: `${rule.metric}: missing from the candidate's run` })
      continue
    }
    const passed = threshold(rule.op, c, rule.value)
    checks.push({
      ...base,
      candidate: c,
      passed,
      message: `${rule.metric}: ${fmt(c)} ${passed ? 'is' : 'is not'} ${rule.op} ${fmt(rule.value)}`,
    })
  }

  for (const [key, expected] of Object.entries(policy.requireTags)) {
    const actual = candidate.tags.get(key)
    const passed = actual === expected
    checks.push({
      kind: 'tag',
      key,
      expected,
      ...(actual !== undefined ? { actual } : {}),
      passed,
      message: passed
        ? `tag ${key} = '${expected}'`
        : actual === undefined
          ? `tag ${key} is not set (needs '${expected}')`
          : `tag ${key} is '${actual}', not '${expected}'`,
    })
  }

  return { checks, passed: checks.every((c) => c.passed), missing }
}
