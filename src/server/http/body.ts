/** Reading request bodies with a hard size limit: nothing unbounded is ever buffered. */
import type { IncomingMessage } from 'node:http'
import { CairnError } from '../../protocol/errors.js'

export function tooLarge(limit: number): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', `Request body exceeds the limit of ${limit} bytes.`, {
    status: 413,
  })
}

/**
 * The whole body as a string, or a 413 CairnError past `limit` bytes. Plain 'data'/'end'
 * listeners rather than an async iterator: this is on every request's path.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit))
  if (req.readableEnded) return Promise.resolve('')
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('aborted', onAborted)
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
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'))
    }
    const onError = (err: Error): void => {
      cleanup()
      reject(err)
    }
    const onAborted = (): void => {
      cleanup()
      reject(new CairnError('BAD_REQUEST', 'The request body was cut short by the client.'))
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('aborted', onAborted)
  })
}
