/**
 * HTTP requests sent exactly as written: fetch() resolves '..' and '%2e%2e' in URLs before
 * sending, which would hide the traversal attempts the artifact tests need to send. Bodies can
 * be streams (sent chunked unless a Content-Length header is given).
 */
import { request, type IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  /** The body parsed as JSON (tests read fields freely). */
  json<T = any>(): T
}

export interface RawRequestOptions {
  body?: string | Buffer | Readable
  headers?: Record<string, string | number>
  /** Consume the answer's body as it arrives instead of collecting it (large downloads). */
  onData?: (chunk: Buffer) => void
}

export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  opts: RawRequestOptions = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: opts.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => (opts.onData ? opts.onData(chunk) : chunks.push(chunk)))
        res.on('error', reject)
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          })
        })
      },
    )
    req.on('error', reject)
    const body = opts.body
    if (body === undefined) req.end()
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body)
    else body.pipe(req)
  })
}
