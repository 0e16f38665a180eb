/**
 * `cairn monitor add|list|get|run|pause|resume|delete|report`: monitors stored on the server and
 * run by its scheduler, run now from the CLI (exit code 1 when a check fails, for CI gates), and
 * reports computed here (monitor-report.ts).
 */
import type { Command } from 'commander'
import { stringify } from 'yaml'
import { HttpClient } from '../../client/http.js'
import { MonitorsClient } from '../../monitoring/monitors/client.js'
import type { WireMonitor } from '../../protocol/monitors-api.js'
import { renderTable } from '../format/table.js'
import type { Style } from '../format/style.js'
import { formatTime, jsonText } from '../format/values.js'
import { describeRun, statusCell } from './monitor-format.js'
import { addCheckOptions, monitorDocument, type AddFlags } from './monitor-args.js'
import { registerMonitorProfile } from './monitor-profile.js'
import { registerMonitorReport } from './monitor-report.js'
import {
  addTrackingOptions,
  collect,
  terminalOutput,
  withClient,
  type TrackingFlags,
} from './tracking-options.js'

function monitorTable(list: WireMonitor[], style: Style): string {
  return renderTable(
    [
      { header: 'NAME' },
      { header: 'MODEL' },
      { header: 'WINDOW' },
      { header: 'SCHEDULE' },
      { header: 'STATE' },
      { header: 'NEXT RUN' },
      { header: 'LAST' },
      { header: 'LAST RUN' },
    ],
    list.map((m) => {
      const schedule = m.monitor['schedule'] as { cron?: string } | undefined
      return [
        m.name,
        typeof m.monitor['model'] === 'string' ? m.monitor['model'] : '',
        typeof m.monitor['window'] === 'string' ? m.monitor['window'] : '',
        schedule?.cron ?? 'manual',
        m.paused ? { text: 'paused', paint: style.yellow } : 'active',
        formatTime(m.next_run_time),
        m.last_run ? statusCell(m.last_run.status, style) : '-',
        formatTime(m.last_run?.time),
      ]
    }),
    { style },
  )
}

export function registerMonitorCommand(program: Command): void {
  const monitor = program
    .command('monitor')
    .description('Watch models in production: drift, validation and live quality, on a schedule, with alerts')

  addCheckOptions(
    addTrackingOptions(
      monitor
        .command('add')
        .description('Define a monitor on the server, from a YAML/JSON file or from flags')
        .argument('<name-or-file>', 'monitor name (with --model), or a monitor file (.yaml, .json)')
        .option('--model <uri>', 'the model watched, e.g. models:/churn@champion')
        .option(
          '--cron <expr>',
          'when the server\'s scheduler runs it, e.g. "0 * * * *" (default: only on demand)',
        )
        .option('--timezone <tz>', 'IANA time zone the cron is read in', 'UTC')
        .option('--webhook <url>', 'POST a signed JSON alert here when it fails (repeatable)', collect)
        .option(
          '--webhook-secret-env <var>',
          "server environment variable holding the webhooks' signing secret",
        )
        .option('--pipeline <file>', "pipeline file (on the server's machine) to run when it fails")
        .option('--pipeline-schedule <name>', 'a schedule whose pipeline runs when it fails')
        .option('--cooldown <duration>', 'after an alert acted, later failures only log for this long', '1h'),
    ),
  ).action(async (arg: string, flags: AddFlags & TrackingFlags) => {
    const doc = monitorDocument(arg, flags)
    await withClient(flags, async (client) => {
      const m = await new MonitorsClient(client.http).create(doc)
      if (flags.json) return void process.stdout.write(jsonText(m))
      const when = m.next_run_time
        ? `next run ${formatTime(m.next_run_time)}`
        : 'runs on demand (cairn monitor run)'
      const model = typeof m.monitor['model'] === 'string' ? m.monitor['model'] : ''
      process.stdout.write(`monitor ${m.name} on ${model}: ${when}\n`)
    })
  })

  addTrackingOptions(monitor.command('list').description('List monitors with their last result')).action(
    async (flags: TrackingFlags) => {
      await withClient(flags, async (client) => {
        const list = await new MonitorsClient(client.http).list()
        const out = terminalOutput()
        if (flags.json) return out.write(jsonText(list))
        if (list.length === 0)
          return out.note('No monitors. Add one with `cairn monitor add <name> --model models:/m@champion`.')
        out.write(monitorTable(list, out.style))
      })
    },
  )

  addTrackingOptions(
    monitor
      .command('get')
      .description('Show a monitor: its definition and last run')
      .argument('<name>', 'monitor name'),
  ).action(async (name: string, flags: TrackingFlags) => {
    await withClient(flags, async (client) => {
      const m = await new MonitorsClient(client.http).get(name)
      process.stdout.write(flags.json ? jsonText(m) : stringify(m))
    })
  })

  addTrackingOptions(
    monitor
      .command('run')
      .description('Run a monitor now on the server; exit code 1 when a check fails or it cannot run')
      .argument('<name>', 'monitor name'),
  ).action(async (name: string, flags: TrackingFlags) => {
    await withClient(flags, async (client) => {
      // A run reads the whole window: give it longer than ordinary calls.
      const monitors = new MonitorsClient(
        new HttpClient({ trackingUri: client.trackingUri, timeoutMs: 600_000 }),
      )
      const run = await monitors.run(name)
      const out = terminalOutput()
      out.write(flags.json ? jsonText(run) : describeRun(run, out.style))
      if (run.status === 'failed' || run.status === 'error') process.exitCode = 1
    })
  })

  const simple = (
    cmd: string,
    description: string,
    act: (c: MonitorsClient, n: string) => Promise<string>,
  ): void => {
    addTrackingOptions(
      monitor.command(cmd).description(description).argument('<name>', 'monitor name'),
    ).action(async (n: string, flags: TrackingFlags) => {
      await withClient(flags, async (client) => {
        process.stdout.write(`${await act(new MonitorsClient(client.http), n)}\n`)
      })
    })
  }
  simple('pause', 'Stop scheduled runs', async (c, n) => {
    await c.pause(n)
    return `monitor ${n} paused`
  })
  simple('resume', 'Run on schedule again from now on', async (c, n) => {
    const m = await c.resume(n)
    return `monitor ${n} resumed; next run ${formatTime(m.next_run_time)}`
  })
  simple('delete', 'Delete a monitor (its runs stay in the cairn-monitoring experiment)', async (c, n) => {
    await c.delete(n)
    return `monitor ${n} deleted`
  })

  registerMonitorReport(monitor)
  registerMonitorProfile(monitor)
}
