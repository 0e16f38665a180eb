/**
 * Crash safety: the built server (dist/) runs as a child process under sustained log-batch load
 * and is killed with SIGKILL; after a restart on the same CAIRN_HOME every batch it answered 200
 * must be there in full, and a batch that was in flight is either all there or not at all.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createExperiment, createRun, HttpClient } from '../../bench/lib/http.js'
import {
  freshHome,
  removeHome,
  startServerProcess,
  type ServerProcess,
} from '../../bench/lib/server-process.js'
import { historyPoints, pointId, postBatch, runData, type Batch, type Point } from './support.js'

const WRITERS = 4
const RUNS = 3
const KEYS_PER_WRITER = 4
const STEPS_PER_BATCH = 50
/** Batches answered 200 in a round before the kill. */
const ACKED_BEFORE_KILL = 40

let server: ServerProcess | undefined
let home: string | undefined

afterEach(async () => {
  await server?.stop('SIGKILL')
  server = undefined
  if (home) removeHome(home)
  home = undefined
})

function makeBatch(runId: string, writer: number, round: number, seq: number): Batch {
  const metrics: Point[] = []
  const first = (round * 1_000_000 + seq) * STEPS_PER_BATCH
  for (let k = 0; k < KEYS_PER_WRITER; k++) {
    for (let step = first; step < first + STEPS_PER_BATCH; step++) {
      metrics.push({
        key: `w${writer}.k${k}`,
        value: Math.sin(step + k) / (writer + 1),
        timestamp: 1_700_000_000_000 + step,
        step,
      })
    }
  }
  const id = `${writer}-${round}-${seq}`
  return {
    id,
    runId,
    metrics,
    params: [{ key: `p.${id}`, value: `v.${id}` }],
    tags: [{ key: `t.${id}`, value: `v.${id}` }],
  }
}

interface RoundOutcome {
  acked: Batch[]
  /** Sent (or about to be) when the server died: outcome unknown to the client. */
  unknown: Batch[]
}

/** Writers post batches back to back; the server is SIGKILLed once enough were acknowledged. */
async function loadAndKill(running: ServerProcess, runIds: string[], round: number): Promise<RoundOutcome> {
  const client = new HttpClient(running.url, { connections: WRITERS })
  const acked: Batch[] = []
  const unknown: Batch[] = []
  let killed = false
  const writer = async (w: number): Promise<void> => {
    for (let seq = 0; ; seq++) {
      const batch = makeBatch(runIds[(w + seq) % runIds.length]!, w, round, seq)
      try {
        const status = await postBatch(client, batch)
        if (status !== 200) throw new Error(`log-batch answered ${status} before the kill`)
        acked.push(batch)
      } catch (err) {
        if (!killed) throw err
        unknown.push(batch)
        return
      }
      if (!killed && acked.length >= ACKED_BEFORE_KILL) {
        killed = true
        running.child.kill('SIGKILL')
      }
    }
  }
  await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)))
  const exit = await running.exited
  client.close()
  expect(exit.signal).toBe('SIGKILL')
  return { acked, unknown }
}

describe('SIGKILL under sustained log-batch load', () => {
  it('keeps every acknowledged batch in full across two kills and restarts, and never half a batch', async () => {
    home = freshHome('cairn-sigkill-')
    server = await startServerProcess({ home })
    const setup = new HttpClient(server.url)
    const experimentId = await createExperiment(setup, 'sigkill')
    const runIds: string[] = []
    for (let r = 0; r < RUNS; r++) runIds.push(await createRun(setup, experimentId, `run-${r}`))
    setup.close()

    const acked: Batch[] = []
    const unknown: Batch[] = []
    for (let round = 0; round < 2; round++) {
      server ??= await startServerProcess({ home })
      const outcome = await loadAndKill(server, runIds, round)
      acked.push(...outcome.acked)
      unknown.push(...outcome.unknown)
      server = undefined
    }
    expect(acked.length).toBeGreaterThanOrEqual(2 * ACKED_BEFORE_KILL)

    server = await startServerProcess({ home })
    const client = new HttpClient(server.url)
    const sent = new Map<string, Batch>()
    for (const b of [...acked, ...unknown]) sent.set(b.id, b)
    const sentPoints = new Map<string, Set<string>>()
    for (const b of sent.values()) {
      const set = sentPoints.get(b.runId) ?? new Set<string>()
      for (const p of b.metrics) set.add(pointId(p))
      sentPoints.set(b.runId, set)
    }

    const stored = new Map<string, Set<string>>()
    const data = new Map<string, Awaited<ReturnType<typeof runData>>>()
    for (const runId of runIds) {
      const keys = new Set(
        [...sent.values()].filter((b) => b.runId === runId).flatMap((b) => b.metrics.map((m) => m.key)),
      )
      const points = await historyPoints(client, runId, keys)
      const ids = new Set(points.map(pointId))
      expect(ids.size, `duplicate points in run ${runId}`).toBe(points.length)
      const phantom = [...ids].filter((id) => !sentPoints.get(runId)!.has(id))
      expect(phantom, `points never sent, in run ${runId}`).toEqual([])
      stored.set(runId, ids)
      data.set(runId, await runData(client, runId))
    }
    client.close()

    const presence = (b: Batch): { points: number; param: boolean; tag: boolean } => {
      const ids = stored.get(b.runId)!
      const d = data.get(b.runId)!
      return {
        points: b.metrics.filter((p) => ids.has(pointId(p))).length,
        param: d.params.get(b.params[0]!.key) === b.params[0]!.value,
        tag: d.tags.get(b.tags[0]!.key) === b.tags[0]!.value,
      }
    }
    const lost = acked.filter((b) => {
      const p = presence(b)
      return p.points !== b.metrics.length || !p.param || !p.tag
    })
    expect(lost.map((b) => ({ id: b.id, ...presence(b) }))).toEqual([])
    const torn = unknown.filter((b) => {
      const p = presence(b)
      const all = p.points === b.metrics.length && p.param && p.tag
      const none = p.points === 0 && !p.param && !p.tag
      return !all && !none
    })
    expect(torn.map((b) => ({ id: b.id, ...presence(b) }))).toEqual([])
  }, 120_000)
})
