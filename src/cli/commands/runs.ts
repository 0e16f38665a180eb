/** `cairn runs list` and `cairn runs compare`: runs of an experiment side by side in a terminal. */
import { Option, type Command } from 'commander'
import type { CairnClient } from '../../client/index.js'
import type { Run, ViewType } from '../../protocol/entities.js'
import {
  BASE_COLUMNS,
  columnHeader,
  parseColumn,
  pickColumns,
  runCell,
  type RunColumn,
} from '../format/run-columns.js'
import { renderTable } from '../format/table.js'
import { jsonText } from '../format/values.js'
import { registerRunsCompare } from './runs-compare.js'
import {
  addTrackingOptions,
  collect,
  positiveInt,
  terminalOutput,
  withClient,
  type TrackingFlags,
} from './tracking-options.js'

const VIEWS: Record<string, ViewType> = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' }

interface ListFlags extends TrackingFlags {
  experiment: string[]
  filter?: string
  orderBy?: string[]
  columns?: string[]
  maxResults: number
  view: keyof typeof VIEWS
  fullIds?: boolean
}

export function registerRunsCommand(program: Command): void {
  const runs = program.command('runs').description('List and compare runs')
  addTrackingOptions(
    runs
      .command('list')
      .description('List the runs of one or more experiments as an aligned table')
      .requiredOption('-e, --experiment <name-or-id>', 'experiment name or id (repeatable)', collect)
      .option('--filter <expr>', `search filter, e.g. "metrics.acc > 0.9 and params.optimizer = 'adam'"`)
      .option('--order-by <clause>', 'sort, e.g. "metrics.acc DESC" (repeatable)', collect)
      .option(
        '--columns <list>',
        'extra columns, comma-separated: params.<key>, metrics.<key>, tags.<key>, end_time, duration, user_id, … (default: a pick of varying params and common metrics)',
        collect,
      )
      .option('--max-results <n>', 'show at most n runs', positiveInt, 100)
      .addOption(new Option('--view <view>', 'which runs').choices(Object.keys(VIEWS)).default('active'))
      .option('--full-ids', 'show whole run ids'),
  ).action(async (flags: ListFlags, cmd: Command) => {
    let columns: RunColumn[] | null = null
    if (flags.columns) {
      try {
        columns = splitColumns(flags.columns).map(parseColumn)
      } catch (err) {
        cmd.error(`error: ${(err as Error).message}`, { exitCode: 2, code: 'cairn.invalidColumns' })
      }
    }
    await withClient(flags, async (client) => {
      const experimentIds = await Promise.all(flags.experiment.map((e) => resolveExperiment(client, e)))
      const page = await client.searchRuns({
        experimentIds,
        autoPaginate: true,
        maxResults: flags.maxResults,
        runViewType: VIEWS[flags.view]!,
        ...(flags.filter ? { filter: flags.filter } : {}),
        ...(flags.orderBy ? { orderBy: flags.orderBy } : {}),
      })
      const out = terminalOutput()
      if (flags.json) {
        out.write(jsonText({ experimentIds, runs: page.runs, nextPageToken: page.nextPageToken }))
        return
      }
      out.write(
        runsTable(page.runs, columns ?? pickColumns(page.runs, flags.orderBy ?? []), {
          ...out,
          fullIds: flags.fullIds ?? false,
        }),
      )
      if (page.nextPageToken !== null)
        out.note(`(first ${page.runs.length} runs shown; raise --max-results for more)`)
    })
  })
  registerRunsCompare(runs)
}

/** `a,b` and repeated flags alike; commas inside backticks or quotes stay in the key. */
export function splitColumns(values: string[]): string[] {
  const out: string[] = []
  for (const value of values) {
    for (const part of value.match(/(?:`[^`]*`|"[^"]*"|[^,])+/g) ?? []) {
      if (part.trim() !== '') out.push(part.trim())
    }
  }
  return out
}

/** An experiment by id when the text is a number that names one, else by name. */
export async function resolveExperiment(client: CairnClient, text: string): Promise<string> {
  if (/^\d+$/.test(text)) {
    try {
      return (await client.getExperiment(text)).experimentId
    } catch {
      // Not an id after all: a name made of digits.
    }
  }
  const byName = await client.getExperimentByName(text)
  if (byName === null) {
    throw new Error(`no experiment named or numbered '${text}' (see \`cairn experiments list\`)`)
  }
  return byName.experimentId
}

function runsTable(
  runs: Run[],
  extra: RunColumn[],
  out: ReturnType<typeof terminalOutput> & { fullIds: boolean },
): string {
  const base = BASE_COLUMNS.filter((b) => !extra.some((c) => c.kind === b.kind && c.key === b.key))
  const columns = [...base, ...extra]
  return renderTable(
    columns.map(columnHeader),
    runs.map((run) => columns.map((col) => runCell(run, col, { style: out.style, fullIds: out.fullIds }))),
    { style: out.style, ...(out.maxCellWidth !== undefined ? { maxCellWidth: out.maxCellWidth } : {}) },
  )
}
