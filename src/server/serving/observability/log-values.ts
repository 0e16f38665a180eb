/**
 * Checked inputs and model outputs as the prediction log's `inputs` and `outputs` objects (one
 * list per column, one value per row), for requests whose body or answer cannot be logged as
 * sent: OIP, /predict, the in-process API, shadows, bodies with bare NaN tokens. Numbers are
 * JSON numbers (int64 as numbers, NaN as null), bytes base64, dates ISO 8601.
 */
// The narrow module, not models/index.js.
import { tensorToNested } from '../../../models/input-example.js'
import { rowValue } from '../protocols/output-format.js'
import type { ModelInput, OutputTensor } from '../types.js'

/** JSON.stringify's replacer: bigints as numbers, bytes as base64, at any depth (dates, NaN: its own). */
function plain(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v
}

const num = (x: number): string => (x - x === 0 ? String(x) : 'null')

/** `data[from]` … `data[to - 1]` of a numeric typed array as a JSON list. */
function numberList(data: ArrayLike<number | bigint>, from: number, to: number): string {
  let s = '['
  for (let i = from; i < to; i++) {
    const v = data[i]!
    s += (i === from ? '' : ',') + (typeof v === 'number' ? num(v) : String(Number(v)))
  }
  return s + ']'
}

/** One column or output as JSON text. Typed arrays are numbers (NaN → null). */
function columnJson(values: ArrayLike<unknown>): string {
  if (ArrayBuffer.isView(values)) {
    const data = values as unknown as ArrayLike<number | bigint>
    return numberList(data, 0, data.length)
  }
  return JSON.stringify(values, plain)
}

export function inputsJson(input: ModelInput): string {
  let s = '{'
  if (input.kind === 'columns') {
    for (const [k, v] of Object.entries(input.columns))
      s += `${s.length > 1 ? ',' : ''}${JSON.stringify(k)}:${columnJson(v)}`
  } else {
    for (const [k, t] of Object.entries(input.tensors)) {
      s += `${s.length > 1 ? ',' : ''}${JSON.stringify(k)}:${JSON.stringify(tensorToNested(t))}`
    }
  }
  return s + '}'
}

/** Each output as one value per row (a list per row for [rows, k] outputs). */
function outputJson(o: OutputTensor, rows: number): string {
  if (o.shape[0] !== rows || (o.shape.length === 1 && o.dtype !== 'bool')) return columnJson(o.data)
  if (o.shape.length === 2 && ArrayBuffer.isView(o.data) && o.dtype !== 'bool') {
    const k = o.shape[1]!
    const data = o.data as ArrayLike<number | bigint>
    let s = '['
    for (let r = 0; r < rows; r++) s += (r === 0 ? '' : ',') + numberList(data, r * k, (r + 1) * k)
    return s + ']'
  }
  return JSON.stringify(
    Array.from({ length: rows }, (_, r) => rowValue(o, r)),
    plain,
  )
}

export function outputsJson(outputs: readonly OutputTensor[], rows: number): string {
  let s = '{'
  outputs.forEach((out, i) => {
    s += `${i > 0 ? ',' : ''}${JSON.stringify(out.name)}:${outputJson(out, rows)}`
  })
  return s + '}'
}
