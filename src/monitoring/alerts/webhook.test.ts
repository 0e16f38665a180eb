import { afterEach, describe, expect, it } from 'vitest'
import { startReceiver, type Receiver } from './test-support/receiver.js'
import { deliverWebhook, signPayload, verifySignature } from './webhook.js'

const noSleep = async (): Promise<void> => undefined

describe('webhook delivery', () => {
  let receiver: Receiver | null = null
  afterEach(async () => {
    await receiver?.close()
    receiver = null
  })

  it('posts the JSON payload with a signature the receiver can verify with the shared secret', async () => {
    receiver = await startReceiver([200])
    const result = await deliverWebhook(
      { url: receiver.url, event: 'monitor.failed', payload: { monitor: 'm', drift: 0.7 }, secret: 's3cret' },
      { sleep: noSleep },
    )
    expect(result).toMatchObject({ ok: true, attempts: 1, status: 200 })
    const [req] = receiver.received
    expect(JSON.parse(req!.body)).toEqual({ monitor: 'm', drift: 0.7 })
    expect(req!.headers['content-type']).toBe('application/json')
    expect(req!.headers['x-cairn-event']).toBe('monitor.failed')
    const signature = req!.headers['x-cairn-signature'] as string
    const timestamp = req!.headers['x-cairn-timestamp'] as string
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(verifySignature({ secret: 's3cret', body: req!.body, timestamp, signature })).toBe(true)
    expect(verifySignature({ secret: 'other', body: req!.body, timestamp, signature })).toBe(false)
    expect(verifySignature({ secret: 's3cret', body: req!.body + ' ', timestamp, signature })).toBe(false)
  })

  it('retries 5xx answers and network errors with growing backoff, keeping one delivery id', async () => {
    receiver = await startReceiver([500, 503, 200])
    const waits: number[] = []
    const result = await deliverWebhook(
      { url: receiver.url, event: 'e', payload: {}, retries: 3 },
      { backoffMs: 100, sleep: async (ms) => void waits.push(ms) },
    )
    expect(result).toMatchObject({ ok: true, attempts: 3, status: 200 })
    expect(receiver.received).toHaveLength(3)
    expect(new Set(receiver.received.map((r) => r.headers['x-cairn-delivery'])).size).toBe(1)
    expect(waits).toHaveLength(2)
    // Jitter keeps each wait within [half, full] of base * 2^attempt.
    expect(waits[0]).toBeGreaterThanOrEqual(50)
    expect(waits[0]).toBeLessThanOrEqual(100)
    expect(waits[1]).toBeGreaterThanOrEqual(100)
    expect(waits[1]).toBeLessThanOrEqual(200)
  })

  it('gives up after the configured retries and reports the last status', async () => {
    receiver = await startReceiver([502])
    const result = await deliverWebhook(
      { url: receiver.url, event: 'e', payload: {}, retries: 2 },
      { sleep: noSleep },
    )
    expect(result).toMatchObject({ ok: false, attempts: 3, status: 502, error: 'HTTP 502' })
    expect(receiver.received).toHaveLength(3)
  })

  it('does not retry a 4xx refusal other than 408 and 429', async () => {
    receiver = await startReceiver([400, 200])
    const result = await deliverWebhook({ url: receiver.url, event: 'e', payload: {} }, { sleep: noSleep })
    expect(result).toMatchObject({ ok: false, attempts: 1, status: 400 })
    expect(receiver.received).toHaveLength(1)
  })

  it('counts a refused connection as a failed attempt and retries it', async () => {
    receiver = await startReceiver()
    const url = receiver.url
    await receiver.close()
    receiver = null
    const result = await deliverWebhook({ url, event: 'e', payload: {}, retries: 1 }, { sleep: noSleep })
    expect(result.ok).toBe(false)
    expect(result.attempts).toBe(2)
    expect(result.error).toBeTruthy()
  })

  it('refuses signatures outside the replay window', () => {
    const now = 1_700_000_000_000
    const ts = String(now / 1000 - 600)
    const sig = signPayload('k', ts, '{}')
    expect(verifySignature({ secret: 'k', body: '{}', timestamp: ts, signature: sig, now })).toBe(false)
    expect(
      verifySignature({
        secret: 'k',
        body: '{}',
        timestamp: ts,
        signature: sig,
        now,
        toleranceMs: 3_600_000,
      }),
    ).toBe(true)
  })
})
