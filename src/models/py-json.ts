/**
 * Plain JS values written as Python's `json.dumps` writes them. MLflow stores signatures as
 * JSON text made by `json.dumps` (`", "` and `": "` separators, non-ASCII escaped), and a
 * Cairn-written MLmodel should be byte-identical to the one MLflow writes for the same schema.
 */
import { dumpPyJson, PyObject, type PyValue } from '../protocol/python-json.js'

/** Numbers: integers as Python ints unless `floats` says the value is a float (`1.0`). */
export function toPyValue(v: unknown, floats = false): PyValue {
  if (v === null || v === undefined) return null
  if (typeof v === 'boolean' || typeof v === 'string') return v
  if (typeof v === 'bigint') return { int: v }
  if (typeof v === 'number') {
    return Number.isInteger(v) && !floats && Math.abs(v) <= Number.MAX_SAFE_INTEGER
      ? { int: BigInt(v) }
      : { float: v }
  }
  if (Array.isArray(v)) return v.map((x) => toPyValue(x, floats))
  if (typeof v === 'object') {
    const out = new PyObject()
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out.entries.set(k, toPyValue(x, floats))
    return out
  }
  // Functions and symbols have no JSON form (json.dumps would refuse them).
  return null
}

export const pyJsonDumps = (v: unknown, floats = false): string => dumpPyJson(toPyValue(v, floats))
