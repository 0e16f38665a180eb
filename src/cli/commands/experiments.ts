/** `cairn experiments list`: the experiments on a tracking server, as a table or JSON. */
import { Option, type Command } from 'commander'
import type { Experiment, ViewType } from '../../protocol/entities.js'
import { renderTable, type Column, type Row } from '../format/table.js'
import { formatTime, jsonText } from '../format/values.js'
import {
  addTrackingOptions,
  collect,
  positiveInt,
  terminalOutput,
  withClient,
  type Output,
  type TrackingFlags,
} from './tracking-options.js'

const VIEWS: Record<string, ViewType> = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' }

interface ListFlags extends TrackingFlags {
  view: keyof typeof VIEWS
  filter?: string
  orderBy?: string[]
  maxResults?: number
}

export function registerExperimentsCommand(program: Command): void {
  const experiments = program.command('experiments').description('Inspect experiments on a tracking server')
  addTrackingOptions(
    experiments
      .command('list')
      .description('List experiments (id, name, creation time, artifact location)')
      .addOption(
        new Option('--view <view>', 'which experiments').choices(Object.keys(VIEWS)).default('active'),
      )
      .option('--filter <expr>', `search filter, e.g. "name LIKE 'mnist%'" or "tags.team = 'vision'"`)
      .option('--order-by <clause>', 'sort, e.g. "name ASC" or "creation_time DESC" (repeatable)', collect)
      .option('--max-results <n>', 'list at most n experiments (default: all)', positiveInt),
  ).action(async (flags: ListFlags) => {
    await withClient(flags, async (client) => {
      const page = await client.searchExperiments({
        autoPaginate: true,
        viewType: VIEWS[flags.view]!,
        ...(flags.filter ? { filter: flags.filter } : {}),
        ...(flags.orderBy ? { orderBy: flags.orderBy } : {}),
        ...(flags.maxResults !== undefined ? { maxResults: flags.maxResults } : {}),
      })
      const out = terminalOutput()
      if (flags.json) {
        out.write(jsonText({ experiments: page.experiments }))
        return
      }
      out.write(experimentsTable(page.experiments, flags.view !== 'active', out))
      if (page.nextPageToken !== null)
        out.note(`(first ${page.experiments.length} shown; raise --max-results for more)`)
    })
  })
}

function experimentsTable(experiments: Experiment[], showStage: boolean, out: Output): string {
  const columns: Column[] = [
    { header: 'ID', align: 'right' },
    { header: 'Name' },
    ...(showStage ? [{ header: 'Stage' }] : []),
    { header: 'Created' },
    { header: 'Artifact Location' },
  ]
  const rows: Row[] = experiments.map((e) => [
    e.experimentId,
    e.name,
    ...(showStage
      ? [e.lifecycleStage === 'deleted' ? { text: 'deleted', paint: out.style.red } : 'active']
      : []),
    formatTime(e.creationTime),
    e.artifactLocation,
  ])
  return renderTable(columns, rows, {
    style: out.style,
    ...(out.maxCellWidth !== undefined ? { maxCellWidth: out.maxCellWidth } : {}),
  })
}
