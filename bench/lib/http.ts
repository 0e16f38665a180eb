/** A small keep-alive HTTP client over node:http, plus the few MLflow calls benches and tests need. */
import { Agent, request } from 'node:http'

export interface Answer {
  status: number
  body: Buffer
  /** ms from sending the request to its first response byte and to its last. */
  firstByteMs: number
  lastByteMs: number
}

export class HttpClient {
  readonly agent: Agent
  private readonly host: string
  private readonly port: number

  constructor(baseUrl: string, opts: { connections?: number } = {}) {
    const u = new URL(baseUrl)
    this.host = u.hostname
    this.port = Number(u.port)
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.connections ?? 8, keepAliveMsecs: 10_000 })
  }

  send(method: string, path: string, body?: Buffer | string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const started = performance.now()
      const payload = typeof body === 'string' ? Buffer.from(body) : body
      const headers: Record<string, string | number> = {}
      if (payload) {
        headers['content-type'] = 'application/json'
        headers['content-length'] = payload.length
      }
      const req = request(
        { host: this.host, port: this.port, method, path, agent: this.agent, headers },
        (res) => {
          const firstByteMs = performance.now() - started
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', reject)
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
              firstByteMs,
              lastByteMs: performance.now() - started,
            }),
          )
        },
      )
      req.on('error', reject)
      req.end(payload)
    })
  }

  post(path: string, body: Buffer | string): Promise<Answer> {
    return this.send('POST', path, body)
  }

  get(path: string): Promise<Answer> {
    return this.send('GET', path)
  }

  /** POST JSON, require 200, parse the answer. */
  async postJson<T = any>(path: string, body: unknown): Promise<T> {
    const a = await this.post(path, JSON.stringify(body))
    if (a.status !== 200) throw new Error(`POST ${path} answered ${a.status}: ${a.body.toString()}`)
    return JSON.parse(a.body.toString()) as T
  }

  async getJson<T = any>(path: string): Promise<T> {
    const a = await this.get(path)
    if (a.status !== 200) throw new Error(`GET ${path} answered ${a.status}: ${a.body.toString()}`)
    return JSON.parse(a.body.toString()) as T
  }

  close(): void {
    this.agent.destroy()
  }
}

export const API = '/api/2.0/mlflow'

export async function createExperiment(client: HttpClient, name: string): Promise<string> {
  const { experiment_id } = await client.postJson<{ experiment_id: string }>(`${API}/experiments/create`, {
    name,
  })
  return experiment_id
}

export async function createRun(client: HttpClient, experimentId: string, runName?: string): Promise<string> {
  const body = {
    experiment_id: experimentId,
    start_time: Date.now(),
    ...(runName ? { run_name: runName } : {}),
  }
  const { run } = await client.postJson<{ run: { info: { run_id: string } } }>(`${API}/runs/create`, body)
  return run.info.run_id
}

export interface WireMetric {
  key: string
  value: number | string
  timestamp: number
  step: number
}

/** The whole history of one metric (one request, no pagination). */
export async function getHistory(client: HttpClient, runId: string, key: string): Promise<WireMetric[]> {
  const q = new URLSearchParams({ run_id: runId, metric_key: key })
  const { metrics } = await client.getJson<{ metrics?: WireMetric[] }>(
    `${API}/metrics/get-history?${q.toString()}`,
  )
  return metrics ?? []
}
