/**
 * A real Cairn server on an ephemeral loopback port, with a fresh SQLite file and artifact
 * folder in a temp dir, torn down by `close()`. For tests only (excluded from the build).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { resolveServerConfig, type ServerConfig } from '../config.js'
import { silentLogger } from '../logging.js'
import { startServer, type RunningServer, type StartOptions } from '../server.js'

export interface TestServer extends RunningServer {
  dir: string
  config: ServerConfig
  /** fetch against the server: `api('/api/2.0/mlflow/...', init)`. */
  fetch(path: string, init?: RequestInit): Promise<Response>
  /** POST JSON and parse the JSON answer. */
  post(path: string, body: unknown): Promise<{ status: number; json: any }>
  /** GET with query parameters and parse the JSON answer. */
  get(path: string, query?: Record<string, string | string[]>): Promise<{ status: number; json: any }>
}

export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  opts: StartOptions = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-test-'))
  const config: ServerConfig = {
    ...resolveServerConfig({ port: 0 }, { CAIRN_HOME: dir }),
    artifactsDestination: pathToFileURL(join(dir, 'artifacts')).href,
    ...overrides,
  }
  const running = await startServer(config, silentLogger(), opts)
  const doFetch = (path: string, init?: RequestInit): Promise<Response> => fetch(running.url + path, init)
  const toJson = async (res: Response): Promise<{ status: number; json: any }> => {
    const text = await res.text()
    return { status: res.status, json: text === '' ? null : JSON.parse(text) }
  }
  return {
    ...running,
    dir,
    config,
    fetch: doFetch,
    post: async (path, body) =>
      toJson(
        await doFetch(path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ),
    get: async (path, query = {}) => {
      const qs = new URLSearchParams()
      for (const [k, v] of Object.entries(query)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x)
      const s = qs.toString()
      return toJson(await doFetch(s ? `${path}?${s}` : path))
    },
    close: async () => {
      await running.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
