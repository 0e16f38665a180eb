/**
 * A fast reader for the commonest scoring body, `{"dataframe_split": {"columns": [...], "data":
 * [[numbers], ...]}}`, straight from the request bytes into one row-major Float64Array:
 * JSON.parse spends most of a 100-row request's parse time building the row arrays and number
 * objects the signature then copies out again. Anything else (other keys, escapes or non-ASCII
 * bytes, a value that is not a number, uneven rows, no rows) returns null and the body goes
 * through JSON.parse and parseScoringJson, which also word the errors. Numbers are read as
 * JSON.parse reads them: exactly when Clinger's fast path applies, else with Number().
 */
import type { ScoringRequest, Table } from './payload.js'

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i)

/**
 * Numbers are read into this array (reading is synchronous, so requests cannot interleave here),
 * grown as needed up to SCRATCH_MAX values, then copied out at their exact length.
 */
let scratch = new Float64Array(4096)
const SCRATCH_MAX = 1 << 16

const QUOTE = 0x22
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_LIST = 0x5b
const CLOSE_LIST = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d

class Scanner {
  at = 0
  constructor(readonly b: Uint8Array) {}

  /** Skips JSON whitespace; the next byte (-1 at the end). */
  peek(): number {
    const b = this.b
    let i = this.at
    while (i < b.length) {
      const c = b[i]!
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break
      i++
    }
    this.at = i
    return i < b.length ? b[i]! : -1
  }

  eat(c: number): boolean {
    if (this.peek() !== c) return false
    this.at++
    return true
  }

  /** A string of printable ASCII without escapes, else null. */
  string(): string | null {
    if (!this.eat(QUOTE)) return null
    const b = this.b
    const start = this.at
    let i = start
    for (; i < b.length; i++) {
      const c = b[i]!
      if (c === QUOTE) break
      if (c < 0x20 || c > 0x7e || c === 0x5c) return null
    }
    if (i >= b.length) return null
    this.at = i + 1
    let s = ''
    for (let k = start; k < i; k++) s += String.fromCharCode(b[k]!)
    return s
  }

  /** A JSON number, else NaN (never a value JSON.parse gives for a number). */
  number(): number {
    this.peek()
    const b = this.b
    const start = this.at
    let i = start
    const neg = b[i] === 0x2d
    if (neg) i++
    let m = 0
    let digits = 0
    const intStart = i
    while (i < b.length && b[i]! >= 0x30 && b[i]! <= 0x39) {
      m = m * 10 + (b[i]! - 0x30)
      i++
    }
    const intDigits = i - intStart
    if (intDigits === 0 || (intDigits > 1 && b[intStart] === 0x30)) return NaN
    digits = intDigits
    let e10 = 0
    if (b[i] === 0x2e) {
      i++
      const fracStart = i
      while (i < b.length && b[i]! >= 0x30 && b[i]! <= 0x39) {
        m = m * 10 + (b[i]! - 0x30)
        i++
      }
      if (i === fracStart) return NaN
      e10 = fracStart - i
      digits += i - fracStart
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++
      const expNeg = b[i] === 0x2d
      if (expNeg || b[i] === 0x2b) i++
      const expStart = i
      let exp = 0
      while (i < b.length && b[i]! >= 0x30 && b[i]! <= 0x39) {
        if (exp < 100_000) exp = exp * 10 + (b[i]! - 0x30)
        i++
      }
      if (i === expStart) return NaN
      e10 += expNeg ? -exp : exp
    }
    this.at = i
    let v: number
    // Clinger: with at most 15 digits the mantissa is exact, and one multiplication or division
    // by an exact power of ten rounds correctly.
    if (digits <= 15 && e10 >= -22 && e10 <= 22) v = e10 >= 0 ? m * POW10[e10]! : m / POW10[-e10]!
    else {
      let s = ''
      for (let k = neg ? start + 1 : start; k < i; k++) s += String.fromCharCode(b[k]!)
      v = Number(s)
    }
    return neg ? -v : v
  }
}

