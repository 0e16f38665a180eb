/**
 * `cairn runs compare ID...`: params side by side with differing rows marked, the latest value
 * of each metric with the best one marked, and optionally tags.
 */
import type { Command } from 'commander'
import { CairnApiError, type CairnClient } from '../../client/index.js'
import type { Run } from '../../protocol/entities.js'
import { paintStatus } from '../format/run-columns.js'
import { renderTable, type Cell, type Column, type Row } from '../format/table.js'
import { formatDuration, formatNumber, formatTime, jsonText, shortId } from '../format/values.js'
import {
  addTrackingOptions,
  collect,
  terminalOutput,
  withClient,
  type Output,
  type TrackingFlags,
} from './tracking-options.js'

interface CompareFlags extends TrackingFlags {
  tags?: boolean
  minimize?: string[]
  maximize?: string[]
}

export type Goal = 'min' | 'max'

export interface ValueRow<T> {
  key: string
  /** Run id → value; null where the run has none. */
  values: Record<string, T | null>
}

export interface Comparison {
  runs: {
    runId: string
    runName: string
    experimentId: string
    status: string
    startTime: number
    endTime: number | null
  }[]
  params: (ValueRow<string> & { differs: boolean })[]
  metrics: (ValueRow<number> & { goal: Goal; best: string[] })[]
  tags?: (ValueRow<string> & { differs: boolean })[]
}

// Words in a metric name that mean smaller is better.
const LOWER_IS_BETTER =
  /(^|[^a-z])(loss|error|err|rmse|mse|mae|mape|smape|logloss|perplexity|ppl|wer|cer|fpr|fnr|latency|time|duration|seconds|ms|cost|regret|distance)([^a-z]|$)/i

export function goalFor(key: string, overrides: { minimize: string[]; maximize: string[] }): Goal {
  if (overrides.minimize.includes(key)) return 'min'
  if (overrides.maximize.includes(key)) return 'max'
  return LOWER_IS_BETTER.test(key) || /loss$/i.test(key) ? 'min' : 'max'
}

