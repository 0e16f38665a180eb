/**
 * A local HTTP receiver for webhook tests: records every request (headers and raw body) and
 * answers from a script of statuses (the last one repeats). Also a logger whose lines are kept.
 * For tests only.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import type { Logger } from '../../../server/logging.js'

export interface Received {
  headers: IncomingHttpHeaders
  body: string
  path: string
}

export interface Receiver {
  url: string
  received: Received[]
  /** Statuses answered in order; the last repeats. */
  statuses: number[]
  close(): Promise<void>
}

export async function startReceiver(statuses: number[] = [200]): Promise<Receiver> {
  const received: Received[] = []
  const r = { statuses }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        path: req.url ?? '',
      })
      const status = r.statuses[Math.min(received.length, r.statuses.length) - 1] ?? 200
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get statuses() {
      return r.statuses
    },
    set statuses(s: number[]) {
      r.statuses = s
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A logger that keeps its JSON lines. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const logger = pino(
    { level: 'debug' },
    { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  )
  return { logger, lines }
}
