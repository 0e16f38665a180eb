/**
 * Live progress of a pipeline run in the terminal. On a TTY: one line per step, redrawn in place
 * (status, duration, cache hits, a bar for fan-outs). Elsewhere (CI logs, pipes): one plain line
 * per event, fan-outs reported every 10% and on each failure, so logs stay readable.
 */
import type { PipelineEvent } from '../../pipelines/orchestrator/events.js'
import { formatDuration } from '../../pipelines/spec/duration.js'
import type { StepStatus } from '../../protocol/pipeline-entities.js'
import type { Style } from '../format/style.js'

export interface ProgressOptions {
  tty: boolean
  style: Style
  write: (text: string) => void
  /** Print step output lines too (prefixed with the step). */
  logs: boolean
  /** Terminal width, for the bar and cutting lines. */
  columns?: number
  now?: () => number
}

interface Line {
  key: string
  status: StepStatus | 'waiting'
  started: number | null
  durationMs: number | null
  note: string
  attempt: number
  items: { total: number; done: number; failed: number; running: number } | null
}

export interface Progress {
  event(e: PipelineEvent): void
  /** Final draw; call once the run ended. */
  finish(): void
}

const ICONS: Record<Line['status'], string> = {
  waiting: '·',
  pending: '·',
  running: '▶',
  succeeded: '✓',
  failed: '✗',
  skipped: '-',
  cancelled: '■',
}

export function createProgress(o: ProgressOptions): Progress {
  const now = o.now ?? Date.now
  const lines = new Map<string, Line>()
  let drawn = 0
  let timer: NodeJS.Timeout | null = null
  // Running steps' durations tick even when no event comes.
  const ticker = o.tty ? setInterval(() => redraw(), 500) : null
  ticker?.unref()
  const paint = (status: Line['status'], s: string): string =>
    status === 'succeeded'
      ? o.style.green(s)
      : status === 'failed'
        ? o.style.red(s)
        : status === 'running'
          ? o.style.cyan(s)
          : status === 'cancelled'
            ? o.style.yellow(s)
            : o.style.dim(s)

  const bar = (done: number, total: number, width = 20): string => {
    const filled = total === 0 ? width : Math.round((done / total) * width)
    return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`
  }

  const render = (l: Line): string => {
    const dur =
      l.durationMs !== null
        ? formatDuration(l.durationMs)
        : l.started !== null
          ? formatDuration(now() - l.started)
          : ''
    const items = l.items
      ? ` ${bar(l.items.done, l.items.total)}${l.items.failed ? o.style.red(` ${l.items.failed} failed`) : ''}`
      : ''
    const attempt = l.attempt > 1 && l.status === 'running' ? ` (attempt ${l.attempt})` : ''
    const text = `${paint(l.status, `${ICONS[l.status]} ${l.key.padEnd(24)}`)} ${paint(l.status, l.status.padEnd(9))} ${dur.padStart(7)}${items}${attempt}${l.note ? o.style.dim(`  ${l.note}`) : ''}`
    return text
  }

  const redraw = (): void => {
    if (!o.tty) return
    const out: string[] = []
    if (drawn > 0) out.push(`\u001b[${drawn}A`)
    for (const l of lines.values()) out.push(`\u001b[2K${render(l)}\n`)
    drawn = lines.size
    o.write(out.join(''))
  }
  const schedule = (): void => {
    if (!o.tty || timer) return
    timer = setTimeout(() => {
      timer = null
      redraw()
    }, 80)
  }
  /** Prints text above the live block. */
  const above = (text: string): void => {
    if (!o.tty) return o.write(text)
    if (drawn > 0) o.write(`\u001b[${drawn}A\u001b[0J`)
    drawn = 0
    o.write(text)
    redraw()
  }

  const line = (key: string): Line => {
    let l = lines.get(key)
    if (!l) {
      l = { key, status: 'waiting', started: null, durationMs: null, note: '', attempt: 0, items: null }
      lines.set(key, l)
    }
    return l
  }
  const groupOf = (key: string): string => key.replace(/\[\d+\]$/, '')

  return {
    event(e) {
      switch (e.type) {
        case 'run-started':
          above(o.style.bold(`pipeline ${e.pipeline}: run ${e.runId}\n`))
          for (const s of e.steps) line(s)
          break
        case 'fanout': {
          const l = line(e.step)
          l.status = 'running'
          l.started = now()
          l.items = { total: e.keys.length, done: 0, failed: 0, running: 0 }
          if (!o.tty) o.write(`▶ ${e.step}: ${e.keys.length} items\n`)
          break
        }
        case 'step-started': {
          if (e.key !== e.step) {
            const g = line(e.step)
            if (g.items && e.attempt === 1) g.items.running++
            break
          }
          const l = line(e.key)
          l.status = 'running'
          l.started ??= now()
          l.attempt = e.attempt
          if (!o.tty && e.attempt === 1) o.write(`▶ ${e.key} started\n`)
          break
        }
        case 'step-retrying':
          if (!o.tty)
            o.write(
              `↻ ${e.key}: attempt ${e.attempt} failed (${e.message}); retrying in ${formatDuration(e.delayMs)}\n`,
            )
          break
        case 'step-log':
          if (o.logs) above(`${o.style.dim(`[${e.key}]`)} ${e.line}\n`)
          break
        case 'step-finished': {
          if (e.item) {
            const g = line(groupOf(e.key))
            if (g.items) {
              g.items.done++
              if (e.status === 'failed') g.items.failed++
              if (!o.tty) {
                const step = Math.max(1, Math.ceil(g.items.total / 10))
                if (e.status === 'failed') o.write(`✗ ${e.key} failed: ${e.message}\n`)
                if (g.items.done % step === 0 || g.items.done === g.items.total)
                  o.write(`  ${g.key}: ${g.items.done}/${g.items.total} done\n`)
              }
            }
            break
          }
          const l = line(e.key)
          l.status = e.status
          l.durationMs = l.started !== null ? now() - l.started : e.durationMs
          l.note = e.reused
            ? 'reused (resume)'
            : e.cacheHit
              ? 'cached'
              : e.status === 'succeeded'
                ? ''
                : e.message
          if (!o.tty) {
            const how = e.reused ? ' (reused)' : e.cacheHit ? ' (cached)' : ''
            const why = e.status === 'succeeded' ? '' : `: ${e.message}`
            o.write(
              `${ICONS[e.status]} ${e.key} ${e.status}${how}${l.durationMs > 0 && !e.cacheHit ? ` in ${formatDuration(l.durationMs)}` : ''}${why}\n`,
            )
          }
          break
        }
        case 'run-finished':
          break
      }
      schedule()
    },
    finish() {
      if (ticker) clearInterval(ticker)
      if (timer) clearTimeout(timer)
      timer = null
      redraw()
    },
  }
}
