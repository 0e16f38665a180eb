/** Helpers for the reliability suites: batches whose every point is known, history reads, raw sockets. */
import { connect } from 'node:net'
import { API, HttpClient, type WireMetric } from '../../bench/lib/http.js'

export interface Point {
  key: string
  value: number
  timestamp: number
  step: number
}

/** A log-batch body and exactly what it writes. */
export interface Batch {
  id: string
  runId: string
  metrics: Point[]
  params: { key: string; value: string }[]
  tags: { key: string; value: string }[]
}

export const pointId = (p: Point): string => `${p.key}|${p.step}|${p.timestamp}|${p.value}`

export function batchBody(b: Batch): string {
  return JSON.stringify({ run_id: b.runId, metrics: b.metrics, params: b.params, tags: b.tags })
}

export async function postBatch(client: HttpClient, b: Batch): Promise<number> {
  return (await client.post(`${API}/runs/log-batch`, batchBody(b))).status
}

/** Every point of every given key of a run, through the full-history endpoint. */
export async function historyPoints(
  client: HttpClient,
  runId: string,
  keys: Iterable<string>,
): Promise<Point[]> {
  const out: Point[] = []
  for (const key of keys) {
    const q = new URLSearchParams({ run_id: runId, metric_key: key })
    const { metrics } = await client.getJson<{ metrics?: WireMetric[] }>(
      `${API}/metrics/get-history?${q.toString()}`,
    )
    for (const m of metrics ?? [])
      out.push({ key: m.key, value: Number(m.value), timestamp: m.timestamp, step: m.step })
  }
  return out
}

export interface RunData {
  params: Map<string, string>
  tags: Map<string, string>
  metrics: Map<string, Point>
}

export async function runData(client: HttpClient, runId: string): Promise<RunData> {
  const { run } = await client.getJson<{
    run: { data: Record<string, { key: string; value: string }[] | undefined> }
  }>(`${API}/runs/get?run_id=${runId}`)
  const metrics = (run.data['metrics'] ?? []) as unknown as WireMetric[]
  return {
    params: new Map((run.data['params'] ?? []).map((p) => [p.key, p.value])),
    tags: new Map((run.data['tags'] ?? []).map((t) => [t.key, t.value])),
    metrics: new Map(
      metrics.map((m) => [
        m.key,
        { key: m.key, value: Number(m.value), timestamp: m.timestamp, step: m.step },
      ]),
    ),
  }
}

/** Whether a new TCP connection to the port is refused right now. */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(false)
    })
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'))
  })
}

/** Resolves once new connections to the port are refused (the server stopped listening). */
export async function waitUntilRefused(port: number, attempts = 500): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await connectionRefused(port)) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`port ${port} still accepts connections after ${attempts} attempts`)
}