const sortedKeys = (lists: { key: string }[][]): string[] =>
  [...new Set(lists.flatMap((l) => l.map((x) => x.key)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

function stringRows(
  runs: Run[],
  pick: (r: Run) => { key: string; value: string }[],
): (ValueRow<string> & { differs: boolean })[] {
  return sortedKeys(runs.map(pick)).map((key) => {
    const values: Record<string, string | null> = {}
    for (const r of runs) values[r.info.runId] = pick(r).find((x) => x.key === key)?.value ?? null
    return { key, values, differs: new Set(Object.values(values)).size > 1 }
  })
}

export function compareRuns(
  runs: Run[],
  opts: { minimize: string[]; maximize: string[]; tags: boolean },
): Comparison {
  const metrics = sortedKeys(runs.map((r) => r.data.metrics)).map((key) => {
    const values: Record<string, number | null> = {}
    for (const r of runs) values[r.info.runId] = r.data.metrics.find((m) => m.key === key)?.value ?? null
    const goal = goalFor(key, opts)
    const numbers = Object.values(values).filter((v): v is number => v !== null && !Number.isNaN(v))
    const bestValue = goal === 'min' ? Math.min(...numbers) : Math.max(...numbers)
    // A best value means something only when runs disagree.
    const best =
      numbers.length >= 2 && new Set(numbers).size > 1
        ? Object.keys(values).filter((id) => values[id] === bestValue)
        : []
    return { key, values, goal, best }
  })
  const out: Comparison = {
    runs: runs.map((r) => ({
      runId: r.info.runId,
      runName: r.info.runName,
      experimentId: r.info.experimentId,
      status: r.info.status,
      startTime: r.info.startTime,
      endTime: r.info.endTime,
    })),
    params: stringRows(runs, (r) => r.data.params),
    metrics,
  }
  if (opts.tags) out.tags = stringRows(runs, (r) => r.data.tags.filter((t) => !t.key.startsWith('mlflow.')))
  return out
}

export function registerRunsCompare(runs: Command): void {
  addTrackingOptions(
    runs
      .command('compare')
      .description('Compare runs: params side by side (differences marked), latest metrics (best marked)')
      .argument(
        '<run-ids...>',
        'run ids, or unique prefixes of them (8 characters as `cairn runs list` shows)',
      )
      .option('--tags', 'also compare tags (except mlflow.* system tags)')
      .option(
        '--minimize <metric>',
        'lower is better for this metric (repeatable; default guessed from the name)',
        collect,
      )
      .option('--maximize <metric>', 'higher is better for this metric (repeatable)', collect),
  ).action(async (ids: string[], flags: CompareFlags) => {
    await withClient(flags, async (client) => {
      const runIds = [...new Set(await Promise.all(ids.map((id) => resolveRunId(client, id))))]
      const fetched = await Promise.all(runIds.map((id) => getRunOrExplain(client, id)))
      const comparison = compareRuns(fetched, {
        minimize: flags.minimize ?? [],
        maximize: flags.maximize ?? [],
        tags: flags.tags ?? false,
      })
      const out = terminalOutput()
      out.write(flags.json ? jsonText(comparison) : renderComparison(comparison, out))
    })
  })
}

async function getRunOrExplain(client: CairnClient, runId: string): Promise<Run> {
  try {
    return await client.getRun(runId)
  } catch (err) {
    if (err instanceof CairnApiError && err.code === 'RESOURCE_DOES_NOT_EXIST')
      throw new Error(`run '${runId}' not found`)
    throw err
  }
}

/** Full ids pass through; short hex prefixes are looked up across all experiments. */
export async function resolveRunId(client: CairnClient, text: string): Promise<string> {
  if (!/^[0-9a-f]{4,31}$/i.test(text)) return text
  const experiments = await client.searchExperiments({ autoPaginate: true, viewType: 'ALL' })
  const found = await client.searchRuns({
    experimentIds: experiments.experiments.map((e) => e.experimentId),
    filter: `attributes.run_id LIKE '${text.toLowerCase()}%'`,
    runViewType: 'ALL',
    maxResults: 5,
  })
  const ids = found.runs.map((r) => r.info.runId)
  if (ids.length === 1) return ids[0]!
  if (ids.length === 0) throw new Error(`no run id starts with '${text}'`)
  throw new Error(
    `run id prefix '${text}' is ambiguous: ${ids.join(', ')}${found.nextPageToken ? ', …' : ''}`,
  )
}

export function renderComparison(c: Comparison, out: Output): string {
  const s = out.style
  const ids = c.runs.map((r) => r.runId)
  const columns: Column[] = [
    { header: '' },
    { header: 'Key' },
    ...c.runs.map((r) => ({ header: shortId(r.runId), align: 'left' as const })),
  ]
  const missing: Cell = { text: '-', paint: s.dim }
  const rows: Row[] = [
    ['', 'name', ...c.runs.map((r) => r.runName)],
    ['', 'status', ...c.runs.map((r): Cell => ({ text: r.status, paint: paintStatus(r.status, s) }))],
    ['', 'started', ...c.runs.map((r) => formatTime(r.startTime))],
    [
      '',
      'duration',
      ...c.runs.map((r) => (r.endTime === null ? '-' : formatDuration(r.endTime - r.startTime))),
    ],
  ]
  const stringSection = (title: string, list: (ValueRow<string> & { differs: boolean })[]): void => {
    rows.push({ section: list.length === 0 ? `${title}: none` : title })
    for (const p of list) {
      const paint = p.differs ? s.yellow : undefined
      rows.push([
        p.differs ? { text: '*', paint: s.yellow } : '',
        p.key,
        ...ids.map((id): Cell => {
          const v = p.values[id] ?? null
          return v === null ? missing : paint ? { text: v, paint } : v
        }),
      ])
    }
  }
  stringSection('Params', c.params)
  rows.push({ section: c.metrics.length === 0 ? 'Metrics: none' : 'Metrics (latest value)' })
  for (const m of c.metrics) {
    rows.push([
      '',
      `${m.key} (${m.goal})`,
      ...ids.map((id): Cell => {
        const v = m.values[id] ?? null
        if (v === null) return missing
        return m.best.includes(id)
          ? { text: `${formatNumber(v)} (best)`, paint: (x) => s.bold(s.green(x)) }
          : formatNumber(v)
      }),
    ])
  }
  if (c.tags) stringSection('Tags', c.tags)
  const table = renderTable(columns, rows, {
    style: s,
    ...(out.maxCellWidth !== undefined ? { maxCellWidth: out.maxCellWidth } : {}),
  })
  return `${table}\n${s.dim('* values differ between runs; (best) marks the best latest value: (max) higher is better, (min) lower is better')}\n`
}
