/**
 * A pipeline run's DAG for drawing: steps from the run's (normalized) spec, edges from
 * `dependsOn` and artifact inputs, layers by longest path from the roots, and each step's state
 * from its step rows (a fan-out step has one row per item).
 */
import type { WireStep } from '../../../../src/protocol/pipeline-wire.js'

export interface DagNode {
  name: string
  layer: number
  /** Position within its layer. */
  row: number
  deps: string[]
  status: string
  /** Rows of this step (fan-out items), and how many of them ended / came from the cache. */
  total: number
  done: number
  cached: number
  onExit: boolean
}

interface SpecStep {
  name?: unknown
  dependsOn?: unknown
  inputs?: unknown
}

function stepDeps(s: SpecStep): string[] {
  const deps = new Set<string>()
  if (Array.isArray(s.dependsOn)) for (const d of s.dependsOn) if (typeof d === 'string') deps.add(d)
  if (s.inputs && typeof s.inputs === 'object') {
    for (const b of Object.values(s.inputs as Record<string, unknown>)) {
      const step = (b as { step?: unknown } | null)?.step
      if (typeof step === 'string') deps.add(step)
    }
  }
  return [...deps]
}

const ENDED = new Set(['succeeded', 'failed', 'skipped', 'cancelled'])

/** The status a step shows: any running → running, any failed → failed, all ended → the worst, else pending. */
export function stepStatus(rows: WireStep[]): string {
  if (rows.length === 0) return 'pending'
  const s = new Set(rows.map((r) => r.status))
  if (s.has('running')) return 'running'
  if (s.has('failed')) return 'failed'
  if (s.has('cancelled')) return 'cancelled'
  if ([...s].every((x) => ENDED.has(x))) return s.has('succeeded') ? 'succeeded' : 'skipped'
  return 'pending'
}

export function buildDag(spec: unknown, steps: WireStep[]): DagNode[] {
  const specSteps: SpecStep[] = Array.isArray((spec as { steps?: unknown } | null)?.steps)
    ? (spec as { steps: SpecStep[] }).steps
    : []
  const onExit = (spec as { onExit?: SpecStep | null } | null)?.onExit ?? null
  const names: string[] = []
  const deps = new Map<string, string[]>()
  for (const s of specSteps) {
    if (typeof s.name !== 'string') continue
    names.push(s.name)
    deps.set(s.name, stepDeps(s))
  }
  // Steps known only from their rows (a spec this UI cannot read): no edges, but shown.
  for (const r of steps) {
    if (deps.has(r.step) || r.step === (onExit?.name ?? null)) continue
    names.push(r.step)
    deps.set(r.step, [])
  }
  const layer = new Map<string, number>()
  const visit = (n: string, seen: Set<string>): number => {
    const known = layer.get(n)
    if (known !== undefined) return known
    if (seen.has(n)) return 0
    seen.add(n)
    const l = Math.max(-1, ...(deps.get(n) ?? []).filter((d) => deps.has(d)).map((d) => visit(d, seen))) + 1
    layer.set(n, l)
    return l
  }
  for (const n of names) visit(n, new Set())
  const byName = new Map<string, WireStep[]>()
  for (const r of steps) byName.set(r.step, [...(byName.get(r.step) ?? []), r])
  const rowsInLayer = new Map<number, number>()
  const node = (name: string, l: number, d: string[], isExit: boolean): DagNode => {
    const rows = byName.get(name) ?? []
    const row = rowsInLayer.get(l) ?? 0
    rowsInLayer.set(l, row + 1)
    return {
      name,
      layer: l,
      row,
      deps: d,
      status: stepStatus(rows),
      total: rows.length,
      done: rows.filter((r) => ENDED.has(r.status)).length,
      cached: rows.filter((r) => r.cache_hit).length,
      onExit: isExit,
    }
  }
  const out = names.map((n) =>
    node(
      n,
      layer.get(n) ?? 0,
      (deps.get(n) ?? []).filter((d) => deps.has(d)),
      false,
    ),
  )
  if (onExit && typeof onExit.name === 'string') {
    const last = Math.max(-1, ...out.map((n) => n.layer)) + 1
    out.push(node(onExit.name, last, [], true))
  }
  return out
}
