/** How registry entities look in a terminal: field lists, version tables, the audit timeline. */
import { stringify } from 'yaml'
import type {
  ModelAlias,
  ModelVersion,
  RegistryEvent,
  StoredPolicy,
} from '../../protocol/registry-entities.js'
import type { Style } from './style.js'
import { renderTable, type Cell, type Column } from './table.js'
import { formatTime, shortId } from './values.js'

export interface TableStyle {
  style: Style
  maxCellWidth?: number
}

const tableOpts = (o: TableStyle) => ({
  style: o.style,
  ...(o.maxCellWidth !== undefined ? { maxCellWidth: o.maxCellWidth } : {}),
})

/** `Label  value` lines with the values aligned. */
export function fieldList(fields: [string, string][], style: Style): string {
  const width = Math.max(...fields.map(([label]) => label.length))
  return fields.map(([label, v]) => `${style.bold(label.padEnd(width))}  ${v}`.trimEnd()).join('\n') + '\n'
}

/** Version → its aliases, from a registered model's alias list. */
export function aliasesByVersion(aliases: readonly ModelAlias[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const a of aliases) out.set(a.version, [...(out.get(a.version) ?? []), a.alias])
  return out
}

export const aliasSummary = (aliases: readonly ModelAlias[]): string =>
  aliases.map((a) => `${a.alias}=${a.version}`).join(', ')

export function paintStatus(status: string, style: Style): Cell {
  if (status === 'READY') return { text: status, paint: style.green }
  if (status === 'FAILED_REGISTRATION') return { text: status, paint: style.red }
  return { text: status, paint: style.yellow }
}

export function versionsTable(
  versions: readonly ModelVersion[],
  o: TableStyle & { fullIds?: boolean },
): string {
  const columns: Column[] = [
    { header: 'Version', align: 'right' },
    { header: 'Status' },
    { header: 'Stage' },
    { header: 'Aliases' },
    { header: 'Run' },
    { header: 'Created' },
    { header: 'Source' },
  ]
  const rows = versions.map((v) => [
    v.version,
    paintStatus(v.status, o.style),
    v.currentStage,
    v.aliases.length > 0 ? { text: v.aliases.join(', '), paint: o.style.cyan } : '-',
    v.runId === '' ? '-' : o.fullIds ? v.runId : shortId(v.runId),
    formatTime(v.creationTimestamp),
    v.source,
  ])
  return renderTable(columns, rows, tableOpts(o))
}

const orUnset = (v: string | null): string => v ?? 'unset'

/** One event's before → after, in words that fit a column. */
export function changeText(e: RegistryEvent): string {
  switch (e.kind) {
    case 'alias_set':
    case 'alias_deleted':
      return `${orUnset(e.oldValue)} → ${orUnset(e.newValue)}`
    case 'version_created':
      return `+ version ${e.version ?? e.newValue ?? '?'}`
    case 'version_deleted':
      return `- version ${e.version ?? e.oldValue ?? '?'}`
    case 'stage_transition':
      return `v${e.version ?? '?'}: ${e.oldValue ?? 'None'} → ${e.newValue ?? 'None'}`
    case 'model_renamed':
      return `${e.oldValue ?? '?'} → ${e.newValue ?? '?'}`
    case 'model_deleted':
      return 'model deleted'
    case 'policy_set':
      return e.oldValue === null ? 'policy set' : 'policy changed'
    case 'policy_deleted':
      return 'policy removed'
  }
}

export function historyTable(events: readonly RegistryEvent[], o: TableStyle): string {
  const columns: Column[] = [
    { header: 'Time' },
    { header: 'User' },
    { header: 'Event' },
    { header: 'Alias' },
    { header: 'Old → New' },
    { header: 'Reason' },
  ]
  const rows = events.map((e): Cell[] => [
    formatTime(e.timestamp),
    e.userId === '' ? '-' : e.userId,
    e.action === 'api'
      ? e.kind
      : {
          text: `${e.kind} (${e.action})`,
          paint: e.action === 'promote_forced' ? o.style.yellow : (s: string) => s,
        },
    e.alias ?? '-',
    changeText(e),
    e.reason ?? '',
  ])
  return renderTable(columns, rows, tableOpts(o))
}

/** A stored policy as YAML (the form people write it in), under a one-line title. */
export function policyText(p: StoredPolicy, style: Style): string {
  const who = p.userId === '' ? '' : ` by ${p.userId}`
  const title = style.bold(`Promotion policy of '${p.name}' for alias '${p.alias}'`)
  return `${title} (set${who} ${formatTime(p.updatedTimestamp)})\n${stringify(p.document).trimEnd()}\n`
}
