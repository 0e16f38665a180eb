/** Reading request bodies with a hard size limit: nothing unbounded is ever buffered. */
import type { IncomingMessage } from 'node:http'
import { CairnError } from '../../protocol/errors.js'

export function tooLarge(limit: number): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', `Request body exceeds the limit of ${limit} bytes.`, { status: 413 })
}

/** The whole body as a string, or a 413 CairnError past `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw tooLarge(limit)
    chunks.push(chunk)
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')
}
