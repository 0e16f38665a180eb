/**
 * Prints docs/api.md's route table from the mounted router, so the doc cannot drift from the
 * code: `npx tsx scripts/route-table.ts > docs/api.md` (docs.test.ts checks every route is listed).
 */
import { createApp } from '../src/server/http/app.js'
import { silentLogger } from '../src/server/logging.js'
import type { TrackingStore } from '../src/server/store/tracking-store.js'
import type { ArtifactStore } from '../src/server/artifacts/artifact-store.js'

export function routeTable(): { path: string; methods: string[] }[] {
  // Routes are declared without touching the stores; placeholders are never called.
  const app = createApp({
    store: {} as TrackingStore,
    artifacts: {} as ArtifactStore,
    logger: silentLogger(),
    version: 'docs',
  })
  return app.router
    .paths()
    .map((r) => ({ path: r.path, methods: [...r.methods].sort() }))
    .sort((a, b) => a.path.localeCompare(b.path))
}

/** Markdown rows: each path once, with the prefixes it is served under. */
export function routeTableMarkdown(): string {
  const byTail = new Map<string, { methods: string[]; prefixes: string[] }>()
  for (const r of routeTable()) {
    const m = /^(\/api\/2\.0|\/ajax-api\/2\.0)(\/.*)$/.exec(r.path)
    const [prefix, tail] = m ? [m[1]!, m[2]!] : ['', r.path]
    const entry = byTail.get(tail) ?? { methods: r.methods, prefixes: [] }
    entry.prefixes.push(prefix === '' ? '(root)' : prefix)
    byTail.set(tail, entry)
  }
  let out = '| Methods | Path | Served under |\n|---|---|---|\n'
  for (const [tail, e] of [...byTail].sort(([a], [b]) => a.localeCompare(b))) {
    out += `| ${e.methods.join(', ')} | \`${tail}\` | ${e.prefixes.sort().join(', ')} |\n`
  }
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(routeTableMarkdown())
