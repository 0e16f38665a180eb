import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ArtifactStore } from '../artifacts/artifact-store.js'
import { silentLogger } from '../logging.js'
import type { TrackingStore } from '../store/tracking-store.js'
import { createApp } from './app.js'
import { defaultUiDir, uiStaticHandler } from './ui-static.js'
import { rawRequest } from '../test-support/raw-request.js'

async function serve(uiDir: string): Promise<{ url: string; server: Server }> {
  const app = createApp({
    store: {} as TrackingStore,
    artifacts: {} as ArtifactStore,
    logger: silentLogger(),
    version: 'test',
    fallback: uiStaticHandler(uiDir),
  })
  const server = createServer((req, res) => app.handle(req, res))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

describe('web UI static files', () => {
  let dir: string
  let url: string
  let server: Server
  const script = `console.log(${JSON.stringify('x'.repeat(5000))})`

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-ui-'))
    const ui = join(dir, 'ui')
    mkdirSync(join(ui, 'assets'), { recursive: true })
    writeFileSync(join(ui, 'index.html'), '<!doctype html><div id="root"></div>')
    writeFileSync(join(ui, 'assets', 'index-abc123.js'), script)
    writeFileSync(join(ui, 'favicon.svg'), '<svg/>')
    writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET-CONTENT')
    symlinkSync(join(dir, 'secret.txt'), join(ui, 'leak.txt'))
    ;({ url, server } = await serve(ui))
  })
  afterAll(async () => {
    await new Promise((r) => server.close(r))
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves index.html at / and for client-side routes, revalidated by ETag', async () => {
    for (const path of ['/', '/experiments/3/runs', '/models/fraud']) {
      const res = await fetch(url + path)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(await res.text()).toContain('id="root"')
    }
    const etag = (await fetch(url + '/')).headers.get('etag')!
    const again = await fetch(url + '/', { headers: { 'If-None-Match': etag } })
    expect(again.status).toBe(304)
  })

  it('serves hashed assets as immutable JavaScript, gzipped when the client accepts it', async () => {
    const res = await rawRequest(url, 'GET', '/assets/index-abc123.js', {
      headers: { 'accept-encoding': 'gzip' },
    })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(res.body).toString()).toBe(script)
  })

  it('keeps unknown API paths and missing assets JSON 404s, and other methods unrouted', async () => {
    for (const path of ['/api/2.0/mlflow/nope', '/ajax-api/2.0/x', '/assets/missing.js']) {
      const res = await fetch(url + path)
      expect(res.status).toBe(404)
      expect(((await res.json()) as { error_code: string }).error_code).toBe('ENDPOINT_NOT_FOUND')
    }
    const post = await fetch(url + '/experiments', { method: 'POST' })
    expect(post.status).toBe(404)
  })

  it('refuses traversal, encoded separators and symlinks out of the UI folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets%2f..%2f..%2fsecret.txt']) {
      const res = await rawRequest(url, 'GET', path)
      expect([400, 404]).toContain(res.status)
      expect(res.body.toString()).not.toContain('TOP-SECRET-CONTENT')
    }
    const link = await fetch(url + '/leak.txt')
    expect(link.status).toBe(404)
  })

  it('answers 503 with a hint when the UI is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cairn-ui-empty-'))
    const s = await serve(join(empty, 'ui'))
    try {
      const res = await fetch(s.url + '/')
      expect(res.status).toBe(503)
      expect(await res.text()).toContain('npm run build')
    } finally {
      await new Promise((r) => s.server.close(r))
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it("finds dist/ui in this checkout's root", () => {
    expect(defaultUiDir()).toMatch(/dist[/\\]ui$/)
  })
})
