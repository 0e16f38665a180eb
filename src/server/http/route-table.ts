/** The route table as Markdown: each path once, with the prefixes it is served under. */
import type { Router } from './router.js'

export function routeTableMarkdown(router: Router<unknown>): string {
  const byTail = new Map<string, { methods: string[]; prefixes: string[] }>()
  for (const r of router.paths()) {
    const m = /^(\/api\/2\.0|\/ajax-api\/2\.0)(\/.*)$/.exec(r.path)
    const [prefix, tail] = m ? [m[1]!, m[2]!] : ['', r.path]
    const entry = byTail.get(tail) ?? { methods: [...new Set(r.methods)].sort(), prefixes: [] }
    entry.prefixes.push(prefix === '' ? '(root)' : prefix)
    byTail.set(tail, entry)
  }
  let out = '| Methods | Path | Served under |\n|---|---|---|\n'
  for (const [tail, e] of [...byTail].sort(([a], [b]) => a.localeCompare(b))) {
    out += `| ${e.methods.join(', ')} | \`${tail}\` | ${e.prefixes.sort().join(', ')} |\n`
  }
  return out
}
