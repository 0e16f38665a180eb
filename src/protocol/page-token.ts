/**
 * Page tokens are MLflow's: base64 of JSON `{"offset": N}`. Clients treat them as opaque; MLflow's
 * own server decodes tokens made by Cairn and the other way round.
 */
import { invalidParameter } from './errors.js'

export function encodePageToken(offset: number): string {
  // Python json.dumps spacing, so tokens are byte-identical to MLflow's.
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64')
}

/** "" means the first page. */
export function decodePageToken(token: string): number {
  if (token === '') return 0
  let text: string
  try {
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) throw new Error('not base64')
    text = Buffer.from(token, 'base64').toString('utf8')
  } catch {
    throw invalidParameter('Invalid page token, could not base64-decode')
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw invalidParameter('Invalid page token, decoded value=' + JSON.stringify(text))
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalidParameter(`Invalid page token, parsed value=${text}`)
  }
  return offset
}
