/**
 * A tiny webhook receiver for the monitor's alerts: it verifies the HMAC-SHA256 signature Cairn
 * sends (`X-Cairn-Signature` over `<X-Cairn-Timestamp>.<body>`, with the shared secret), refuses
 * unsigned, forged or stale requests with 401, keeps each delivery once (retries carry the same
 * `X-Cairn-Delivery`) and logs it. Point `alerts.webhooks[].url` at a real endpoint (Slack relay,
 * incident tool) that checks the signature the same way.
 */
import { appendFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
} from '../../../src/monitoring/alerts/webhook.js'

export const ALERT_PATH = '/cairn-alerts'
const MAX_BODY = 1 << 20

/** What Cairn posts when a monitor fails (src/monitoring/alerts/alerter.ts, alertPayload). */
export interface AlertPayload {
  event: string
  time: string
  monitor: string
  model: { uri: string; name: string | null; version: string | null }
  status: string
  run_id: string | null
  failed_checks: { check: string; message: string }[]
  metrics: Record<string, number>
  pipeline_run_id: string | null
}

export interface ReceivedAlert {
  deliveryId: string
  receivedAt: string
  payload: AlertPayload
}

export interface AlertReceiverOptions {
  secret: string
  port?: number
  host?: string
  /** Appends each accepted alert as a JSON line. */
  logFile?: string
  onAlert?: (alert: ReceivedAlert) => void
  onRejected?: (reason: string) => void
}

export interface AlertReceiver {
  url: string
  /** Accepted alerts, in arrival order, each delivery once. */
  alerts: ReceivedAlert[]
  /** Requests refused (bad or missing signature, not JSON). */
  rejected: string[]
  close(): Promise<void>
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= MAX_BODY) chunks.push(c)
    })
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

export async function startAlertReceiver(o: AlertReceiverOptions): Promise<AlertReceiver> {
  const alerts: ReceivedAlert[] = []
  const rejected: string[] = []
  const seen = new Set<string>()
  const answer = (res: ServerResponse, status: number, body: Record<string, unknown>): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body))
  }
  const refuse = (res: ServerResponse, status: number, reason: string): void => {
    rejected.push(reason)
    o.onRejected?.(reason)
    answer(res, status, { error: reason })
  }
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== ALERT_PATH)
      return answer(res, 404, { error: 'not found' })
    if (req.method !== 'POST') return answer(res, 405, { error: 'POST only' })
    const body = await readBody(req)
    if (body === null) return refuse(res, 413, 'body over 1 MiB')
    const signed = verifySignature({
      secret: o.secret,
      body,
      timestamp: header(req, TIMESTAMP_HEADER),
      signature: header(req, SIGNATURE_HEADER),
    })
    if (!signed) return refuse(res, 401, 'missing, wrong or stale signature')
    let payload: AlertPayload
    try {
      payload = JSON.parse(body) as AlertPayload
    } catch {
      return refuse(res, 400, 'body is not JSON')
    }
    const deliveryId = header(req, DELIVERY_HEADER) ?? `no-id-${alerts.length}`
    if (!seen.has(deliveryId)) {
      seen.add(deliveryId)
      const alert = { deliveryId, receivedAt: new Date().toISOString(), payload }
      alerts.push(alert)
      if (o.logFile) await appendFile(o.logFile, `${JSON.stringify(alert)}\n`)
      o.onAlert?.(alert)
    }
    answer(res, 200, { ok: true })
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) answer(res, 500, { error: err instanceof Error ? err.message : String(err) })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}${ALERT_PATH}`,
    alerts,
    rejected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