/** Rows of numbers, each `width` long (width -1: the first row's); null when not that. */
function numberRows(s: Scanner, width: number): { matrix: Float64Array; rows: number; width: number } | null {
  if (!s.eat(OPEN_LIST)) return null
  const b = s.b
  const end = b.length
  if (s.peek() !== OPEN_LIST) return null
  let i = s.at
  let m = scratch
  let cap = m.length
  let n = 0
  let rows = 0
  for (;;) {
    // At a row's '['.
    i++
    const rowStart = n
    for (;;) {
      let c = i < end ? b[i]! : -1
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = ++i < end ? b[i]! : -1
      const neg = c === 0x2d
      const numStart = i
      if (neg) c = ++i < end ? b[i]! : -1
      // The integer part: '0' or a digit 1-9 then digits.
      if (c < 0x30 || c > 0x39) return null
      let v = c - 0x30
      let digits = 1
      c = ++i < end ? b[i]! : -1
      if (v === 0) {
        if (c >= 0x30 && c <= 0x39) return null
      } else {
        while (c >= 0x30 && c <= 0x39) {
          v = v * 10 + (c - 0x30)
          digits++
          c = ++i < end ? b[i]! : -1
        }
      }
      let e10 = 0
      if (c === 0x2e) {
        c = ++i < end ? b[i]! : -1
        if (c < 0x30 || c > 0x39) return null
        while (c >= 0x30 && c <= 0x39) {
          v = v * 10 + (c - 0x30)
          digits++
          e10--
          c = ++i < end ? b[i]! : -1
        }
      }
      if (c === 0x65 || c === 0x45) {
        // Exponents are rare: the general reader.
        s.at = numStart
        v = s.number()
        if (v !== v) return null
        i = s.at
        c = i < end ? b[i]! : -1
      } else if (digits <= 15 && e10 >= -22) {
        // Clinger: the mantissa is exact, and one division by an exact power of ten rounds correctly.
        if (e10 !== 0) v /= POW10[-e10]!
        if (neg) v = -v
      } else {
        let text = ''
        for (let k = numStart; k < i; k++) text += String.fromCharCode(b[k]!)
        v = Number(text)
      }
      if (n === cap) {
        cap *= 2
        const grown = new Float64Array(cap)
        grown.set(m)
        m = grown
        if (cap <= SCRATCH_MAX) scratch = grown
      }
      m[n++] = v
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = ++i < end ? b[i]! : -1
      i++
      if (c === COMMA) continue
      if (c === CLOSE_LIST) break
      return null
    }
    const w = n - rowStart
    if (width === -1) width = w
    if (w !== width) return null
    rows++
    s.at = i
    const c = s.peek()
    i = s.at + 1
    if (c === COMMA) {
      s.at = i
      if (s.peek() !== OPEN_LIST) return null
      i = s.at
      continue
    }
    if (c === CLOSE_LIST) break
    return null
  }
  s.at = i
  // A copy of exactly the values: small ones live on the JS heap, which costs less to allocate.
  return { matrix: m.slice(0, n), rows, width }
}

function stringList(s: Scanner): string[] | null {
  if (!s.eat(OPEN_LIST)) return null
  const out: string[] = []
  if (s.eat(CLOSE_LIST)) return out
  for (;;) {
    const v = s.string()
    if (v === null) return null
    out.push(v)
    if (s.eat(COMMA)) continue
    if (s.eat(CLOSE_LIST)) return out
    return null
  }
}

/** A table whose values are all in `matrix` (row-major); rows and columns as arrays only on demand. */
class MatrixTable implements Table {
  private rowArrays: number[][] | undefined
  private columnArrays: number[][] | undefined
  constructor(
    readonly names: string[],
    readonly matrix: Float64Array,
    readonly rows: number,
  ) {}

  get data(): number[][] {
    const width = this.names.length
    return (this.rowArrays ??= Array.from({ length: this.rows }, (_, r) =>
      Array.from(this.matrix.subarray(r * width, (r + 1) * width)),
    ))
  }

  get columns(): number[][] {
    const width = this.names.length
    return (this.columnArrays ??= this.names.map((_, c) =>
      Array.from({ length: this.rows }, (_, r) => this.matrix[r * width + c]!),
    ))
  }
}

export function matrixTable(names: string[], matrix: Float64Array, rows: number): Table {
  return new MatrixTable(names, matrix, rows)
}

/** `{"dataframe_split": {"columns": [...], "data": [[numbers]...]}}` read from bytes, else null. */
export function scanDataframeSplit(bytes: Uint8Array): ScoringRequest | null {
  const s = new Scanner(bytes)
  if (!s.eat(OPEN_OBJECT) || s.string() !== 'dataframe_split' || !s.eat(COLON) || !s.eat(OPEN_OBJECT))
    return null
  let names: string[] | null = null
  let body: ReturnType<typeof numberRows> = null
  for (;;) {
    const key = s.string()
    if (key === null || !s.eat(COLON)) return null
    if (key === 'columns' && names === null) names = stringList(s)
    else if (key === 'data' && body === null) body = numberRows(s, names ? names.length : -1)
    else return null
    if (key === 'columns' ? names === null : body === null) return null
    if (s.eat(COMMA)) continue
    if (s.eat(CLOSE_OBJECT)) break
    return null
  }
  if (!s.eat(CLOSE_OBJECT) || s.peek() !== -1) return null
  if (names === null || body === null || body.width !== names.length) return null
  return { payload: { kind: 'table', table: matrixTable(names, body.matrix, body.rows) }, params: undefined }
}
