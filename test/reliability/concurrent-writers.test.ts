/**
 * Concurrent writers to one run (the built server as a child process): many parallel log-batch
 * and log-metric calls over several connections, overlapping on purpose and with identical
 * batches retried while the first copy is still in flight. The stored history must hold each
 * distinct point exactly once, and the run's latest value per key must be MLflow's "latest".
 */
import { afterEach, describe, expect, it } from 'vitest'
import { API, createExperiment, createRun, HttpClient } from '../../bench/lib/http.js'
import { removeHome, startServerProcess, type ServerProcess } from '../../bench/lib/server-process.js'
import { batchBody, historyPoints, pointId, runData, type Point } from './support.js'

const WRITERS = 8
const KEYS = ['loss', 'acc', 'lr']
const BASE_TS = 1_700_000_000_000

let server: ServerProcess | undefined

afterEach(async () => {
  if (!server) return
  await server.stop('SIGKILL')
  removeHome(server.home)
  server = undefined
})

/** The one value a key has at (step, timestamp): writers that overlap send identical points. */
const point = (key: string, step: number, timestamp = BASE_TS + step): Point => ({
  key,
  step,
  timestamp,
  value: Math.round(Math.cos(step * 0.01 + key.length + (timestamp - BASE_TS - step)) * 1e6) / 1e6,
})

/** MLflow's "latest": greatest step, then timestamp, then value. */
function latest(points: Point[]): Point {
  return points.reduce((a, b) =>
    b.step !== a.step
      ? b.step > a.step
        ? b
        : a
      : b.timestamp !== a.timestamp
        ? b.timestamp > a.timestamp
          ? b
          : a
        : b.value > a.value
          ? b
          : a,
  )
}

describe('concurrent writers to one run', () => {
  it('store each distinct point exactly once, whatever the overlap, retries and interleaving', async () => {
    server = await startServerProcess()
    const client = new HttpClient(server.url, { connections: 16 })
    const experimentId = await createExperiment(client, 'concurrent')
    const runId = await createRun(client, experimentId)
    const sent: Point[] = []
    const statuses: number[] = []

    const logBatch = async (metrics: Point[]): Promise<void> => {
      sent.push(...metrics)
      const body = batchBody({ id: '', runId, metrics, params: [], tags: [] })
      // The same batch twice at once: a client retrying while its first attempt is still in flight.
      const answers = await Promise.all([
        client.post(`${API}/runs/log-batch`, body),
        client.post(`${API}/runs/log-batch`, body),
      ])
      statuses.push(...answers.map((a) => a.status))
    }
    const logMetric = async (p: Point): Promise<void> => {
      sent.push(p)
      const a = await client.post(`${API}/runs/log-metric`, JSON.stringify({ run_id: runId, ...p }))
      statuses.push(a.status)
    }

    const writer = async (w: number): Promise<void> => {
      for (let round = 0; round < 6; round++) {
        // Writer w covers steps [w*100, w*100+200): each step range is also sent by the next writer.
        const from = w * 100 + round * 40
        const metrics = KEYS.flatMap((key) => Array.from({ length: 40 }, (_, i) => point(key, from + i)))
        await Promise.all([
          logBatch(metrics),
          // Single calls for points the batches also carry, and for points only they carry.
          logMetric(point('loss', from + (round % 40))),
          logMetric(point('loss', from, BASE_TS + from + 1)),
          logMetric(point(`solo.${w}`, round)),
        ])
      }
      // A step logged again later with a new timestamp is a new point, not a duplicate.
      await logMetric(point('acc', w, BASE_TS + 10_000 + w))
    }
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)))
    expect(statuses.filter((s) => s !== 200)).toEqual([])

    const expected = new Map<string, Point>()
    for (const p of sent) expected.set(pointId(p), p)
    const keys = new Set(sent.map((p) => p.key))
    const stored = await historyPoints(client, runId, keys)
    expect(stored.length).toBe(expected.size)
    expect(new Set(stored.map(pointId))).toEqual(new Set(expected.keys()))

    const data = await runData(client, runId)
    for (const key of keys) {
      const mine = [...expected.values()].filter((p) => p.key === key)
      expect(data.metrics.get(key), `latest ${key}`).toEqual(latest(mine))
    }
    client.close()
  }, 60_000)

  it('never let a rejected write take concurrent writes down with it, nor leave any of itself', async () => {
    server = await startServerProcess()
    const client = new HttpClient(server.url, { connections: 24 })
    const experimentId = await createExperiment(client, 'rejected-writes')
    const runId = await createRun(client, experimentId)
    const deletedRun = await createRun(client, experimentId)
    await client.postJson(`${API}/runs/log-parameter`, { run_id: runId, key: 'p', value: '1' })
    await client.postJson(`${API}/runs/delete`, { run_id: deletedRun })

    const good: Point[] = []
    const rejected: { status: number; code: string }[] = []
    const goodStatuses: number[] = []
    const post = (body: object): Promise<{ status: number; body: Buffer }> =>
      client.post(`${API}/runs/log-batch`, JSON.stringify(body))
    const round = async (r: number): Promise<void> => {
      const metrics = Array.from({ length: 50 }, (_, i) => point('loss', r * 50 + i))
      good.push(...metrics)
      const answers = await Promise.all([
        post({ run_id: runId, metrics, params: [{ key: `ok.${r}`, value: 'v' }] }),
        // Changes param p: MLflow refuses the whole batch.
        post({
          run_id: runId,
          metrics: [point(`bad.${r}`, 0)],
          params: [
            { key: `new.${r}`, value: 'v' },
            { key: 'p', value: '2' },
          ],
        }),
        post({ run_id: deletedRun, metrics: [point('loss', r)] }),
        post({ run_id: '0'.repeat(32), metrics: [point('loss', r)] }),
      ])
      goodStatuses.push(answers[0].status)
      for (const a of answers.slice(1)) {
        rejected.push({
          status: a.status,
          code: (JSON.parse(a.body.toString()) as { error_code: string }).error_code,
        })
      }
    }
    await Promise.all(Array.from({ length: 12 }, (_, r) => round(r)))

    expect(goodStatuses.filter((s) => s !== 200)).toEqual([])
    expect(rejected.filter((x) => x.status === 200)).toEqual([])
    expect(new Set(rejected.map((x) => x.code))).toEqual(
      new Set(['INVALID_PARAMETER_VALUE', 'RESOURCE_DOES_NOT_EXIST']),
    )
    const keys = ['loss', ...Array.from({ length: 12 }, (_, r) => `bad.${r}`)]
    const stored = await historyPoints(client, runId, keys)
    expect(new Set(stored.map(pointId))).toEqual(new Set(good.map(pointId)))
    expect(stored.length).toBe(good.length)
    const data = await runData(client, runId)
    expect(data.params.get('p')).toBe('1')
    expect([...data.params.keys()].filter((k) => k.startsWith('new.'))).toEqual([])
    expect([...data.params.keys()].filter((k) => k.startsWith('ok.')).length).toBe(12)
    expect(await historyPoints(client, deletedRun, ['loss'])).toEqual([])
    client.close()
  }, 60_000)
})
