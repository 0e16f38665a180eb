/** A categorical sample as category → count, the form every categorical drift test reads. */
import type { CategoricalColumn } from '../table/table.js'

export interface CategoryCounts {
  readonly categories: readonly string[]
  readonly counts: Float64Array
  /** Σ counts: the number of non-missing values. */
  readonly total: number
}

export function categoryCounts(column: CategoricalColumn): CategoryCounts {
  const byCode = new Float64Array(column.dictionary.length)
  let total = 0
  const codes = column.codes
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!
    if (c >= 0) {
      byCode[c]!++
      total++
    }
  }
  const categories: string[] = []
  const counts: number[] = []
  for (let k = 0; k < byCode.length; k++) {
    if (byCode[k]! > 0) {
      categories.push(column.dictionary[k]!)
      counts.push(byCode[k]!)
    }
  }
  return { categories, counts: Float64Array.from(counts), total }
}

export function categoryCountsFrom(entries: Iterable<readonly [string, number]>): CategoryCounts {
  const map = new Map<string, number>()
  for (const [k, v] of entries) if (v > 0) map.set(k, (map.get(k) ?? 0) + v)
  const categories = [...map.keys()]
  const counts = Float64Array.from(categories, (k) => map.get(k)!)
  return { categories, counts, total: counts.reduce((a, b) => a + b, 0) }
}

/** Orders strings by Unicode code point, as Python's sorted() does (JS's default sorts UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]()
  const ib = b[Symbol.iterator]()
  for (;;) {
    const x = ia.next()
    const y = ib.next()
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1
    const cx = x.value.codePointAt(0)!
    const cy = y.value.codePointAt(0)!
    if (cx !== cy) return cx - cy
  }
}
