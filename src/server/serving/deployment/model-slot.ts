/**
 * One served model URI and the version loaded for it, with hot swap: the slot re-resolves its
 * URI when polled or told that the registry changed, loads a new version in the background,
 * checks it answers (input example, else a synthetic row), and only then switches — one
 * assignment, so every request sees the old model or the new one, never neither. Requests hold
 * a lease on the model they use; a replaced model is disposed once its last lease is returned.
 * A version that fails to load leaves the current one serving and is reported (log, metric,
 * `status()`); it is retried after `retryAfterMs`.
 */
import type { Logger } from '../../logging.js'
import type { ServingMetrics } from '../observability/metrics.js'
import type { Role } from '../observability/prediction-log.js'
import { isMovable, registeredNameOf, type ModelRef, type ModelSource } from '../sources/model-source.js'
import type { LoadedModel, ModelOrigin } from '../types.js'

export interface SlotDeps {
  source: ModelSource
  /** Loads a fetched folder; `validate` then checks the model answers. */
  load(dir: string, origin: ModelOrigin): Promise<LoadedModel>
  validate(model: LoadedModel, dir: string): Promise<unknown>
  metrics: ServingMetrics
  log: Logger
  now?: () => number
}

export interface SlotOptions {
  uri: string
  role: Role
  /** Served name (`--name`); default the registered model's name. */
  name?: string
  /** 0: never poll. */
  pollIntervalMs: number
  retryAfterMs?: number
}

export interface Lease {
  model: LoadedModel
  release(): void
}

interface Active {
  model: LoadedModel
  ref: ModelRef
  inFlight: number
  retired: boolean
}

export interface SlotStatus {
  uri: string
  role: Role
  state: 'loading' | 'ready' | 'failed'
  version: string | null
  lastSwap?: { at: number; from: string | null; to: string | null }
  lastError?: { at: number; version: string | null; message: string }
}

const refKey = (r: ModelRef): string => `${r.version ?? ''}\u0000${r.location}`

export class ModelSlot {
  private active: Active | null = null
  private checking: Promise<void> | null = null
  private again = false
  private stopped = false
  private timer: NodeJS.Timeout | null = null
  private unsubscribe: (() => void) | null = null
  private failed: { key: string; at: number } | null = null
  private lastSwap: SlotStatus['lastSwap']
  private lastError: SlotStatus['lastError']
  private readonly now: () => number

  constructor(
    private readonly deps: SlotDeps,
    readonly opts: SlotOptions,
  ) {
    this.now = deps.now ?? Date.now
  }

  /** The name the model is served under (known once something resolved). */
  get name(): string | undefined {
    return this.active?.model.origin.name
  }

  get model(): LoadedModel | null {
    return this.active?.model ?? null
  }

  /** Loads what the URI names now and starts watching it; resolves even when the load failed. */
  async start(): Promise<void> {
    await this.check()
    if (this.stopped) return
    if (this.opts.pollIntervalMs > 0 && isMovable(this.opts.uri)) {
      this.timer = setInterval(() => void this.check(), this.opts.pollIntervalMs)
      this.timer.unref()
    }
    const watched = registeredNameOf(this.opts.uri)
    if (watched !== null && this.deps.source.subscribe) {
      this.unsubscribe = this.deps.source.subscribe((change) => {
        if (change.name === watched) setImmediate(() => void this.check())
      })
    }
  }

  /** A lease on the current model, or null when none is loaded. Return it with `release()`. */
  acquire(): Lease | null {
    const a = this.active
    if (a === null) return null
    a.inFlight++
    let done = false
    return {
      model: a.model,
      release: () => {
        if (done) return
        done = true
        a.inFlight--
        if (a.retired && a.inFlight === 0) this.dispose(a)
      },
    }
  }

  /** Re-resolves the URI and swaps if it names another version. Concurrent calls share one check. */
  check(): Promise<void> {
    if (this.checking) {
      this.again = true
      return this.checking
    }
    this.checking = (async () => {
      do {
        this.again = false
        await this.checkOnce()
      } while (this.again && !this.stopped)
    })().finally(() => {
      this.checking = null
    })
    return this.checking
  }

  status(): SlotStatus {
    return {
      uri: this.opts.uri,
      role: this.opts.role,
      state: this.active ? 'ready' : this.lastError ? 'failed' : 'loading',
      version: this.active?.ref.version ?? null,
      ...(this.lastSwap ? { lastSwap: this.lastSwap } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.unsubscribe?.()
    await this.checking?.catch(() => {})
    const a = this.active
    this.active = null
    if (a) {
      a.retired = true
      this.deps.metrics.serving(this.labels(a), false)
      if (a.inFlight === 0) this.dispose(a)
    }
  }

  private labels(a: Active): { model: string; version: string; uri: string; role: string; flavor: string } {
    const o = a.model.origin
    return {
      model: o.name,
      version: o.version ?? '',
      uri: o.uri,
      role: this.opts.role,
      flavor: a.model.flavor,
    }
  }

  private async checkOnce(): Promise<void> {
    const { source, log, metrics } = this.deps
    const role = this.opts.role
    let ref: ModelRef
    try {
      ref = await source.resolve(this.opts.uri)
    } catch (err) {
      this.report(
        null,
        `Cannot resolve ${this.opts.uri}: ${(err as Error).message}`,
        `resolve:${(err as Error).message}`,
      )
      return
    }
    if (this.stopped || (this.active && refKey(this.active.ref) === refKey(ref))) return
    const key = refKey(ref)
    if (this.failed?.key === key && this.now() - this.failed.at < (this.opts.retryAfterMs ?? 60_000)) return
    const name = this.opts.name ?? ref.name
    const origin: ModelOrigin = { uri: this.opts.uri, name, version: ref.version, location: ref.location }
    let model: LoadedModel | null = null
    try {
      const dir = await source.fetch(ref)
      model = await this.deps.load(dir, origin)
      await this.deps.validate(model, dir)
    } catch (err) {
      if (model) await model.dispose().catch(() => {})
      metrics.swap(name, role, 'failure')
      this.report(ref.version, (err as Error).message, key)
      return
    }
    if (this.stopped) {
      await model.dispose().catch(() => {})
      return
    }
    const old = this.active
    this.active = { model, ref, inFlight: 0, retired: false }
    this.failed = null
    this.lastError = undefined
    this.lastSwap = { at: this.now(), from: old?.ref.version ?? null, to: ref.version }
    if (old) metrics.serving(this.labels(old), false)
    metrics.serving(this.labels(this.active), true)
    metrics.swap(name, role, 'success')
    log.info(
      {
        model: name,
        role,
        uri: this.opts.uri,
        from: old?.ref.version ?? null,
        to: ref.version,
        flavor: model.flavor,
      },
      old ? 'model swapped' : 'model loaded',
    )
    if (old) {
      old.retired = true
      if (old.inFlight === 0) this.dispose(old)
    }
  }

  private report(version: string | null, message: string, key: string): void {
    const repeated = this.failed?.key === key
    this.failed = { key, at: this.now() }
    this.lastError = { at: this.now(), version, message }
    const fields = {
      uri: this.opts.uri,
      role: this.opts.role,
      version,
      err: message,
      keptServing: this.active?.ref.version ?? null,
    }
    if (repeated) this.deps.log.debug(fields, 'model load failed again')
    else
      this.deps.log.error(
        fields,
        this.active ? 'model load failed; the current version keeps serving' : 'model load failed',
      )
  }

  private dispose(a: Active): void {
    a.model
      .dispose()
      .catch((err: unknown) => this.deps.log.warn({ err }, 'disposing a replaced model failed'))
  }
}
