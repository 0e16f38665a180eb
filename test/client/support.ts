/** Helpers for SDK tests: a fetch that records requests, and a proxy that fails on purpose. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Recorded {
  method: string
  path: string
  body: unknown
}

/** A fetch that records each request (method, path, parsed JSON body) before sending it. */
export function recordingFetch(): { fetch: typeof fetch; requests: Recorded[] } {
  const requests: Recorded[] = []
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    let body: unknown = null
    if (typeof init?.body === 'string') body = JSON.parse(init.body)
    requests.push({ method: init?.method ?? 'GET', path: url.pathname, body })
    return fetch(input, init)
  }
  return { fetch: wrapped, requests }
}

export interface LogBatchBody {
  run_id: string
  params?: { key: string; value: string }[]
  tags?: { key: string; value: string }[]
  metrics?: { key: string; value: number | string; timestamp: number; step: number }[]
}

export const logBatches = (requests: Recorded[]): LogBatchBody[] =>
  requests.filter((r) => r.path.endsWith('/mlflow/runs/log-batch')).map((r) => r.body as LogBatchBody)

/** What the proxy does with request number `n` (0-based) to `path`. */
export type Verdict = 'pass' | 'reset' | { status: number; body?: unknown; headers?: Record<string, string> }

export interface FlakyProxy {
  url: string
  /** Requests seen, with what was done to them. */
  seen: { method: string; path: string; verdict: string }[]
  close(): Promise<void>
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

/** A loopback HTTP proxy in front of `target` that can refuse or drop requests. */
export async function startFlakyProxy(
  target: string,
  decide: (req: { method: string; path: string; n: number }) => Verdict,
): Promise<FlakyProxy> {
  const seen: FlakyProxy['seen'] = []
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    const body = await readAll(req)
    const verdict = decide({ method, path: path.split('?')[0]!, n: seen.length })
    seen.push({
      method,
      path: path.split('?')[0]!,
      verdict: typeof verdict === 'string' ? verdict : String(verdict.status),
    })
    if (verdict === 'reset') {
      req.socket.destroy()
      return
    }
    if (verdict !== 'pass') {
      const text = JSON.stringify(
        verdict.body ?? { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'try later' },
      )
      res.writeHead(verdict.status, { 'Content-Type': 'application/json', ...verdict.headers })
      res.end(text)
      return
    }
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && k !== 'host' && k !== 'connection' && k !== 'transfer-encoding')
        headers[k] = v
    }
    const answer = await fetch(target + path, {
      method,
      headers,
      ...(body.length > 0 ? { body } : {}),
    })
    const out = Buffer.from(await answer.arrayBuffer())
    res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' })
    res.end(out)
  }
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy())
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
