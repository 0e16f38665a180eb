/**
 * Sorting of float columns for KS and Wasserstein. TypedArray#sort costs ~120 ms per million
 * values here; an LSD radix sort on the IEEE-754 bits (four 16-bit digits, skipping digits that
 * are the same in every value, as in integer-valued columns) does it in a fraction of that.
 */

const RADIX_MIN = 4096
const DIGITS = 4
const BITS = 16
const BUCKETS = 1 << BITS
const MASK = BUCKETS - 1

/** Copies the non-NaN values of `values` into a new array, sorted ascending. */
export function sortedFinite(values: Float64Array): Float64Array {
  let n = 0
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++
  const out = new Float64Array(n)
  if (n === values.length) out.set(values)
  else {
    let j = 0
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!
      if (v === v) out[j++] = v
    }
  }
  return sortInPlace(out)
}

/** Sorts a NaN-free Float64Array ascending in place and returns it. */
export function sortInPlace(a: Float64Array): Float64Array {
  if (a.length < RADIX_MIN) return a.sort()
  radixSort(a)
  return a
}

function radixSort(a: Float64Array): void {
  const n = a.length
  const u = new Uint32Array(a.buffer, a.byteOffset, n * 2)
  // Map each double to an unsigned key with the same order: flip all bits of negatives, the sign
  // bit of positives. Little-endian: u[2i] is the low word, u[2i + 1] the high word.
  for (let i = 0; i < n; i++) {
    const hi = u[2 * i + 1]!
    if (hi & 0x80000000) {
      u[2 * i + 1] = ~hi >>> 0
      u[2 * i] = ~u[2 * i]! >>> 0
    } else u[2 * i + 1] = (hi | 0x80000000) >>> 0
  }
  const counts = new Int32Array(DIGITS * BUCKETS)
  for (let i = 0; i < n; i++) {
    const lo = u[2 * i]!
    const hi = u[2 * i + 1]!
    counts[lo & MASK]!++
    counts[BUCKETS + (lo >>> 16)]!++
    counts[2 * BUCKETS + (hi & MASK)]!++
    counts[3 * BUCKETS + (hi >>> 16)]!++
  }
  let src: Uint32Array = u
  let dst: Uint32Array = new Uint32Array(n * 2)
  const offsets = new Int32Array(BUCKETS)
  for (let d = 0; d < DIGITS; d++) {
    const base = d * BUCKETS
    const word = d < DIGITS / 2 ? 0 : 1
    const shift = (d % (DIGITS / 2)) * BITS
    const first = digitOf(src[word]!, shift)
    if (counts[base + first] === n) continue
    let sum = 0
    for (let b = 0; b < BUCKETS; b++) {
      offsets[b] = sum
      sum += counts[base + b]!
    }
    for (let i = 0; i < n; i++) {
      const lo = src[2 * i]!
      const hi = src[2 * i + 1]!
      const digit = ((word === 0 ? lo : hi) >>> shift) & MASK
      const j = offsets[digit]!++
      dst[2 * j] = lo
      dst[2 * j + 1] = hi
    }
    const t = src
    src = dst
    dst = t
  }
  if (src !== u) u.set(src)
  for (let i = 0; i < n; i++) {
    const hi = u[2 * i + 1]!
    if (hi & 0x80000000) u[2 * i + 1] = (hi & 0x7fffffff) >>> 0
    else {
      u[2 * i + 1] = ~hi >>> 0
      u[2 * i] = ~u[2 * i]! >>> 0
    }
  }
}

function digitOf(word: number, shift: number): number {
  return (word >>> shift) & MASK
}
