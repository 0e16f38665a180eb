/**
 * Log lines written straight into one preallocated buffer per batch: strings are encoded into it
 * and request bodies copied as bytes, so a batch costs no intermediate strings and one file write.
 */
const MIN_CHUNK = 64 * 1024

export class LineBuffer {
  private buf: Buffer = Buffer.allocUnsafe(MIN_CHUNK)
  private at = 0
  /** Complete lines in the buffer. */
  lines = 0
  private lineStart = 0
  private readonly spare: Buffer[] = []

  /** Room for `bytes` more bytes, keeping what is written (a line may be half written). */
  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(MIN_CHUNK, 2 * this.buf.length, this.at + bytes))
    this.buf.copy(next, 0, 0, this.at)
    this.buf = next
  }

  /** Appends `s` as UTF-8. */
  str(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.reserve(s.length * 3)
    this.at += this.buf.write(s, this.at, 'utf8')
  }

  /** Appends `b` with its CR and LF bytes made spaces (JSON text: only whitespace can hold them). */
  bytes(b: Buffer): void {
    this.reserve(b.length)
    this.buf.set(b, this.at)
    if (b.indexOf(10) !== -1 || b.indexOf(13) !== -1) {
      for (let i = this.at, end = this.at + b.length; i < end; i++) {
        const c = this.buf[i]
        if (c === 10 || c === 13) this.buf[i] = 32
      }
    }
    this.at += b.length
  }

  /** Ends the line being written. */
  endLine(): void {
    this.reserve(1)
    this.buf[this.at++] = 10
    this.lines++
    this.lineStart = this.at
  }

  /** Drops the line being written (it failed half way). */
  abandonLine(): void {
    this.at = this.lineStart
  }

  get size(): number {
    return this.lineStart
  }

  /**
   * The complete lines written so far, handed over (give the bytes back with `recycle` once
   * written); the buffer starts again empty.
   */
  take(): { bytes: Buffer; lines: number } {
    const full = this.buf
    const out = { bytes: full.subarray(0, this.lineStart), lines: this.lines }
    const rest = this.at - this.lineStart
    // A spare no smaller than this one, so that a steady load settles on a few buffers reused.
    const next = this.spare.pop() ?? Buffer.allocUnsafe(Math.max(full.length, rest))
    full.copy(next, 0, this.lineStart, this.at)
    this.buf = next
    this.at = rest
    this.lineStart = 0
    this.lines = 0
    return out
  }

  /** Takes back bytes handed over by `take` once they are written. */
  recycle(bytes: Buffer): void {
    // Chunks are never pool slices (MIN_CHUNK is above Buffer.poolSize): the whole ArrayBuffer is ours.
    const full = Buffer.from(bytes.buffer)
    if (this.spare.length < 2 && full.length >= this.buf.length) this.spare.push(full)
  }

  /** The text of the complete lines (tests, one-off lines). */
  toString(): string {
    return this.buf.toString('utf8', 0, this.lineStart)
  }
}
