/**
 * Writing predictions: MLflow's `{"predictions": …}` (with Python's `json.dumps` spacing and
 * float spelling, as MLflow's scoring server writes it) and the Open Inference Protocol's output
 * tensors. Non-finite numbers are written as null: bare NaN tokens (MLflow's) are not JSON.
 */
import type { OutputTensor, Prediction } from '../types.js'

/** A float as Python's `repr` spells it (`1.0`, `1e-05`, `1.5e+16`). */
export function pyFloat(x: number): string {
  const a = x < 0 ? -x : x
  if (a >= 1e-4 && a < 1e16) return Number.isInteger(x) ? x.toFixed(1) : String(x)
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  if (!Number.isFinite(x)) return 'null'
  const [mantissa, exp] = x.toExponential().split('e') as [string, string]
  const sign = exp.startsWith('-') ? '-' : '+'
  const digits = exp.replace(/^[-+]/, '')
  return `${mantissa}e${sign}${digits.length < 2 ? `0${digits}` : digits}`
}

/** Any JSON value with Python's separators. */
export function pyJson(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null'
    case 'bigint':
      return v.toString()
    case 'boolean':
      return v ? 'true' : 'false'
    case 'string':
      return JSON.stringify(v)
    case 'object':
      if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`
      if (v instanceof Date) return JSON.stringify(v.toISOString())
      if (ArrayBuffer.isView(v)) return pyJson(Array.from(v as unknown as ArrayLike<unknown>))
      return `{${Object.entries(v)
        .map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`)
        .join(', ')}}`
    default:
      return 'null'
  }
}

function scalarWriter(dtype: OutputTensor['dtype']): (x: unknown) => string {
  switch (dtype) {
    case 'float16':
    case 'float32':
    case 'float64':
      return (x) => (typeof x === 'number' ? pyFloat(x) : pyJson(x))
    case 'bool':
      return (x) => (x ? 'true' : 'false')
    case 'object':
      return pyJson
    default:
      return (x) => (typeof x === 'number' || typeof x === 'bigint' ? String(x) : pyJson(x))
  }
}

/** `count` values from `offset` as nested lists following `dims`. */
function nested(
  o: OutputTensor,
  dims: readonly number[],
  offset: number,
  write: (x: unknown) => string,
): string {
  const data = o.data as ArrayLike<unknown>
  if (dims.length <= 1) {
    const n = dims[0] ?? 1
    let s = '['
    for (let i = 0; i < n; i++) s += (i === 0 ? '' : ', ') + write(data[offset + i])
    return s + ']'
  }
  const stride = dims.slice(1).reduce((a, b) => a * b, 1)
  const parts: string[] = []
  for (let i = 0; i < dims[0]!; i++) parts.push(nested(o, dims.slice(1), offset + i * stride, write))
  return `[${parts.join(', ')}]`
}

/** Row `r` of an output: a scalar for [rows] outputs, nested lists otherwise. */
function rowJson(o: OutputTensor, r: number, write: (x: unknown) => string): string {
  const inner = o.shape.slice(1)
  if (inner.length === 0) return write((o.data as ArrayLike<unknown>)[r])
  const stride = inner.reduce((a, b) => a * b, 1)
  return nested(o, inner, r * stride, write)
}

function tensorJson(o: OutputTensor): string {
  const write = scalarWriter(o.dtype)
  return nested(o, o.shape.length === 0 ? [o.data.length] : o.shape, 0, write)
}

/** Writes row `r` of one output: a scalar, or a flat list for [rows, k] outputs (the common cases). */
function rowWriter(o: OutputTensor): (r: number) => string {
  const write = scalarWriter(o.dtype)
  const data = o.data as ArrayLike<unknown>
  const inner = o.shape.slice(1)
  if (inner.length === 0) return (r) => write(data[r])
  if (inner.length === 1) {
    const k = inner[0]!
    return (r) => {
      let s = '['
      for (let i = 0, at = r * k; i < k; i++, at++) s += (i === 0 ? '' : ', ') + write(data[at])
      return s + ']'
    }
  }
  return (r) => rowJson(o, r, write)
}

/** The body of a successful `/invocations` answer. */
export function mlflowPredictionsJson(p: Prediction): string {
  if (p.outputs.length === 1) return `{"predictions": ${tensorJson(p.outputs[0]!)}}`
  if (p.orient === 'tensors') {
    return `{"predictions": {${p.outputs.map((o) => `${JSON.stringify(o.name)}: ${tensorJson(o)}`).join(', ')}}}`
  }
  const keys = p.outputs.map((o, i) => `${i === 0 ? '{' : ', '}${JSON.stringify(o.name)}: `)
  const writers = p.outputs.map(rowWriter)
  const n = writers.length
  let s = '{"predictions": ['
  for (let r = 0; r < p.rows; r++) {
    if (r > 0) s += ', '
    for (let i = 0; i < n; i++) s += keys[i]! + writers[i]!(r)
    s += '}'
  }
  return s + ']}'
}

/** An output's values as a flat JSON list (OIP `data`). */
export function flatJsonValues(o: OutputTensor): unknown[] {
  const data = o.data as ArrayLike<unknown>
  const out = new Array<unknown>(data.length)
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    out[i] =
      typeof v === 'bigint'
        ? Number(v)
        : o.dtype === 'bool'
          ? Boolean(v)
          : o.dtype === 'object' && typeof v !== 'string'
            ? JSON.stringify(v)
            : v
  }
  return out
}

/** Row `r` of an output as a JSON value (scalar or nested list), for /predict and logs. */
export function rowValue(o: OutputTensor, r: number): unknown {
  const data = o.data as ArrayLike<unknown>
  const plain = (v: unknown): unknown =>
    typeof v === 'bigint' ? Number(v) : o.dtype === 'bool' ? Boolean(v) : v
  const inner = o.shape.slice(1)
  if (inner.length === 0) return plain(data[r])
  const stride = inner.reduce((a, b) => a * b, 1)
  if (inner.length === 1) return Array.from({ length: stride }, (_, i) => plain(data[r * stride + i]))
  return JSON.parse(rowJson(o, r, scalarWriter(o.dtype))) as unknown
}
