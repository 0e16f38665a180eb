/** How monitor runs print: a status word in color, the checks one per line, headline measures, the alert. */
import type { WireMonitorRun } from '../../protocol/monitors-api.js'
import type { Style } from '../format/style.js'
import { formatNumber } from '../format/values.js'

export function statusCell(status: string, style: Style): { text: string; paint: (s: string) => string } {
  const paint =
    status === 'passed' ? style.green : status === 'failed' || status === 'error' ? style.red : style.yellow
  return { text: status.replace('_', ' '), paint }
}

/** The checks of a run, one per line, and its measures. */
export function describeRun(run: WireMonitorRun, style: Style): string {
  const lines = [
    `monitor ${run.monitor}: ${statusCell(run.status, style).paint(run.status.replace('_', ' '))}  (run ${run.run_id})`,
  ]
  for (const c of run.checks)
    lines.push(`  ${statusCell(c.status, style).paint(c.status.padEnd(7))} ${c.check}: ${c.message}`)
  const headline = ['drift.share', 'validation.failures', 'rows.current', 'rows.labelled']
    .filter((k) => run.summary[k] !== undefined)
    .concat(Object.keys(run.summary).filter((k) => k.startsWith('quality.')))
  if (headline.length)
    lines.push(`  ${headline.map((k) => `${k}=${formatNumber(run.summary[k]!)}`).join('  ')}`)
  if (run.alert) {
    const hooks = run.alert.webhooks.map((w) => `${w.url} ${w.ok ? 'ok' : 'failed'} (${w.attempts} attempts)`)
    lines.push(
      `  alert ${run.alert.state}${run.alert.pipeline_run_id ? `; pipeline run ${run.alert.pipeline_run_id}` : ''}${hooks.length ? `; webhooks: ${hooks.join(', ')}` : ''}`,
    )
  }
  return lines.join('\n') + '\n'
}
