/**
 * Exact-path routing with per-method handlers, plus prefix routes (artifact paths).
 * A known path with an unknown method is told apart from an unknown path (405 vs 404).
 */
import type { HttpMethod } from '../../protocol/endpoint.js'

export type RouteMethod = HttpMethod | 'HEAD'

export type Match<H> =
  | { kind: 'found'; handler: H; rest: string }
  | { kind: 'method'; allowed: RouteMethod[] }
  | { kind: 'none' }

export class Router<H> {
  private readonly exact = new Map<string, Map<RouteMethod, H>>()
  private readonly prefixes: { prefix: string; methods: Map<RouteMethod, H> }[] = []

  add(method: RouteMethod, path: string, handler: H): void {
    let byMethod = this.exact.get(path)
    if (!byMethod) this.exact.set(path, (byMethod = new Map<RouteMethod, H>()))
    if (byMethod.has(method)) throw new Error(`route ${method} ${path} defined twice`)
    byMethod.set(method, handler)
  }

  /** Routes every path that starts with `prefix`; the handler gets the rest of the path. */
  addPrefix(method: RouteMethod, prefix: string, handler: H): void {
    let entry = this.prefixes.find((p) => p.prefix === prefix)
    if (!entry) {
      entry = { prefix, methods: new Map<RouteMethod, H>() }
      this.prefixes.push(entry)
      this.prefixes.sort((a, b) => b.prefix.length - a.prefix.length)
    }
    entry.methods.set(method, handler)
  }

  match(method: string, path: string): Match<H> {
    const byMethod = this.exact.get(path) ?? this.prefixes.find((p) => path.startsWith(p.prefix))?.methods
    if (!byMethod) return { kind: 'none' }
    const rest = this.exact.has(path) ? '' : path.slice(this.prefixes.find((p) => path.startsWith(p.prefix))!.prefix.length)
    const handler = byMethod.get(method as RouteMethod) ?? (method === 'HEAD' ? byMethod.get('GET') : undefined)
    if (handler) return { kind: 'found', handler, rest }
    const allowed = [...byMethod.keys()]
    if (allowed.includes('GET')) allowed.push('HEAD')
    return { kind: 'method', allowed }
  }

  /** Every path, for the docs' route table and tests; a prefix route is shown as `<prefix><path>`. */
  paths(): { path: string; methods: RouteMethod[] }[] {
    return [
      ...[...this.exact].map(([path, m]) => ({ path, methods: [...m.keys()] })),
      ...this.prefixes.map((p) => ({ path: `${p.prefix}<path>`, methods: [...p.methods.keys()] })),
    ]
  }
}
