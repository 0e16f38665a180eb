/**
 * `cairn models …`: the model registry from a terminal. This file holds the group and the
 * read-only views (list, show, versions); changes live in models-change.ts, promotion and
 * policies in models-promote.ts, rollback, history and resolve in models-history.ts.
 */
import type { Command } from 'commander'
import type { CairnClient } from '../../client/index.js'
import type { RegisteredModel, StoredPolicy } from '../../protocol/registry-entities.js'
import { aliasesByVersion, aliasSummary, fieldList, policyText, versionsTable } from '../format/registry.js'
import { renderTable, type Column } from '../format/table.js'
import { formatTime, jsonText } from '../format/values.js'
import { quoted } from './models-args.js'
import { registerModelChangeCommands } from './models-change.js'
import { registerModelHistoryCommands } from './models-history.js'
import { registerModelPromoteCommands } from './models-promote.js'
import {
  addTrackingOptions,
  collect,
  positiveInt,
  terminalOutput,
  withClient,
  type Output,
  type TrackingFlags,
} from './tracking-options.js'

const tableOpts = (out: Output) => ({
  style: out.style,
  ...(out.maxCellWidth !== undefined ? { maxCellWidth: out.maxCellWidth } : {}),
})

interface ListFlags extends TrackingFlags {
  filter?: string
  orderBy?: string[]
  maxResults?: number
}

interface VersionsFlags extends ListFlags {
  fullIds?: boolean
}

export function registerModelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description('The model registry: versions, aliases, promotion policies, rollback, audit trail')
  addTrackingOptions(
    models
      .command('list')
      .description('List registered models (name, highest version, aliases, last change)')
      .option('--filter <expr>', `search filter, e.g. "name LIKE 'fraud%'" or "tags.team = 'risk'"`)
      .option(
        '--order-by <clause>',
        'sort, e.g. "name ASC" or "last_updated_timestamp DESC" (repeatable)',
        collect,
      )
      .option('--max-results <n>', 'list at most n models (default: all)', positiveInt),
  ).action(async (flags: ListFlags) => {
    await withClient(flags, async (client) => {
      const page = await client.registry.searchRegisteredModels({
        autoPaginate: true,
        ...(flags.filter ? { filter: flags.filter } : {}),
        ...(flags.orderBy ? { orderBy: flags.orderBy } : {}),
        ...(flags.maxResults !== undefined ? { maxResults: flags.maxResults } : {}),
      })
      const out = terminalOutput()
      if (flags.json) return out.write(jsonText(page))
      out.write(modelsTable(page.registeredModels, out))
      if (page.nextPageToken !== null)
        out.note(`(first ${page.registeredModels.length} shown; raise --max-results for more)`)
    })
  })

  addTrackingOptions(
    models
      .command('show')
      .description('Show a registered model: description, tags, aliases, latest versions, promotion policies')
      .argument('<name>', 'registered model name'),
  ).action(async (name: string, flags: TrackingFlags) => {
    await withClient(flags, async (client) => {
      const model = await client.registry.getRegisteredModel(name)
      const policies = await policiesOf(client, model)
      const out = terminalOutput()
      if (flags.json) return out.write(jsonText({ registeredModel: model, policies }))
      out.write(showText(model, policies, out))
    })
  })

  addTrackingOptions(
    models
      .command('versions')
      .description('List the versions of a model: version, status, stage, aliases, run, created, source')
      .argument('<name>', 'registered model name')
      .option('--filter <expr>', `more conditions, e.g. "tags.validated = 'true'" or "run_id = '…'"`)
      .option('--order-by <clause>', 'sort (default "version_number DESC"; repeatable)', collect)
      .option('--max-results <n>', 'show at most n versions (default: all)', positiveInt)
      .option('--full-ids', 'show whole run ids'),
  ).action(async (name: string, flags: VersionsFlags) => {
    await withClient(flags, async (client) => {
      // Also the check that the model exists: a search for an unknown name finds nothing, silently.
      const model = await client.registry.getRegisteredModel(name)
      const byName = `name = ${quoted(name)}`
      const page = await client.registry.searchModelVersions({
        autoPaginate: true,
        // Parentheses only where needed: MLflow's servers do not read them.
        filter: flags.filter
          ? `${byName} AND ${/\bor\b/i.test(flags.filter) ? `(${flags.filter})` : flags.filter}`
          : byName,
        orderBy: flags.orderBy ?? ['version_number DESC'],
        ...(flags.maxResults !== undefined ? { maxResults: flags.maxResults } : {}),
      })
      // Search answers carry no aliases (as MLflow's); the model has them.
      const aliases = aliasesByVersion(model.aliases)
      const versions = page.modelVersions.map((v) => ({ ...v, aliases: aliases.get(v.version) ?? [] }))
      const out = terminalOutput()
      if (flags.json)
        return out.write(jsonText({ modelVersions: versions, nextPageToken: page.nextPageToken }))
      out.write(versionsTable(versions, { ...tableOpts(out), fullIds: flags.fullIds ?? false }))
      if (page.nextPageToken !== null)
        out.note(`(first ${versions.length} shown; raise --max-results for more)`)
    })
  })

  registerModelChangeCommands(models)
  registerModelPromoteCommands(models)
  registerModelHistoryCommands(models)
}

