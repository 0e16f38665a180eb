/**
 * Reading serving requests and writing their answers. Serving handlers write every answer
 * themselves (a RawAnswer), errors included, so the same routes behave the same inside
 * `cairn server` and `cairn serve`: MLflow's scoring routes and /predict answer
 * `{"error_code", "message"}`, the Open Inference Protocol answers `{"error": "..."}`.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { CairnError } from '../../../protocol/errors.js'
import { RawAnswer } from '../../http/route.js'

export function tooLarge(limit: number): CairnError {
  return new CairnError('RESOURCE_EXHAUSTED', `Request body exceeds the limit of ${limit} bytes.`, {
    status: 413,
  })
}

/** The request body as bytes; a 413 CairnError past `limit`. */
export function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit))
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0))
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        req.pause()
        reject(tooLarge(limit))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      cleanup()
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
    }
    const onError = (err: Error): void => {
      cleanup()
      reject(err)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

/** Bytes of an over-limit body read (and dropped) so the client sees the 413 before the socket closes. */
const DRAIN_LIMIT = 1024 * 1024

function drainThenClose(req: IncomingMessage): void {
  let drained = 0
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length
    if (drained > DRAIN_LIMIT) req.socket.destroy()
  })
  req.resume()
}

export type Headers = Record<string, string | number>

/** The headers each answer was written with (writeHead's own are not readable back), for the request log. */
const written = new WeakMap<ServerResponse, Headers>()

export function write(res: ServerResponse, status: number, body: string, headers: Headers): void {
  written.set(res, headers)
  res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), ...headers })
  res.end(body)
}

export function writtenHeader(res: ServerResponse, name: string): string | number | undefined {
  return written.get(res)?.[name]
}

export function json(status: number, body: string, headers: Headers = {}): RawAnswer {
  return new RawAnswer(async (res) =>
    write(res, status, body, { 'Content-Type': 'application/json', ...headers }),
  )
}

/** Any error as a CairnError; unexpected ones become INTERNAL_ERROR (the cause goes to the log). */
export function asCairn(err: unknown): CairnError {
  if (err instanceof CairnError) return err
  return new CairnError('INTERNAL_ERROR', 'Internal error; the server log has the details.', { cause: err })
}

/** An error answer in the given shape; a 413 also closes the connection after draining a little. */
export function errorAnswer(
  req: IncomingMessage,
  err: CairnError,
  shape: 'mlflow' | 'oip',
  headers: Headers = {},
): RawAnswer {
  const body = shape === 'oip' ? JSON.stringify({ error: err.message }) : JSON.stringify(err.toJSON())
  if (err.status === 413) {
    return new RawAnswer(async (res) => {
      write(res, 413, body, { 'Content-Type': 'application/json', Connection: 'close', ...headers })
      drainThenClose(req)
    })
  }
  return json(err.status, body, headers)
}

const ID_PREFIX = randomBytes(4).toString('hex')
let idCounter = 0

/** A request id unique within this process and unlikely to repeat across processes. */
export function newRequestId(): string {
  return `${ID_PREFIX}-${(++idCounter).toString(36)}`
}

/** The id a client chose (`X-Request-Id`), else undefined. */
export function headerRequestId(req: IncomingMessage): string | undefined {
  const h = req.headers['x-request-id']
  const v = Array.isArray(h) ? h[0] : h
  return v !== undefined && v !== '' && v.length <= 200 ? v : undefined
}

export const elapsedSeconds = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9
