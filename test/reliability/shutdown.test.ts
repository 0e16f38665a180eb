/**
 * Graceful shutdown of the built server (dist/) as a child process: on SIGTERM it stops
 * accepting connections, closes idle keep-alive connections, lets requests already in flight
 * finish with 200, closes the database (WAL checkpointed away) and exits 0.
 */
import { existsSync, statSync } from 'node:fs'
import { request, type ClientRequest } from 'node:http'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { API, createExperiment, createRun, HttpClient } from '../../bench/lib/http.js'
import { removeHome, startServerProcess, type ServerProcess } from '../../bench/lib/server-process.js'
import { batchBody, connectionRefused, historyPoints, waitUntilRefused, type Batch } from './support.js'

let server: ServerProcess | undefined
let home: string | undefined

afterEach(async () => {
  await server?.stop('SIGKILL')
  server = undefined
  if (home) removeHome(home)
  home = undefined
})

/** A log-batch request whose body is only half sent: in flight until `finish` sends the rest. */
function startSlowUpload(
  port: number,
  body: string,
): { finish(): Promise<{ status: number; text: string }> } {
  const bytes = Buffer.from(body)
  const half = Math.floor(bytes.length / 2)
  let req: ClientRequest | undefined
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `${API}/runs/log-batch`,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': bytes.length },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.write(bytes.subarray(0, half))
  })
  // A reset before `finish` is reported by `finish`, not as an unhandled rejection.
  answer.catch(() => undefined)
  return {
    finish: () => {
      req!.end(bytes.subarray(half))
      return answer
    },
  }
}

/** A keep-alive connection that has answered one request and now sits idle. */
async function idleKeepAlive(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1')
  const closed = new Promise<void>((r) => socket.once('close', () => r()))
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.on('data', (d: Buffer) => {
      if (d.toString().includes('\r\n\r\nOK')) resolve()
    })
    socket.write('GET /health HTTP/1.1\r\nHost: cairn\r\nConnection: keep-alive\r\n\r\n')
  })
  socket.on('error', () => undefined)
  return { socket, closed }
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen`)), ms)),
  ])

describe('SIGTERM', () => {
  it('finishes in-flight requests with 200, refuses new connections, and exits 0 with the database closed cleanly', async () => {
    server = await startServerProcess()
    home = server.home
    const port = server.port
    const client = new HttpClient(server.url)
    const runId = await createRun(client, await createExperiment(client, 'shutdown'))
    const batches: Batch[] = [0, 1, 2].map((i) => ({
      id: String(i),
      runId,
      metrics: Array.from({ length: 500 }, (_, s) => ({
        key: `m${i}`,
        value: s / 7,
        timestamp: 1_700_000_000_000 + s,
        step: s,
      })),
      params: [{ key: `p${i}`, value: 'x' }],
      tags: [],
    }))
    const uploads = batches.map((b) => startSlowUpload(port, batchBody(b)))
    const idle = await idleKeepAlive(port)
    // Requests are handled in arrival order: once this answers, the slow uploads' headers were read.
    expect((await client.get('/health')).status).toBe(200)
    client.close()

    server.child.kill('SIGTERM')
    await waitUntilRefused(port)
    await within(idle.closed, 5000, 'closing the idle keep-alive connection')

    const answers = await Promise.allSettled(uploads.map((u) => u.finish()))
    const outcomes = answers.map((a) =>
      a.status === 'fulfilled' ? [a.value.status, a.value.text] : String(a.reason),
    )
    expect(outcomes).toEqual(batches.map(() => [200, '{}']))
    expect(await server.exited).toEqual({ code: 0, signal: null })
    expect(await connectionRefused(port)).toBe(true)

    const dbPath = join(home, 'cairn.db')
    const wal = `${dbPath}-wal`
    expect(existsSync(wal) ? statSync(wal).size : 0, 'WAL left behind').toBe(0)
    const db = new Database(dbPath, { readonly: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(db.prepare('SELECT count(*) FROM metrics').pluck().get()).toBe(1500)
    } finally {
      db.close()
    }

    server = await startServerProcess({ home })
    const again = new HttpClient(server.url)
    const points = await historyPoints(again, runId, ['m0', 'm1', 'm2'])
    again.close()
    expect(points.length).toBe(1500)
  }, 60_000)
})
