/**
 * Step logs leave the orchestrator two ways: live chunks to the server every few hundred
 * milliseconds (what `cairn pipeline logs --follow` reads), and the whole log as the step run's
 * artifact `logs/step.log` when the step ends.
 */
import type { PipelinesClient } from '../client.js'

/** Log kept in memory per step for its artifact; past it the artifact notes the cut. */
const ARTIFACT_CAP = 16 * 1024 * 1024
const FLUSH_BYTES = 64 * 1024

export class LogShipper {
  private pending: { stepKey: string; text: string }[] = []
  private pendingBytes = 0
  private readonly full = new Map<string, { parts: string[]; bytes: number; cut: boolean }>()
  private timer: NodeJS.Timeout | null = null
  private inFlight: Promise<void> = Promise.resolve()
  private failures = 0

  constructor(
    private readonly client: PipelinesClient,
    private readonly runId: string,
    private readonly flushMs: number,
    private readonly onError: (err: Error) => void,
  ) {}

  line(stepKey: string, line: string): void {
    const text = `${line}\n`
    this.pending.push({ stepKey, text })
    this.pendingBytes += text.length
    let f = this.full.get(stepKey)
    if (!f) this.full.set(stepKey, (f = { parts: [], bytes: 0, cut: false }))
    if (f.bytes < ARTIFACT_CAP) {
      f.parts.push(text)
      f.bytes += text.length
    } else f.cut = true
    if (this.pendingBytes >= FLUSH_BYTES) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs)
  }

  /** Sends what is pending; resolves when everything handed over so far is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const batch = this.pending
    this.pending = []
    this.pendingBytes = 0
    if (batch.length > 0) {
      // Keep order: each flush goes after the previous one.
      this.inFlight = this.inFlight.then(async () => {
        // Merge consecutive chunks of one step into one entry.
        const merged: { stepKey: string; text: string }[] = []
        for (const e of batch) {
          const last = merged.at(-1)
          if (last && last.stepKey === e.stepKey) last.text += e.text
          else merged.push({ ...e })
        }
        try {
          await this.client.appendLogs(this.runId, merged)
        } catch (err) {
          if (this.failures++ === 0) this.onError(err as Error)
        }
      })
    }
    return this.inFlight
  }

  /** The step's whole log (for its artifact), and forgets it. */
  take(stepKey: string): string {
    const f = this.full.get(stepKey)
    this.full.delete(stepKey)
    if (!f) return ''
    return f.parts.join('') + (f.cut ? `[cairn: log cut at ${ARTIFACT_CAP} bytes]\n` : '')
  }
}
