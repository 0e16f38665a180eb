/**
 * The web UI's static files (packages/web, built into dist/ui): `cairn server` serves them at `/`
 * for GET and HEAD on every path that no API route matched. Vite's hashed files under
 * `assets/` never change, so they are cached for a year as immutable; everything else (and the
 * single-page app's `index.html`, answered for every path without a file extension) is
 * revalidated with an ETag. Files are read once and kept in memory with their gzip form.
 * Paths go through the artifact routes' checks (`safeRelativePath`) and must resolve inside the
 * UI folder.
 */
import { existsSync, readFileSync } from 'node:fs'
import { readFile, realpath, stat } from 'node:fs/promises'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { CairnError } from '../../protocol/errors.js'
import { decodeUrlPath } from '../artifacts/safe-path.js'
import { isInside } from '../artifacts/file/inside-root.js'
import { RawAnswer, type Handler, type RequestContext } from './route.js'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
}
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt'])
const IMMUTABLE = 'public, max-age=31536000, immutable'

/** The UI folder of this installation: `dist/ui` beside the compiled server (or the sources' package). */
export function defaultUiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cairn') {
      return join(dir, 'dist', 'ui')
    }
    const up = dirname(dir)
    if (up === dir) return join(dirname(fileURLToPath(import.meta.url)), 'ui')
    dir = up
  }
}

interface Cached {
  mtimeMs: number
  body: Buffer
  gzip: Buffer | null
  etag: string
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Cairn</title>
<p>Cairn's web UI is not built. Run <code>npm run build</code> in the Cairn checkout, then reload.
The API is served under <code>/api/2.0</code>.</p>`

export function uiStaticHandler(root: string): Handler {
  const cache = new Map<string, Cached>()
  let realRoot: string | null = null

  async function load(abs: string): Promise<Cached | null> {
    let info
    try {
      info = await stat(abs)
    } catch {
      return null
    }
    if (!info.isFile()) return null
    const hit = cache.get(abs)
    if (hit && hit.mtimeMs === info.mtimeMs) return hit
    realRoot ??= await realpath(root)
    if (!isInside(realRoot, await realpath(abs))) return null
    const body = await readFile(abs)
    const entry: Cached = {
      mtimeMs: info.mtimeMs,
      body,
      gzip: COMPRESSIBLE.has(extname(abs)) && body.length > 1024 ? gzipSync(body) : null,
      etag: `"${body.length.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
    }
    cache.set(abs, entry)
    return entry
  }

  return async (ctx: RequestContext) => {
    if (!existsSync(join(root, 'index.html'))) {
      return new RawAnswer(async (res) => {
        res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
        res.end(ctx.method === 'HEAD' ? undefined : NOT_BUILT)
      })
    }
    const { relative } = decodeUrlPath(ctx.path.slice(1))
    let file = relative === '' ? null : await load(join(root, relative))
    let name = relative
    if (!file) {
      // A client-side route (no extension) gets the app; a missing asset is a real 404.
      if (extname(relative) !== '') {
        throw new CairnError('ENDPOINT_NOT_FOUND', `No file /${relative} in the web UI.`)
      }
      name = 'index.html'
      file = await load(join(root, name))
      if (!file) throw new CairnError('ENDPOINT_NOT_FOUND', 'The web UI has no index.html.')
    }
    const found = file
    return new RawAnswer(async (res) => {
      const headers: Record<string, string | number> = {
        'Content-Type': TYPES[extname(name)] ?? 'application/octet-stream',
        'Cache-Control': name.startsWith('assets/') ? IMMUTABLE : 'no-cache',
        ETag: found.etag,
        Vary: 'Accept-Encoding',
        'X-Content-Type-Options': 'nosniff',
      }
      if (ctx.req.headers['if-none-match'] === found.etag) {
        res.writeHead(304, headers)
        res.end()
        return
      }
      const gzip = found.gzip !== null && /\bgzip\b/.test(String(ctx.req.headers['accept-encoding'] ?? ''))
      const body = gzip ? found.gzip! : found.body
      if (gzip) headers['Content-Encoding'] = 'gzip'
      headers['Content-Length'] = body.length
      res.writeHead(200, headers)
      res.end(ctx.method === 'HEAD' ? undefined : body)
    })
  }
}
