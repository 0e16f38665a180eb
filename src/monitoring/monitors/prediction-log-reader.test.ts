import { mkdtempSync, rmSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { joinGroundTruth, slidingWindows } from './ground-truth.js'
import { readFeedback, readPredictionWindow } from './prediction-log-reader.js'
import { feedbackLine, predictionLine, writeLogFile } from './test-support/prediction-logs.js'
import {
  predictionLine as servingLine,
  type PredictionRecord,
} from '../../server/serving/observability/prediction-log.js'
import type { Prediction } from '../../server/serving/types.js'

const H = 3_600_000
const T0 = Date.parse('2024-05-01T00:00:00Z')

describe('prediction log window', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-plog-read-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('reads the rows of the window across rotated files and skips files that end before it', async () => {
    writeLogFile(dir, 'predictions', T0, [
      predictionLine({ ts: T0 + 1000, requestId: 'old', inputs: { a: [1] }, outputs: { label: [0] } }),
    ])
    writeLogFile(
      dir,
      'predictions',
      T0 + 2 * H - 120_000,
      [
        predictionLine({
          ts: T0 + 2 * H + 1,
          requestId: 'r1',
          inputs: { a: [1, 2], b: ['x', 'y'] },
          outputs: { label: [0, 1] },
        }),
        predictionLine({ ts: T0 + 3 * H, requestId: 'r2', inputs: { a: [3] }, outputs: { label: [1] } }),
      ],
      2,
    )
    writeLogFile(
      dir,
      'predictions',
      T0 + 3 * H + 10,
      [
        predictionLine({ ts: T0 + 3 * H + 20, requestId: 'r3', inputs: { a: [4], b: ['z'] } }),
        predictionLine({
          ts: T0 + 3 * H + 30,
          requestId: 'canary',
          role: 'canary',
          inputs: { a: [9] },
          outputs: { label: [1] },
        }),
        predictionLine({ ts: T0 + 5 * H, requestId: 'late', inputs: { a: [5] }, outputs: { label: [1] } }),
      ],
      3,
    )
    // A torn last line (the writer is mid-write) is skipped.
    appendFileSync(join(dir, 'predictions-20240501T030000010Z-3.jsonl'), '{"ts":"2024-05-01T0')
    const rows = await readPredictionWindow(dir, { window: { start: T0 + 2 * H, end: T0 + 4 * H } })
    expect(rows.files).toHaveLength(2)
    expect(rows.rows).toBe(4)
    expect(rows.requestIds).toEqual(['r1', 'r1', 'r2', 'r3'])
    expect(rows.inputs.get('a')).toEqual([1, 2, 3, 4])
    // A column a request lacked is null for its rows.
    expect(rows.inputs.get('b')).toEqual(['x', 'y', null, 'z'])
    expect(rows.outputs.get('label')).toEqual([0, 1, 1, null])
    expect(rows.failedRequests).toBe(1)
    expect(rows.badLines).toBe(1)
  })

  it('reads lines that hold the request body and MLflow answer as sent', async () => {
    const line = (ts: number, id: string, request: unknown, answer: unknown): string =>
      JSON.stringify({
        ts: new Date(ts).toISOString(),
        request_id: id,
        model: 'm',
        role: 'primary',
        protocol: 'mlflow',
        rows: 2,
        columns: ['f0', 'f1'],
        request,
        output_names: ['label'],
        answer,
      })
    writeLogFile(dir, 'predictions', T0, [
      line(
        T0 + 1,
        'records',
        {
          dataframe_records: [
            { f0: 1, f1: 2 },
            { f0: 3, f1: 4 },
          ],
        },
        { predictions: [0, 1] },
      ),
      line(
        T0 + 2,
        'split',
        {
          dataframe_split: {
            columns: ['f1', 'f0'],
            data: [
              [6, 5],
              [8, 7],
            ],
          },
        },
        { predictions: [1, 1] },
      ),
    ])
    const rows = await readPredictionWindow(dir, { window: { start: T0, end: T0 + H } })
    expect(rows.inputs.get('f0')).toEqual([1, 3, 5, 7])
    expect(rows.inputs.get('f1')).toEqual([2, 4, 6, 8])
    expect(rows.outputs.get('label')).toEqual([0, 1, 1, 1])
    expect(rows.requestIds).toEqual(['records', 'records', 'split', 'split'])
  })

  it('answers an empty window when the folder does not exist', async () => {
    const rows = await readPredictionWindow(join(dir, 'missing'), { window: { start: 0, end: T0 } })
    expect(rows.rows).toBe(0)
  })

  it('joins ground truth by request id, one value per row of multi-row requests', async () => {
    writeLogFile(dir, 'predictions', T0, [
      predictionLine({
        ts: T0 + 1,
        requestId: 'a',
        inputs: { f: [1] },
        outputs: { label: [1], probabilities: [[0.2, 0.8]] },
      }),
      predictionLine({
        ts: T0 + 2,
        requestId: 'b',
        inputs: { f: [1, 2] },
        outputs: {
          label: [0, 1],
          probabilities: [
            [0.9, 0.1],
            [0.4, 0.6],
          ],
        },
      }),
      predictionLine({
        ts: T0 + 3,
        requestId: 'c',
        inputs: { f: [1, 2] },
        outputs: {
          label: [0, 0],
          probabilities: [
            [0.7, 0.3],
            [0.6, 0.4],
          ],
        },
      }),
      predictionLine({
        ts: T0 + 4,
        requestId: 'd',
        inputs: { f: [3] },
        outputs: { label: [0], probabilities: [[0.5, 0.5]] },
      }),
    ])
    writeLogFile(dir, 'feedback', T0 + 5, [
      feedbackLine(T0 + 10, 'a', 0),
      feedbackLine(T0 + 11, 'a', 1),
      feedbackLine(T0 + 12, 'b', [0, 0]),
      // A single value for a two-row request cannot be matched to its rows.
      feedbackLine(T0 + 13, 'c', 1),
    ])
    const rows = await readPredictionWindow(dir, { window: { start: T0, end: T0 + H } })
    const truth = await readFeedback(dir, T0)
    const joined = joinGroundTruth(rows, truth)
    expect(joined.output).toBe('label')
    expect(joined.scoreOutput).toBe('probabilities')
    expect(joined.truth).toEqual([1, 0, 0])
    expect(joined.predicted).toEqual([1, 0, 1])
    expect(joined.scores).toEqual([0.8, 0.1, 0.6])
    expect(joined.unmatched).toBe(2)
  })

  it("reads serving's lines holding the request body and the answer as sent beside lines of values", async () => {
    const record = (ts: number, requestId: string, x: number[]): PredictionRecord => {
      const rows = x.length
      const prediction: Prediction = {
        rows,
        orient: 'records',
        outputs: [
          { name: 'label', dtype: 'int64', shape: [rows], data: BigInt64Array.from(x, (v) => BigInt(v % 2)) },
        ],
      }
      return {
        ts,
        requestId,
        origin: { uri: 'models:/m@champion', name: 'm', version: '2', location: '/m' },
        role: 'primary',
        protocol: 'mlflow',
        latencyMs: 1,
        input: { kind: 'columns', rows, columns: { x: Float64Array.from(x) } },
        prediction,
      }
    }
    const sent = record(T0 + 1, 'sent', [1, 2])
    sent.body = { kind: 'json', bytes: Buffer.from(JSON.stringify({ inputs: { x: [1, 2], extra: [0, 0] } })) }
    sent.answer = '{"predictions": [1, 0]}'
    writeLogFile(dir, 'predictions', T0, [servingLine(sent), servingLine(record(T0 + 2, 'values', [3]))])
    const rows = await readPredictionWindow(dir, { window: { start: T0, end: T0 + H } })
    expect(rows.requestIds).toEqual(['sent', 'sent', 'values'])
    expect(rows.inputs).toEqual(new Map([['x', [1, 2, 3]]]))
    expect(rows.outputs).toEqual(new Map([['label', [1, 0, 1]]]))
    expect(rows.modelVersions).toEqual(['2', '2', '2'])
    expect(rows.badLines).toBe(0)
  })

  it('cuts sliding windows that end at the window end and hold the rows of their span', () => {
    const times = [0, 10, 25, 35, 59]
    const w = slidingWindows(times, { start: 0, end: 60, sizeMs: 20, stepMs: 20 })
    expect(w.map((x) => [x.start, x.end, x.rows])).toEqual([
      [0, 20, [0, 1]],
      [20, 40, [2, 3]],
      [40, 60, [4]],
    ])
    expect(slidingWindows(times, { start: 0, end: 60, sizeMs: 100, stepMs: 100 })).toEqual([
      { start: 0, end: 60, rows: [0, 1, 2, 3, 4] },
    ])
  })
})