function modelsTable(models: RegisteredModel[], out: Output): string {
  const columns: Column[] = [
    { header: 'Name' },
    { header: 'Latest', align: 'right' },
    { header: 'Aliases' },
    { header: 'Updated' },
    { header: 'Description' },
  ]
  const rows = models.map((m) => {
    const latest = Math.max(0, ...m.latestVersions.map((v) => Number(v.version)))
    return [
      m.name,
      latest === 0 ? '-' : String(latest),
      m.aliases.length > 0 ? aliasSummary(m.aliases) : '-',
      formatTime(m.lastUpdatedTimestamp),
      m.description.split('\n')[0] ?? '',
    ]
  })
  return renderTable(columns, rows, tableOpts(out))
}

/** The policies of the model's aliases and of `champion` (the default one), where set. */
async function policiesOf(client: CairnClient, model: RegisteredModel): Promise<StoredPolicy[]> {
  const aliases = [...new Set(['champion', ...model.aliases.map((a) => a.alias)])]
  const found = await Promise.all(aliases.map((a) => client.registry.getPolicy(model.name, a)))
  return found.filter((p): p is StoredPolicy => p !== null)
}

function showText(m: RegisteredModel, policies: StoredPolicy[], out: Output): string {
  const { style } = out
  const by = m.userId === '' ? '' : ` by ${m.userId}`
  const parts = [
    fieldList(
      [
        ['Model', m.name],
        ['Description', m.description === '' ? '-' : m.description],
        ['Created', `${formatTime(m.creationTimestamp)}${by}`],
        ['Updated', formatTime(m.lastUpdatedTimestamp)],
        ['Tags', m.tags.length === 0 ? '-' : m.tags.map((t) => `${t.key}=${t.value}`).join(', ')],
      ],
      style,
    ),
  ]
  const section = (title: string, body: string): string => `${style.bold(title)}\n${body}`
  const aliases = aliasesByVersion(m.aliases)
  const latest = m.latestVersions.map((v) => ({ ...v, aliases: aliases.get(v.version) ?? [] }))
  parts.push(
    section(
      'Aliases',
      m.aliases.length === 0
        ? '(none)\n'
        : renderTable(
            [{ header: 'Alias' }, { header: 'Version', align: 'right' }],
            m.aliases.map((a) => [a.alias, a.version]),
            tableOpts(out),
          ),
    ),
    section(
      'Latest version per stage',
      latest.length === 0 ? '(no versions)\n' : versionsTable(latest, tableOpts(out)),
    ),
    section(
      'Promotion policies',
      policies.length === 0 ? '(none)\n' : policies.map((p) => policyText(p, style)).join('\n'),
    ),
  )
  return parts.join('\n')
}
