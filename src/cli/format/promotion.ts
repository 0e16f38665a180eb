/**
 * A promotion's verdict as a side-by-side table: each policy check with the candidate's value,
 * the current holder's, their difference, what the policy requires, and pass/fail.
 */
import type { PromotionCheck, PromotionOutcome } from '../../protocol/promotion-policy.js'
import type { Style } from './style.js'
import { renderTable, type Cell, type Column } from './table.js'
import { formatNumber } from './values.js'

const MISSING = '(missing)'

const value = (v: number | undefined): string => (v === undefined ? MISSING : formatNumber(v))

function signed(v: number): string {
  const text = formatNumber(v)
  return v > 0 ? `+${text}` : text
}

/** What the check asks of the candidate, in numbers a person can check at a glance. */
export function requirement(c: PromotionCheck): string {
  switch (c.kind) {
    case 'compare': {
      const op = c.goal === 'maximize' ? '>=' : '<='
      if (c.current === undefined) return `${c.goal} (nothing to beat)`
      const bound = c.goal === 'maximize' ? c.current + c.minDelta : c.current - c.minDelta
      const margin =
        c.minDelta === 0 ? '' : ` (${c.goal === 'maximize' ? '+' : '-'}${formatNumber(c.minDelta)})`
      return `${op} ${formatNumber(bound)}${margin}`
    }
    case 'threshold':
      return `${c.op} ${formatNumber(c.value)}`
    case 'tag':
      return `= ${c.expected}`
  }
}

function row(c: PromotionCheck, style: Style): Cell[] {
  const result: Cell = c.passed ? { text: 'pass', paint: style.green } : { text: 'FAIL', paint: style.red }
  switch (c.kind) {
    case 'compare': {
      const delta =
        c.candidate !== undefined && c.current !== undefined ? signed(c.candidate - c.current) : '-'
      return [
        c.kind,
        c.metric,
        value(c.candidate),
        c.current === undefined ? '-' : value(c.current),
        delta,
        requirement(c),
        result,
      ]
    }
    case 'threshold':
      return [c.kind, c.metric, value(c.candidate), '-', '-', requirement(c), result]
    case 'tag':
      return [c.kind, c.key, c.actual ?? MISSING, '-', '-', requirement(c), result]
  }
}

export function promotionTable(o: PromotionOutcome, opts: { style: Style; maxCellWidth?: number }): string {
  const holder = o.current ? `Current v${o.current.version}` : 'Current (unset)'
  const columns: Column[] = [
    { header: 'Check' },
    { header: 'Name' },
    { header: `Candidate v${o.candidate.version}`, align: 'right' },
    { header: holder, align: 'right' },
    { header: 'Delta', align: 'right' },
    { header: 'Required' },
    { header: 'Result' },
  ]
  return renderTable(
    columns,
    o.checks.map((c) => row(c, opts.style)),
    { style: opts.style, ...(opts.maxCellWidth !== undefined ? { maxCellWidth: opts.maxCellWidth } : {}) },
  )
}

/** Title, table and verdict, as `cairn models promote` prints them. */
export function promotionReport(o: PromotionOutcome, opts: { style: Style; maxCellWidth?: number }): string {
  const { style } = opts
  const holder = o.current ? `version ${o.current.version}` : 'unset'
  const lines = [
    style.bold(
      `${o.dryRun ? 'Dry run: promote' : 'Promote'} '${o.name}' version ${o.candidate.version} to '${o.alias}' (now ${holder})`,
    ),
    '',
  ]
  const table =
    o.checks.length > 0
      ? promotionTable(o, opts)
      : `(no promotion policy for '${o.alias}': nothing was checked)\n`
  const verdict = o.passed ? style.green('PASS') : style.red('FAIL')
  const forced = o.forced && !o.passed ? style.yellow(' (forced)') : ''
  return `${lines.join('\n')}\n${table}\nVerdict: ${verdict}${forced}. ${o.message}\n`
}
