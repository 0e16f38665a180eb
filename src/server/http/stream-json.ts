/** Writing a large JSON answer piece by piece, respecting backpressure. */
import type { ServerResponse } from 'node:http'
import { once } from 'node:events'

/**
 * Writes `{"<field>": [ ... ]}` from chunks of items; an empty sequence is written as `{}`, as
 * MLflow omits empty repeated fields.
 */
export async function streamJsonArray<T, W>(
  res: ServerResponse,
  field: string,
  chunks: AsyncIterable<T[]>,
  toWire: (item: T) => W,
): Promise<void> {
  let started = false
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue
    let text = ''
    for (const item of chunk) text += (text === '' && !started ? '' : ',') + JSON.stringify(toWire(item))
    if (!started) {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      text = `{${JSON.stringify(field)}:[` + text
      started = true
    }
    if (!res.write(text)) await once(res, 'drain')
  }
  if (!started) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 })
    res.end('{}')
    return
  }
  res.end(']}')
}
