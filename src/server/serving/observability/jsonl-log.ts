/**
 * Append-only JSON Lines files: `write` queues a buffer of complete lines and the buffers are
 * written in order, one file write at a time. Files are rotated before they would pass
 * `maxFileBytes` (`<prefix>-<UTC time>-<n>.jsonl`, so names sort by age; a buffer is split at a
 * line break, and only a single line longer than the limit makes a file longer) and the oldest
 * are deleted while the folder's files of this prefix would exceed `maxTotalBytes`. `flush()` and
 * `close()` resolve once everything queued before them is written.
 */
import { mkdir, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'

export interface JsonlLogOptions {
  dir: string
  /** File name prefix: `predictions`, `feedback`. */
  prefix: string
  maxFileBytes: number
  maxTotalBytes: number
  onError?: (err: unknown) => void
}

const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '')

export class JsonlLog {
  private tail: Promise<void>
  private file: FileHandle | null = null
  private fileName = ''
  private fileBytes = 0
  private seq = 0
  private closed = false

  constructor(private readonly opts: JsonlLogOptions) {
    this.tail = mkdir(opts.dir, { recursive: true })
      .then(() => this.prune())
      .catch((err: unknown) => opts.onError?.(err))
  }

  /**
   * Queues `bytes` (complete lines) for writing; `done` is told whether they reached the file.
   * Never blocks; ignored once closed.
   */
  write(bytes: Buffer, done?: (written: boolean) => void): void {
    if (this.closed) {
      done?.(false)
      return
    }
    this.tail = this.tail
      .then(() => this.writeLines(bytes).then(() => done?.(true)))
      .catch((err: unknown) => {
        this.opts.onError?.(err)
        done?.(false)
      })
  }

  /** Resolves once everything queued so far is written. */
  flush(): Promise<void> {
    return this.tail
  }

  async close(): Promise<void> {
    if (this.closed) return this.tail
    this.closed = true
    this.tail = this.tail.then(async () => {
      await this.file?.close()
      this.file = null
    })
    return this.tail.catch((err: unknown) => this.opts.onError?.(err))
  }

  private async writeLines(bytes: Buffer): Promise<void> {
    let rest = bytes
    while (rest.length > 0) {
      if (this.file === null) await this.rotate()
      const room = this.opts.maxFileBytes - this.fileBytes
      let part = rest
      if (rest.length > room) {
        // The lines that fit go to this file, the others to the next.
        const cut = room > 0 ? rest.lastIndexOf(10, room - 1) : -1
        if (cut !== -1) part = rest.subarray(0, cut + 1)
        else if (this.fileBytes > 0) {
          await this.rotate()
          continue
        } else {
          // A single line longer than a whole file: it gets a file of its own.
          const end = rest.indexOf(10)
          part = end === -1 ? rest : rest.subarray(0, end + 1)
        }
      }
      for (let at = 0; at < part.length;) at += (await this.file!.write(part, at)).bytesWritten
      this.fileBytes += part.length
      rest = rest.subarray(part.length)
    }
  }

  private async rotate(): Promise<void> {
    await this.file?.close()
    this.file = null
    this.fileName = `${this.opts.prefix}-${stamp(Date.now())}-${String(this.seq++).padStart(4, '0')}.jsonl`
    this.file = await open(join(this.opts.dir, this.fileName), 'a')
    this.fileBytes = 0
    await this.prune()
  }

  /**
   * Deletes the oldest files of this prefix (never the current one) until the others leave room
   * for a full current file, so the folder stays within `maxTotalBytes`.
   */
  private async prune(): Promise<void> {
    const budget = Math.max(0, this.opts.maxTotalBytes - this.opts.maxFileBytes)
    const names = (await readdir(this.opts.dir))
      .filter((n) => n.startsWith(`${this.opts.prefix}-`) && n.endsWith('.jsonl'))
      .sort()
    const sizes = await Promise.all(
      names.map(async (n) => (await stat(join(this.opts.dir, n)).catch(() => null))?.size ?? 0),
    )
    let total = sizes.reduce((a, b) => a + b, 0)
    for (let i = 0; i < names.length && total > budget; i++) {
      if (names[i] === this.fileName) continue
      await unlink(join(this.opts.dir, names[i]!)).catch(() => {})
      total -= sizes[i]!
    }
  }

  /** The file being written now ('' before the first write). */
  get currentFile(): string {
    return this.fileName
  }
}
