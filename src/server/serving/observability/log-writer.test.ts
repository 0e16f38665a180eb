import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ModelInput, Prediction } from '../types.js'
import { LogWriter } from './log-writer.js'
import type { PredictionRecord } from './prediction-log.js'

const LIMITS = { maxFileBytes: 1 << 20, maxTotalBytes: 1 << 24 }

function lines(dir: string, prefix: string): Record<string, any>[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, any>)
}

function record(i: number, prediction?: Prediction): PredictionRecord {
  const input: ModelInput = { kind: 'columns', rows: 1, columns: { x: Float64Array.of(i) } }
  return {
    ts: Date.now(),
    requestId: `r-${i}`,
    origin: { uri: 'models:/m@champion', name: 'm', version: '1', location: '/tmp/m' },
    role: 'primary',
    protocol: 'mlflow',
    latencyMs: 1,
    input,
    prediction: prediction ?? {
      rows: 1,
      orient: 'records',
      outputs: [{ name: 'label', dtype: 'int64', shape: [1], data: BigInt64Array.of(BigInt(i % 2)) }],
    },
  }
}

describe('prediction log writer', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-logwriter-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it("writes every record into its model's folder by the time close() resolves", async () => {
    const writer = new LogWriter({}, { flushIntervalMs: 60_000 })
    const a = writer.open({ dir: join(dir, 'a'), ...LIMITS })
    const b = writer.open({ dir: join(dir, 'b'), ...LIMITS })
    for (let i = 0; i < 500; i++) {
      a.record(record(i))
      if (i % 2 === 0) b.record(record(i))
    }
    b.recordFeedback({ ts: Date.now(), requestId: 'r-4', model: 'm', groundTruth: 1 })
    await writer.close()
    const fromA = lines(join(dir, 'a'), 'predictions-')
    expect(fromA.map((l) => l['request_id'] as string)).toEqual(
      Array.from({ length: 500 }, (_, i) => `r-${i}`),
    )
    expect(fromA[3]).toMatchObject({ model_version: '1', inputs: { x: [3] }, outputs: { label: [1] } })
    expect(lines(join(dir, 'b'), 'predictions-')).toHaveLength(250)
    expect(lines(join(dir, 'b'), 'feedback-')).toEqual([
      expect.objectContaining({ request_id: 'r-4', ground_truth: 1 }),
    ])
    a.record(record(1000))
    await writer.flush()
    expect(lines(join(dir, 'a'), 'predictions-')).toHaveLength(500)
  })

  it('flush() resolves once what was recorded so far is on disk, and the writer goes on', async () => {
    const writer = new LogWriter()
    const log = writer.open({ dir, ...LIMITS })
    log.record(record(1))
    await writer.flush()
    expect(lines(dir, 'predictions-')).toHaveLength(1)
    log.record(record(2))
    await writer.close()
    expect(lines(dir, 'predictions-')).toHaveLength(2)
  })

  it('drops and counts records beyond maxOutstanding instead of queueing without bound', async () => {
    let dropped = 0
    const writer = new LogWriter({ onDrop: (n) => (dropped += n) }, { maxOutstanding: 10 })
    const log = writer.open({ dir, ...LIMITS })
    for (let i = 0; i < 50; i++) log.record(record(i))
    await writer.close()
    expect(dropped).toBe(40)
    expect(lines(dir, 'predictions-')).toHaveLength(10)
  })

  it('drops and reports an entry that cannot be written, and writes the others', async () => {
    const errors: string[] = []
    let dropped = 0
    const writer = new LogWriter({ onDrop: (n) => (dropped += n), onError: (m) => errors.push(m) })
    const log = writer.open({ dir, ...LIMITS })
    const circular: Record<string, unknown> = {}
    circular['self'] = circular
    log.record(record(1))
    log.record(
      record(2, {
        rows: 1,
        orient: 'records',
        outputs: [{ name: 'odd', dtype: 'object', shape: [1], data: [circular] }],
      }),
    )
    log.record(record(3))
    await writer.close()
    expect(lines(dir, 'predictions-').map((l) => l['request_id'] as string)).toEqual(['r-1', 'r-3'])
    expect(dropped).toBe(1)
    expect(errors.join()).toMatch(/cannot be written/)
  })

  it('logs the body and the answer as sent when the answer is set before the event loop turns', async () => {
    const writer = new LogWriter()
    const log = writer.open({ dir, ...LIMITS })
    const answered = record(1)
    answered.body = { kind: 'json', bytes: Buffer.from('{"inputs":\n{"x": [1]}}') }
    log.record(answered)
    answered.answer = '{"predictions": [1]}'
    // Recorded without an answer: its outputs are written from the prediction.
    const unanswered = record(2)
    unanswered.body = { kind: 'json', bytes: Buffer.from('{"inputs": {"x": [2]}}') }
    log.record(unanswered)
    await writer.close()
    const [a, b] = lines(dir, 'predictions-')
    expect(a).toMatchObject({
      columns: ['x'],
      request: { inputs: { x: [1] } },
      output_names: ['label'],
      answer: { predictions: [1] },
    })
    expect(a).not.toHaveProperty('inputs')
    expect(b).toMatchObject({ columns: ['x'], request: { inputs: { x: [2] } }, outputs: { label: [0] } })
  })

  it('counts the entries of a failed write as dropped and reports it', async () => {
    const errors: string[] = []
    let dropped = 0
    writeFileSync(join(dir, 'taken'), '')
    const writer = new LogWriter({ onDrop: (n) => (dropped += n), onError: (m) => errors.push(m) })
    const log = writer.open({ dir: join(dir, 'taken'), ...LIMITS })
    for (let i = 0; i < 3; i++) log.record(record(i))
    await writer.close()
    expect(dropped).toBe(3)
    expect(errors.length).toBeGreaterThan(0)
  })
})
