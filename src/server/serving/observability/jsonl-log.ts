/**
 * Append-only JSON Lines files written off the request path: `append` only queues the entry;
 * a timer serializes everything queued into one write. Files are rotated past `maxFileBytes`
 * (`<prefix>-<UTC time>-<n>.jsonl`, so names sort by age) and the oldest are deleted while the
 * folder's files of this prefix would exceed `maxTotalBytes`. `close()` writes everything queued
 * before it returns, so an answered request's entry is on disk after a graceful shutdown.
 */
import { mkdir, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'

export interface JsonlLogOptions {
  dir: string
  /** File name prefix: `predictions`, `feedback`. */
  prefix: string
  maxFileBytes: number
  maxTotalBytes: number
  /** How long entries wait to be written together, in ms. */
  flushIntervalMs?: number
  /** Entries queued beyond this are dropped (and counted) rather than growing memory without bound. */
  maxQueued?: number
  onDrop?: (n: number) => void
  onError?: (err: unknown) => void
  /** After each write, with the number of entries it held. */
  onWritten?: (n: number) => void
}

/** A queued entry: serialized when written, not when queued. */
export type Serialize = () => string

const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '')

export class JsonlLog {
  private queue: Serialize[] = []
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<void> | null = null
  private file: FileHandle | null = null
  private fileName = ''
  private fileBytes = 0
  private seq = 0
  private closed = false
  private readonly ready: Promise<void>

  constructor(private readonly opts: JsonlLogOptions) {
    this.ready = mkdir(opts.dir, { recursive: true }).then(() => this.prune())
    this.ready.catch((err: unknown) => opts.onError?.(err))
  }

  /** Queues one line; never blocks. */
  append(line: Serialize): void {
    if (this.closed) return
    if (this.queue.length >= (this.opts.maxQueued ?? 100_000)) {
      this.opts.onDrop?.(1)
      return
    }
    this.queue.push(line)
    this.timer ??= setTimeout(() => {
      this.timer = null
      void this.drain()
    }, this.opts.flushIntervalMs ?? 20)
  }

  /** Writes everything queued so far. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    await this.drain()
  }

  async close(): Promise<void> {
    await this.flush()
    this.closed = true
    await this.file?.close()
    this.file = null
  }

  private drain(): Promise<void> {
    // One writer at a time; a drain started while another runs picks up what is left after it.
    const next = (this.writing ?? Promise.resolve()).then(() => this.writeQueued())
    this.writing = next.catch((err: unknown) => this.opts.onError?.(err))
    return this.writing
  }

  private async writeQueued(): Promise<void> {
    await this.ready.catch(() => {})
    while (this.queue.length > 0) {
      const batch = this.queue
      this.queue = []
      let text = ''
      for (const s of batch) {
        try {
          text += s() + '\n'
        } catch (err) {
          this.opts.onError?.(err)
        }
      }
      const bytes = Buffer.from(text, 'utf8')
      if (
        this.file === null ||
        (this.fileBytes > 0 && this.fileBytes + bytes.length > this.opts.maxFileBytes)
      ) {
        await this.rotate()
      }
      await this.file!.write(bytes)
      this.fileBytes += bytes.length
      this.opts.onWritten?.(batch.length)
    }
  }

  private async rotate(): Promise<void> {
    await this.file?.close()
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
