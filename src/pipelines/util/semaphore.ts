/** A counting semaphore whose waits can be abandoned through an AbortSignal. */
export class Semaphore {
  private active = 0
  private readonly waiting: { resolve: () => void; reject: (e: unknown) => void }[] = []

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`semaphore limit must be ≥ 1, got ${limit}`)
  }

  get inUse(): number {
    return this.active
  }

  /** Waits for a slot; rejects with the signal's reason if it aborts first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted()
    if (this.active < this.limit) {
      this.active++
      return this.releaser()
    }
    await new Promise<void>((resolve, reject) => {
      const entry = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        reject,
      }
      const onAbort = (): void => {
        const i = this.waiting.indexOf(entry)
        if (i !== -1) this.waiting.splice(i, 1)
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(entry)
    })
    return this.releaser()
  }

  private releaser(): () => void {
    let done = false
    return () => {
      if (done) return
      done = true
      const next = this.waiting.shift()
      if (next) next.resolve()
      else this.active--
    }
  }
}
