import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deliverWebhook, signPayload } from '../../../src/monitoring/alerts/webhook.js'
import { ALERT_PATH, startAlertReceiver, type AlertReceiver } from './receiver.js'

const SECRET = 'shared-secret'
const payload = { event: 'monitor.failed', monitor: 'sp500-drift', pipeline_run_id: 'abc' }

describe('the example webhook receiver', () => {
  let receiver: AlertReceiver
  const dir = mkdtempSync(join(tmpdir(), 'sp500-receiver-'))
  const logFile = join(dir, 'alerts.jsonl')
  const seen: string[] = []

  beforeAll(async () => {
    receiver = await startAlertReceiver({ secret: SECRET, logFile, onAlert: (a) => seen.push(a.deliveryId) })
  })
  afterAll(async () => {
    await receiver.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it("accepts what Cairn's webhook delivery signs with the shared secret, and logs it", async () => {
    const result = await deliverWebhook({
      url: receiver.url,
      event: 'monitor.failed',
      payload,
      secret: SECRET,
    })
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 1 })
    expect(receiver.alerts).toHaveLength(1)
    expect(receiver.alerts[0]).toMatchObject({ deliveryId: result.deliveryId, payload })
    expect(seen).toEqual([result.deliveryId])
    const logged = readFileSync(logFile, 'utf8').trim().split('\n')
    expect(logged.map((l) => (JSON.parse(l) as { payload: unknown }).payload)).toEqual([payload])
  })

  it('refuses unsigned, wrongly signed and stale requests with 401, and does not retry them', async () => {
    const unsigned = await deliverWebhook({ url: receiver.url, event: 'monitor.failed', payload })
    expect(unsigned).toMatchObject({ ok: false, status: 401, attempts: 1 })
    const wrong = await deliverWebhook({
      url: receiver.url,
      event: 'monitor.failed',
      payload,
      secret: 'guess',
    })
    expect(wrong).toMatchObject({ ok: false, status: 401 })
    const body = JSON.stringify(payload)
    const old = String(Math.floor(Date.now() / 1000) - 600)
    const stale = await fetch(receiver.url, {
      method: 'POST',
      headers: { 'X-Cairn-Timestamp': old, 'X-Cairn-Signature': signPayload(SECRET, old, body) },
      body,
    })
    expect(stale.status).toBe(401)
    expect(receiver.rejected).toEqual(Array(3).fill('missing, wrong or stale signature'))
    expect(receiver.alerts).toHaveLength(1)
  })

  it('keeps a delivery once when it is sent again with the same delivery id', async () => {
    const body = JSON.stringify({ ...payload, pipeline_run_id: 'def' })
    const send = async (): Promise<number> => {
      const ts = String(Math.floor(Date.now() / 1000))
      const headers = {
        'X-Cairn-Timestamp': ts,
        'X-Cairn-Signature': signPayload(SECRET, ts, body),
        'X-Cairn-Delivery': 'delivery-1',
      }
      return (await fetch(receiver.url, { method: 'POST', headers, body })).status
    }
    expect([await send(), await send()]).toEqual([200, 200])
    expect(receiver.alerts.map((a) => a.deliveryId)).toEqual([seen[0], 'delivery-1'])
  })

  it('answers 404 elsewhere and 405 to other methods', async () => {
    expect((await fetch(receiver.url.replace(ALERT_PATH, '/other'), { method: 'POST' })).status).toBe(404)
    expect((await fetch(receiver.url)).status).toBe(405)
  })
})
