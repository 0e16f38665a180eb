/**
 * A real `cairn serve` on an ephemeral loopback port with CAIRN_HOME in a temp dir (prediction
 * logs, model cache), torn down by `close()`. For tests and benches only.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger, type Logger } from '../../logging.js'
import { resolveServeConfig, type ServeConfig, type ServeFlags } from '../config.js'
import type { ModelSource } from '../sources/model-source.js'
import { startServe, type RunningServe } from '../standalone.js'

export interface TestServe extends RunningServe {
  home: string
  config: ServeConfig
  fetch(path: string, init?: RequestInit): Promise<Response>
  /** POST a JSON body; the status, JSON answer and headers. */
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: any; headers: Headers }>
  get(path: string): Promise<{ status: number; json: any; text: string }>
  /** Graceful stop that keeps CAIRN_HOME (to read the prediction logs); `close()` also removes it. */
  stop(): Promise<void>
}

export interface TestServeOptions {
  source?: ModelSource
  env?: Record<string, string>
  logger?: Logger
  /** Edits the resolved config before the server starts. */
  edit?: (c: ServeConfig) => void
}

export async function startTestServe(
  uri: string,
  flags: ServeFlags = {},
  opts: TestServeOptions = {},
): Promise<TestServe> {
  const home = mkdtempSync(join(tmpdir(), 'cairn-serve-'))
  const config = resolveServeConfig(uri, { port: '0', ...flags }, { CAIRN_HOME: home, ...opts.env })
  opts.edit?.(config)
  let running: RunningServe
  try {
    running = await startServe(
      config,
      opts.logger ?? silentLogger(),
      opts.source ? { source: opts.source } : {},
    )
  } catch (err) {
    rmSync(home, { recursive: true, force: true })
    throw err
  }
  const doFetch = (path: string, init?: RequestInit): Promise<Response> => fetch(running.url + path, init)
  return {
    ...running,
    home,
    config,
    fetch: doFetch,
    post: async (path, body, headers = {}) => {
      const res = await doFetch(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, json: text === '' ? null : JSON.parse(text), headers: res.headers }
    },
    get: async (path) => {
      const res = await doFetch(path)
      const text = await res.text()
      let json: unknown = null
      try {
        json = JSON.parse(text)
      } catch {
        // not JSON: see text
      }
      return { status: res.status, json, text }
    },
    stop: () => running.close(),
    close: async () => {
      await running.close()
      rmSync(home, { recursive: true, force: true })
    },
  }
}
