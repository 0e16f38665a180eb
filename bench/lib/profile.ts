/** Summarizes a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self and total time. */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { REPO_ROOT } from './server-process.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

export interface HotFunction {
  name: string
  selfPct: number
  totalPct: number
}

function label(frame: ProfileNode['callFrame']): string {
  const file = frame.url.startsWith('file://') ? relative(REPO_ROOT, new URL(frame.url).pathname) : frame.url
  return `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim()
}

export function summarizeProfile(path: string, top = 25): HotFunction[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[] }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  let all = 0
  // Total time per function counts each function once per stack, so recursion is not double counted.
  const walk = (node: ProfileNode, onStack: Set<string>): number => {
    const name = label(node.callFrame)
    const hits = node.hitCount ?? 0
    all += hits
    self.set(name, (self.get(name) ?? 0) + hits)
    const nested = onStack.has(name)
    if (!nested) onStack.add(name)
    let subtree = hits
    for (const c of node.children ?? []) subtree += walk(byId.get(c)!, onStack)
    if (!nested) {
      onStack.delete(name)
      total.set(name, (total.get(name) ?? 0) + subtree)
    }
    return subtree
  }
  const childIds = new Set(profile.nodes.flatMap((n) => n.children ?? []))
  for (const n of profile.nodes) if (!childIds.has(n.id)) walk(n, new Set())
  const pct = (x: number): number => Math.round((1000 * x) / Math.max(all, 1)) / 10
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, hits]) => ({ name, selfPct: pct(hits), totalPct: pct(total.get(name) ?? 0) }))
}

/** The main thread's profile in a --cpu-prof-dir (files are CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile). */
export function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  const main = files.filter((f) => f.split('.')[4] === '0')
  const pick = (main.length > 0 ? main : files).sort().at(-1)
  return pick === undefined ? undefined : join(dir, pick)
}

export function formatHot(hot: HotFunction[]): string {
  return hot
    .map((h) => `${String(h.selfPct).padStart(5)}% self ${String(h.totalPct).padStart(5)}% total  ${h.name}`)
    .join('\n')
}
