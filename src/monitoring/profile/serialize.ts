/** Reading a stored profile back: the format and version are checked, the shape validated. */
import { invalidParameter } from '../../protocol/errors.js'
import { categoryCountsFrom } from '../stats/category-counts.js'
import type { ValueCounts } from '../stats/value-counts.js'
import type { ColumnSample, PreparedReference } from '../drift/sample.js'
import { PROFILE_FORMAT, PROFILE_VERSION, type ColumnProfile, type Profile } from './types.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number')

function checkColumn(c: unknown, i: number, source: string): asserts c is ColumnProfile {
  const where = `${source}: columns[${i}]`
  if (!isObject(c) || typeof c.name !== 'string') throw invalidParameter(`${where} has no name`)
  if (c.type !== 'numerical' && c.type !== 'categorical')
    throw invalidParameter(`${where} ('${c.name}') has an unknown type`)
  for (const k of ['count', 'missing', 'distinct']) {
    if (typeof c[k] !== 'number') throw invalidParameter(`${where} ('${c.name}') lacks '${k}'`)
  }
  const d = c.drift
  if (!isObject(d) || !isNumbers(d.counts) || typeof d.rows !== 'number') {
    throw invalidParameter(`${where} ('${c.name}') has no drift sample`)
  }
  const labels = d.kind === 'numerical' ? d.values : d.categories
  if (!Array.isArray(labels) || labels.length !== d.counts.length) {
    throw invalidParameter(`${where} ('${c.name}') has a malformed drift sample`)
  }
  if (d.kind === 'numerical' && !isNumbers(d.values))
    throw invalidParameter(`${where} ('${c.name}') has non-numeric drift values`)
}

/** Parses and checks a profile document (JSON text or a parsed value). */
export function parseProfile(input: unknown, source = 'profile'): Profile {
  let doc: unknown = input
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input)
    } catch (err) {
      throw invalidParameter(`${source}: not valid JSON (${(err as Error).message})`)
    }
  }
  if (!isObject(doc) || doc.format !== PROFILE_FORMAT)
    throw invalidParameter(`${source}: not a Cairn profile (format '${PROFILE_FORMAT}')`)
  if (doc.version !== PROFILE_VERSION) {
    throw invalidParameter(
      `${source}: profile version ${String(doc.version)} is not supported (this Cairn reads version ${PROFILE_VERSION})`,
    )
  }
  if (typeof doc.rowCount !== 'number' || !Array.isArray(doc.columns))
    throw invalidParameter(`${source}: missing rowCount or columns`)
  doc.columns.forEach((c, i) => checkColumn(c, i, source))
  return doc as unknown as Profile
}

export function serializeProfile(p: Profile): string {
  return JSON.stringify(p, null, 1) + '\n'
}

/** The drift reference a profile carries: one sample per column, ready for datasetDrift. */
export function referenceFromProfile(p: Profile): PreparedReference {
  const columns = new Map<string, ColumnSample>()
  for (const c of p.columns) {
    const d = c.drift
    if (d.kind === 'numerical') {
      const values: ValueCounts = {
        values: Float64Array.from(d.values),
        counts: Float64Array.from(d.counts),
        total: d.counts.reduce((a, b) => a + b, 0),
      }
      columns.set(c.name, { type: 'numerical', rows: d.rows, values })
    } else {
      columns.set(c.name, {
        type: 'categorical',
        rows: d.rows,
        counts: categoryCountsFrom(d.categories.map((k, i) => [k, d.counts[i]!] as const)),
      })
    }
  }
  return { kind: 'prepared-reference', rowCount: p.rowCount, columns }
}
