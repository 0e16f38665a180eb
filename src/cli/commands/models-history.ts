/** `cairn models rollback`, `cairn models history` and `cairn models resolve`. */
import type { Command } from 'commander'
import { fieldList, historyTable } from '../format/registry.js'
import { jsonText } from '../format/values.js'
import {
  addTrackingOptions,
  positiveInt,
  terminalOutput,
  withClient,
  type TrackingFlags,
} from './tracking-options.js'

interface RollbackFlags extends TrackingFlags {
  alias: string
  reason?: string
}

interface HistoryFlags extends TrackingFlags {
  alias?: string
  maxResults: number
}

export function registerModelHistoryCommands(models: Command): void {
  addTrackingOptions(
    models
      .command('rollback')
      .summary('Move an alias back to its previous version')
      .description(
        'Move an alias back to the version it pointed at before (from the audit trail); repeat to walk further back',
      )
      .argument('<name>', 'registered model name')
      .option('--alias <alias>', 'the alias to move back', 'champion')
      .option('--reason <text>', 'why, for the audit trail'),
  ).action(async (name: string, flags: RollbackFlags) => {
    await withClient(flags, async (client) => {
      const r = await client.registry.rollback(name, {
        alias: flags.alias,
        ...(flags.reason ? { reason: flags.reason } : {}),
      })
      const out = terminalOutput()
      if (flags.json) return out.write(jsonText(r))
      const from = r.fromVersion === null ? 'unset' : `version ${r.fromVersion}`
      out.write(
        `Rolled back '${r.alias}' of '${r.name}': ${from} → version ${r.toVersion} (event ${r.eventId})\n`,
      )
    })
  })

  addTrackingOptions(
    models
      .command('history')
      .summary("A model's audit trail, newest first")
      .description(
        "A model's audit trail, newest first: alias moves, promotions, rollbacks, stage transitions, versions created and deleted, policy changes",
      )
      .argument('<name>', 'registered model name')
      .option('--alias <alias>', "only this alias's events")
      .option('--max-results <n>', 'show at most n events', positiveInt, 100),
  ).action(async (name: string, flags: HistoryFlags) => {
    await withClient(flags, async (client) => {
      const page = await client.registry.getHistory(name, {
        autoPaginate: true,
        maxResults: flags.maxResults,
        ...(flags.alias ? { alias: flags.alias } : {}),
      })
      const out = terminalOutput()
      if (flags.json) return out.write(jsonText(page))
      if (page.events.length === 0) return out.write('(no events)\n')
      out.write(
        historyTable(page.events, {
          style: out.style,
          ...(out.maxCellWidth !== undefined ? { maxCellWidth: out.maxCellWidth } : {}),
        }),
      )
      if (page.nextPageToken !== null)
        out.note(`(newest ${page.events.length} events shown; raise --max-results for more)`)
    })
  })

  addTrackingOptions(
    models
      .command('resolve')
      .summary('Resolve a model URI to a version and its files')
      .description(
        'Resolve a model URI to a version and the location of its files: models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE, models:/NAME/latest, runs:/RUN_ID/PATH',
      )
      .argument('<uri>', 'the model URI'),
  ).action(async (uri: string, flags: TrackingFlags) => {
    await withClient(flags, async (client) => {
      const r = await client.registry.resolve(uri)
      const out = terminalOutput()
      if (flags.json) return out.write(jsonText(r))
      const fields: [string, string][] = [['URI', r.uri]]
      const v = r.modelVersion
      if (v) {
        fields.push(
          ['Model', v.name],
          ['Version', v.version],
          ['Status', v.status],
          ['Stage', v.currentStage],
        )
        if (v.aliases.length > 0) fields.push(['Aliases', v.aliases.join(', ')])
      }
      if (r.runId !== undefined) fields.push(['Run', r.runId])
      fields.push(['Location', r.location])
      out.write(fieldList(fields, out.style))
    })
  })
}
