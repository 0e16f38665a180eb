/**
 * JSON read and written the way Python's `json` module does it, for values MLflow stores as JSON
 * text written by its server (the `mlflow.log-model.history` tag): `json.dumps` spacing
 * (`", "`, `": "`), non-ASCII escaped (`ensure_ascii`), floats in Python's `repr` (`3.0`,
 * `1e+308`), integers kept exactly, and the `NaN` / `Infinity` tokens Python accepts.
 *
 * Numbers are kept with their kind so a value read and written again is byte-identical to what
 * MLflow's server would write; JSON.parse would turn `3.0` into `3`.
 */

export type PyValue = null | boolean | string | { int: bigint } | { float: number } | PyValue[] | PyObject

/** A dict: insertion-ordered, as Python's. */
export class PyObject {
  readonly entries = new Map<string, PyValue>()
}

export class PyJsonError extends Error {}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y
const WS = /[ \t\n\r]*/y

/** Parses JSON text as Python's `json.loads` does (including NaN, Infinity, -Infinity). */
export function parsePyJson(text: string): PyValue {
  let i = 0
  const fail: (what: string) => never = (what) => {
    throw new PyJsonError(`${what} at position ${i}`)
  }
  const ws = (): void => {
    WS.lastIndex = i
    WS.exec(text)
    i = WS.lastIndex
  }
  const literal = (word: string): boolean => {
    if (!text.startsWith(word, i)) return false
    i += word.length
    return true
  }
  const str = (): string => {
    i++ // opening quote
    let out = ''
    for (;;) {
      const c = text[i]
      if (c === undefined) fail('Unterminated string')
      if (c === '"') {
        i++
        return out
      }
      if (c === '\\') {
        const e = text[i + 1]
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        }
        if (e !== undefined && e in simple) {
          out += simple[e]
          i += 2
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16))
          i += 6
        } else fail('Invalid \\escape')
      } else {
        if (c < ' ') fail('Invalid control character')
        out += c
        i++
      }
    }
  }
  const value = (): PyValue => {
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      const obj = new PyObject()
      ws()
      if (text[i] === '}') {
        i++
        return obj
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail('Expecting property name enclosed in double quotes')
        const key = str()
        ws()
        if (text[i] !== ':') fail("Expecting ':' delimiter")
        i++
        obj.entries.set(key, value())
        ws()
        if (text[i] === ',') i++
        else if (text[i] === '}') {
          i++
          return obj
        } else fail("Expecting ',' delimiter")
      }
    }
    if (c === '[') {
      i++
      const list: PyValue[] = []
      ws()
      if (text[i] === ']') {
        i++
        return list
      }
      for (;;) {
        list.push(value())
        ws()
        if (text[i] === ',') i++
        else if (text[i] === ']') {
          i++
          return list
        } else fail("Expecting ',' delimiter")
      }
    }
    if (c === '"') return str()
    if (literal('null')) return null
    if (literal('true')) return true
    if (literal('false')) return false
    if (literal('NaN')) return { float: Number.NaN }
    if (literal('Infinity')) return { float: Number.POSITIVE_INFINITY }
    if (literal('-Infinity')) return { float: Number.NEGATIVE_INFINITY }
    NUMBER.lastIndex = i
    const m = NUMBER.exec(text)
    if (!m) return fail('Expecting value')
    i = NUMBER.lastIndex
    return m[1] === undefined && m[2] === undefined ? { int: BigInt(m[0]) } : { float: Number(m[0]) }
  }
  const out = value()
  ws()
  if (i !== text.length) fail('Extra data')
  return out
}

/** Python's `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Number.POSITIVE_INFINITY) return 'Infinity'
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const [mantissa, exp] = Math.abs(x).toExponential().split('e') as [string, string]
  const digits = mantissa.replace('.', '')
  const decpt = Number(exp) + 1
  const sign = x < 0 ? '-' : ''
  if (decpt > 16 || decpt < -3) {
    const e = decpt - 1
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`
}

function pyString(s: string): string {
  let out = '"'
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k)
    if (c === 0x22) out += '\\"'
    else if (c === 0x5c) out += '\\\\'
    else if (c === 0x0a) out += '\\n'
    else if (c === 0x0d) out += '\\r'
    else if (c === 0x09) out += '\\t'
    else if (c === 0x08) out += '\\b'
    else if (c === 0x0c) out += '\\f'
    else if (c < 0x20 || c > 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`
    else out += s[k]
  }
  return out + '"'
}

/** `json.dumps(value)` with Python's defaults. */
export function dumpPyJson(v: PyValue): string {
  if (v === null) return 'null'
  if (v === true) return 'true'
  if (v === false) return 'false'
  if (typeof v === 'string') return pyString(v)
  if (Array.isArray(v)) return `[${v.map(dumpPyJson).join(', ')}]`
  if (v instanceof PyObject) {
    return `{${[...v.entries].map(([k, x]) => `${pyString(k)}: ${dumpPyJson(x)}`).join(', ')}}`
  }
  if ('int' in v) return v.int.toString()
  return pyFloatRepr(v.float)
}
