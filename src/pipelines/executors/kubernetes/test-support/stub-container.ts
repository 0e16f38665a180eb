/**
 * A stub container's pieces: its log as the kubelet keeps it (timestamped lines that followers
 * receive as they come), `$(VAR)` expansion as Kubernetes applies it to env values and commands,
 * and the mark that lets the stub end every process of a container at once.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { timestamp } from './stub-store.js'

export interface LogLine {
  ts: string
  text: string
}

/** A container's log as the kubelet keeps it: timestamped lines, and followers until it ends. */
export class ContainerLog {
  readonly lines: LogLine[] = []
  ended = false
  private readonly followers = new Set<(line: LogLine | null) => void>()
  private seq = 0
  private partial = { out: '', err: '' }

  private stamp(): string {
    // RFC 3339 with nanoseconds; the counter keeps lines of the same millisecond in order.
    const now = new Date()
    const nanos = String(now.getMilliseconds()).padStart(3, '0') + String(this.seq++ % 1e6).padStart(6, '0')
    return `${timestamp(now).slice(0, -1)}.${nanos}Z`
  }

  private emit(text: string): void {
    const line = { ts: this.stamp(), text }
    this.lines.push(line)
    for (const f of this.followers) f(line)
  }

  push(stream: 'out' | 'err', chunk: string): void {
    let text = this.partial[stream] + chunk
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n')) {
      this.emit(text.slice(0, nl))
      text = text.slice(nl + 1)
    }
    this.partial[stream] = text
  }

  end(): void {
    if (this.ended) return
    for (const s of ['out', 'err'] as const) if (this.partial[s] !== '') this.emit(this.partial[s])
    this.ended = true
    for (const f of this.followers) f(null)
    this.followers.clear()
  }

  follow(f: (line: LogLine | null) => void): () => void {
    this.followers.add(f)
    return () => this.followers.delete(f)
  }
}

/**
 * Marks every process of a container (children inherit it), so that when the container ends all
 * of them end, as a container's PID namespace does, even those that left its process group.
 */
export const MARK = 'STUB_KUBELET_CONTAINER'

/** SIGKILL to every process carrying the container's mark (Linux /proc; elsewhere a no-op). */
export function killMarked(id: string): void {
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return
  }
  const needle = `${MARK}=${id}\0`
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(needle))
        process.kill(Number(pid), 'SIGKILL')
    } catch {
      // Gone already, or not ours to read.
    }
  }
}

/** `$(VAR)` expansion as Kubernetes does it: `$$` is a literal `$`, unknown names stay as written. */
export function expand(text: string, vars: Record<string, string>): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch !== '$' || i + 1 >= text.length) {
      out += ch
      continue
    }
    const next = text[i + 1]
    if (next === '$') {
      out += '$'
      i++
    } else if (next === '(') {
      const close = text.indexOf(')', i + 2)
      if (close === -1) {
        out += text.slice(i)
        break
      }
      const name = text.slice(i + 2, close)
      out += Object.hasOwn(vars, name) ? vars[name] : `$(${name})`
      i = close
    } else out += ch
  }
  return out
}
