/**
 * Flushing open runs when the process ends, as far as Node allows:
 *
 * - `beforeExit` (the event loop ran dry, e.g. a script that forgot `endRun`): each open run is
 *   flushed and ended FINISHED, as MLflow's client ends its active run at exit.
 * - SIGINT / SIGTERM: each open run is flushed and ended KILLED, then the signal is raised again
 *   so the process dies of it (exit status 130/143) — unless the program has its own listeners
 *   for that signal, which then decide. A second signal, or `exitTimeoutMs` passing (the server
 *   may be down), re-raises at once.
 * - Not covered, because Node runs no asynchronous code then: `process.exit()`, an uncaught
 *   exception, SIGKILL, or a crash. Whatever is still queued is lost; call `await run.endRun()`
 *   or `await client.flush()` on those paths.
 *
 * Listeners are installed while a run is open and removed when the last one ends, so an idle
 * client never changes how the process reacts to signals.
 */
import type { RunStatus } from '../protocol/entities.js'

export interface ExitAware {
  /** Flush and end the run with `status`; must not throw. */
  finishOnExit(status: RunStatus): Promise<void>
}

type Signal = 'SIGINT' | 'SIGTERM'
const SIGNALS: readonly Signal[] = ['SIGINT', 'SIGTERM']

export class ExitHooks {
  private readonly open = new Set<ExitAware>()
  private installed = false
  private finishing: Promise<void> | null = null
  private deadline: NodeJS.Timeout | null = null
  private readonly onBeforeExit = (): void => {
    if (this.open.size > 0 && this.finishing === null) void this.finishAll('FINISHED')
  }
  private readonly onSignal = (signal: Signal): void => {
    if (this.finishing !== null) {
      this.reraise(signal)
      return
    }
    this.deadline = setTimeout(() => this.reraise(signal), this.exitTimeoutMs)
    void this.finishAll('KILLED').then(() => this.reraise(signal))
  }

  constructor(
    private readonly exitTimeoutMs: number,
    private readonly proc: NodeJS.Process = process,
  ) {}

  add(run: ExitAware): void {
    this.open.add(run)
    if (!this.installed) {
      this.installed = true
      this.proc.on('beforeExit', this.onBeforeExit)
      for (const s of SIGNALS) this.proc.on(s, this.onSignal)
    }
  }

  delete(run: ExitAware): void {
    this.open.delete(run)
    if (this.open.size === 0 && this.finishing === null) this.uninstall()
  }

  private uninstall(): void {
    if (!this.installed) return
    this.installed = false
    this.proc.off('beforeExit', this.onBeforeExit)
    for (const s of SIGNALS) this.proc.off(s, this.onSignal)
  }

  private finishAll(status: RunStatus): Promise<void> {
    const runs = [...this.open]
    this.open.clear()
    this.finishing = Promise.all(runs.map((r) => r.finishOnExit(status))).then(() => {
      this.finishing = null
      if (this.open.size === 0) this.uninstall()
    })
    return this.finishing
  }

  private reraise(signal: Signal): void {
    if (this.deadline !== null) clearTimeout(this.deadline)
    this.deadline = null
    this.uninstall()
    // Someone else listens: they were told too, and they own what happens next.
    if (this.proc.listenerCount(signal) > 0) return
    this.proc.kill(this.proc.pid, signal)
  }
}
