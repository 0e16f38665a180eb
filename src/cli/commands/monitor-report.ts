/**
 * `cairn monitor report MODEL_URI --window 24h [--current FILE] [--out DIR] [--json]`: the checks
 * of a monitor computed here, on this machine's prediction log (or any dataset file), written as
 * report.json and a self-contained report.html that opens offline. Exit code 1 when a check fails.
 */
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { reportNow } from '../../monitoring/monitors/report-now.js'
import { cairnHome } from '../../server/config.js'
import { jsonText } from '../format/values.js'
import { describeRun } from './monitor-format.js'
import { addCheckOptions, checksFromFlags, type CheckFlags } from './monitor-args.js'
import {
  addTrackingOptions,
  clientFor,
  explain,
  terminalOutput,
  type TrackingFlags,
} from './tracking-options.js'

interface ReportFlags extends CheckFlags, TrackingFlags {
  out?: string
}

const stamp = (t: number): string =>
  new Date(t).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')

export function registerMonitorReport(monitor: Command): void {
  addCheckOptions(
    addTrackingOptions(
      monitor
        .command('report')
        .description(
          "Write a drift, validation and quality report (JSON and offline HTML) for a model's recent data",
        )
        .argument('<model-uri>', 'the model, e.g. models:/churn@champion')
        .option(
          '--out <dir>',
          'folder for report.json and report.html (default: ./cairn-report-<model>-<time>)',
        ),
    ),
  ).action(async (uri: string, flags: ReportFlags) => {
    const client = clientFor(flags)
    try {
      const end = Date.now()
      const model = /^models:\/([^/@]+)/.exec(uri)?.[1] ?? 'model'
      const dir = resolve(flags.out ?? `cairn-report-${model.replace(/[^\w.-]+/g, '_')}-${stamp(end)}`)
      const { evaluation, report } = await reportNow({
        monitor: { model: uri, ...checksFromFlags(flags) },
        client,
        predictionLogRoot: join(cairnHome(), 'predictions'),
        end,
        out: dir,
      })
      const out = terminalOutput()
      if (flags.json) out.write(jsonText(report))
      else {
        out.write(
          describeRun(
            {
              monitor: uri,
              run_id: 'not recorded',
              experiment_id: '',
              status: evaluation.status,
              message: evaluation.message,
              checks: evaluation.checks,
              summary: evaluation.summary,
            },
            out.style,
          ).replace('  (run not recorded)', ''),
        )
        out.write(`wrote ${join(dir, 'report.html')} and report.json\n`)
      }
      if (evaluation.status === 'failed' || evaluation.status === 'error') process.exitCode = 1
    } catch (err) {
      throw explain(err, client)
    }
  })
}
