import { describe, expect, it } from 'vitest'
import type { ColumnSpec, Schema } from '../../../models/index.js'
import { parseCsv } from '../input/csv.js'
import { enforceSchema } from '../input/enforce.js'
import { parseScoringJson, type Payload } from '../input/payload.js'
import { mlflowPredictionsJson } from '../protocols/output-format.js'
import type { ModelInput, Prediction } from '../types.js'
import { isPredictionLine, loggedColumns } from './logged-columns.js'
import { predictionLine, type LoggedBody, type PredictionRecord } from './prediction-log.js'

const named = (...names: string[]): Schema => ({
  kind: 'columns',
  columns: names.map((name): ColumnSpec => ({ kind: 'column', name, type: 'double', required: true })),
})
const unnamed = (n: number): Schema => ({
  kind: 'columns',
  columns: Array.from({ length: n }, (): ColumnSpec => ({ kind: 'column', type: 'double', required: true })),
})

/** A prediction of `rows` rows: a label and a [rows, 2] probability output (or only the label). */
function prediction(rows: number, orient: Prediction['orient'], labelOnly = false): Prediction {
  const label = {
    name: 'label',
    dtype: 'int64' as const,
    shape: [rows],
    data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i % 2)),
  }
  const probabilities = {
    name: 'probabilities',
    dtype: 'float32' as const,
    shape: [rows, 2],
    data: Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? 0.25 : 0.75)),
  }
  return { rows, orient, outputs: labelOnly ? [label] : [label, probabilities] }
}

function record(input: ModelInput, p: Prediction, body?: LoggedBody, answer?: string): PredictionRecord {
  return {
    ts: Date.UTC(2024, 4, 2, 14, 3, 11, 512),
    requestId: 'r-1',
    origin: { uri: 'models:/m@champion', name: 'm', version: '3', location: '/m' },
    role: 'primary',
    protocol: 'mlflow',
    latencyMs: 0.4123,
    input,
    prediction: p,
    ...(body ? { body } : {}),
    ...(answer !== undefined ? { answer } : {}),
  }
}

const line = (r: PredictionRecord): Record<string, unknown> =>
  JSON.parse(predictionLine(r)) as Record<string, unknown>

/**
 * The same request logged as sent (body and answer) and as checked values: both lines must read
 * back to the same columns.
 */
function bothWays(text: string, schema: Schema, p: Prediction, csv = false) {
  const payload: Payload = csv
    ? { kind: 'table', table: parseCsv(text) }
    : parseScoringJson(JSON.parse(text)).payload
  const { input } = enforceSchema(payload, schema)
  const body: LoggedBody = csv ? { kind: 'csv', text } : { kind: 'json', bytes: Buffer.from(text) }
  const asSent = line(record(input, p, body, mlflowPredictionsJson(p)))
  const asValues = line(record(input, p))
  return { asSent, asValues, read: loggedColumns(asSent), expected: loggedColumns(asValues) }
}

describe('prediction-log lines logged as sent', () => {
  it('hold the body and the answer as sent, with the checked column and output names', () => {
    const text = '{"dataframe_split": {"columns": ["b", "a", "extra"], "data": [[1, 2, "x"]]}}'
    const { asSent, asValues } = bothWays(text, named('a', 'b'), prediction(1, 'records'))
    expect(asSent).toEqual({
      ts: '2024-05-02T14:03:11.512Z',
      request_id: 'r-1',
      model: 'm',
      model_uri: 'models:/m@champion',
      model_version: '3',
      role: 'primary',
      protocol: 'mlflow',
      latency_ms: 0.412,
      rows: 1,
      columns: ['a', 'b'],
      request: JSON.parse(text) as unknown,
      output_names: ['label', 'probabilities'],
      answer: { predictions: [{ label: 0, probabilities: [0.25, 0.75] }] },
    })
    expect(asValues).toMatchObject({
      inputs: { a: [2], b: [1] },
      outputs: { label: [0], probabilities: [[0.25, 0.75]] },
    })
    expect(isPredictionLine(asSent)).toBe(true)
    expect(isPredictionLine(asValues)).toBe(true)
  })

  const cases: [string, string, Schema, Prediction, boolean?][] = [
    [
      'dataframe_split, extra columns dropped',
      '{"dataframe_split": {"columns": ["b", "a", "extra"], "data": [[1, 2, "x"], [3, 4, "y"]]}}',
      named('a', 'b'),
      prediction(2, 'records'),
    ],
    [
      'dataframe_records',
      '{"dataframe_records": [{"a": 1, "b": 2}, {"b": 4, "a": 3, "c": 0}]}',
      named('a', 'b'),
      prediction(2, 'records'),
    ],
    ['instances as records', '{"instances": [{"a": 1, "b": 2}]}', named('a', 'b'), prediction(1, 'records')],
    [
      'inputs as columns, answered as tensors',
      '{"inputs": {"a": [1, 2, 3], "b": [4, 5, 6]}}',
      named('a', 'b'),
      prediction(3, 'tensors'),
    ],
    [
      'dataframe_split without columns, for a signature without names',
      '{"dataframe_split": {"data": [[1, 2], [3, 4]]}}',
      unnamed(2),
      prediction(2, 'records'),
    ],
    [
      'a list of rows, for a signature without names',
      '{"instances": [[1, 2], [3, 4]]}',
      unnamed(2),
      prediction(2, 'records'),
    ],
    ['one output', '{"inputs": {"a": [1, 2], "b": [3, 4]}}', named('a', 'b'), prediction(2, 'tensors', true)],
    ['CSV', 'b,a,extra\n1,2,x\n3.5,-4e-3,y\n', named('a', 'b'), prediction(2, 'records'), true],
  ]
  it.each(cases)('read back as the checked values would: %s', (_, text, schema, p, csv) => {
    const { read, expected } = bothWays(text, schema, p, csv)
    expect(expected.inputs).not.toBeNull()
    expect(read).toEqual(expected)
  })

  it('keep CSV text columns as text', () => {
    const text = 'a,b\n1,x\n2,\n'
    const input: ModelInput = {
      kind: 'columns',
      rows: 2,
      columns: { a: Float64Array.of(1, 2), b: ['x', null] },
    }
    const r = line(record(input, prediction(2, 'records'), { kind: 'csv', text }))
    expect(loggedColumns(r).inputs).toEqual({ a: [1, 2], b: ['x', null] })
  })

  it('read as missing what cannot be read, never throwing', () => {
    const base = { ts: '2024-01-01T00:00:00.000Z', request_id: 'x', rows: 1 }
    expect(loggedColumns({ ...base, columns: ['a'], request: { nothing: 1 } })).toEqual({
      inputs: null,
      outputs: null,
    })
    expect(loggedColumns({ ...base, inputs: { a: [1] }, output_names: ['y'], answer: 'oops' })).toEqual({
      inputs: { a: [1] },
      outputs: null,
    })
    expect(isPredictionLine({ ...base, columns: 'a' })).toBe(false)
  })
})
