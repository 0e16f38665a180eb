/** Writing a large JSON answer piece by piece, respecting backpressure. */
import type { ServerResponse } from 'node:http'
import { once } from 'node:events'

/** Resolves when the socket can take more, or when the client has gone. */
async function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return
  await Promise.race([once(res, 'drain'), once(res, 'close')])
}

/**
 * Writes `{"<field>": [ ... ]}` from chunks of JSON text, each a comma-separated run of
 * elements; an empty sequence is written as `{}`, as MLflow omits empty repeated fields.
 */
export async function streamJsonTextArray(res: ServerResponse, field: string, chunks: AsyncIterable<string>): Promise<void> {
  let started = false
  for await (const chunk of chunks) {
    if (res.destroyed) return
    if (chunk === '') continue
    let text = chunk
    if (!started) {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      text = `{${JSON.stringify(field)}:[` + text
      started = true
    } else {
      text = ',' + text
    }
    if (!res.write(text)) await drained(res)
  }
  if (!started) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 })
    res.end('{}')
    return
  }
  res.end(']}')
}

/** The same from chunks of items, serialized with `toWire`. */
export async function streamJsonArray<T, W>(
  res: ServerResponse,
  field: string,
  chunks: AsyncIterable<T[]>,
  toWire: (item: T) => W,
): Promise<void> {
  async function* texts(): AsyncIterable<string> {
    for await (const chunk of chunks) yield chunk.map((item) => JSON.stringify(toWire(item))).join(',')
  }
  await streamJsonTextArray(res, field, texts())
}
