/**
 * Following a step container's log into the executor's log sink, line by line. The stream is
 * asked with kubelet timestamps, so that when it breaks (API server restarts, idle proxies, the
 * client-node stream closing early) it is opened again from where it stopped and the lines seen
 * already are skipped: the sink sees every line once, in order. Once the container has ended,
 * a last read from the last timestamp picks up anything the live stream missed.
 */
import { LineSplitter } from '../local/process-group.js'
import type { KubeApi, LogStream } from './kube-api.js'

const MAX_CONNECTIONS = 50
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) ?/

/** A sortable key for an RFC 3339 timestamp with up to nanoseconds; null when the line has none. */
export function timestampKey(line: string): { key: string; length: number; seconds: string } | null {
  const m = TIMESTAMP.exec(line)
  if (!m) return null
  const ms = Date.parse(`${m[1]}${m[3]}`)
  if (Number.isNaN(ms)) return null
  const key = `${String(ms / 1000).padStart(12, '0')}.${(m[2] ?? '').padEnd(9, '0')}`
  return { key, length: m[0].length, seconds: new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') }
}

export class LogFollower {
  private stream: LogStream | null = null
  private lastKey = ''
  private lastSeconds: string | null = null
  private seenAtLast = 0
  private replayedAtLast = 0
  private connections = 0
  private openedAfterEnd = false
  /** Every line of the ended container has been read. */
  complete = false

  constructor(
    private readonly api: KubeApi,
    private readonly target: { namespace: string; pod: string; container: string },
    private readonly log: (line: string) => void,
  ) {}

  get pod(): string {
    return this.target.pod
  }

  private line(raw: string): void {
    const ts = timestampKey(raw)
    if (!ts) {
      this.log(raw)
      return
    }
    const text = raw.slice(ts.length)
    if (ts.key < this.lastKey) return
    if (ts.key === this.lastKey) {
      if (this.replayedAtLast < this.seenAtLast) {
        this.replayedAtLast++
        return
      }
      this.seenAtLast++
      this.replayedAtLast++
    } else {
      this.lastKey = ts.key
      this.lastSeconds = ts.seconds
      this.seenAtLast = 1
      this.replayedAtLast = 1
    }
    this.log(text)
  }

  get active(): boolean {
    return this.stream !== null
  }

  /**
   * Called on every look at the pod: opens the stream when the container runs and none is open;
   * after the container ended, makes one last read, then is complete.
   */
  async update(state: { started: boolean; terminated: boolean }): Promise<void> {
    if (this.complete || this.stream || !state.started) return
    if (this.openedAfterEnd || this.connections >= MAX_CONNECTIONS) {
      this.complete = state.terminated
      return
    }
    const afterEnd = state.terminated
    const splitter = new LineSplitter((l) => this.line(l))
    this.connections++
    this.replayedAtLast = 0
    let stream: LogStream
    try {
      stream = await this.api.followLog({ ...this.target, sinceTime: this.lastSeconds }, (c) =>
        splitter.push(c),
      )
    } catch {
      // The container went away between two looks (pod deleted): nothing more to read.
      if (afterEnd) this.complete = true
      return
    }
    this.openedAfterEnd = afterEnd
    this.stream = stream
    void stream.done.then(() => {
      splitter.end()
      this.stream = null
      if (afterEnd) this.complete = true
    })
  }

  /** Waits (at most `ms`) for the open stream to end by itself, then drops it. */
  async drain(ms: number): Promise<void> {
    const s = this.stream
    if (!s) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([s.done, new Promise((r) => (timer = setTimeout(r, ms)))])
    clearTimeout(timer)
    if (this.stream === s) {
      s.abort()
      this.stream = null
    }
  }
}
