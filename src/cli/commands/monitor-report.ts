/**
 * `cairn monitor report MODEL_URI --window 24h [--current FILE] [--out DIR] [--json]`: the checks
 * of a monitor computed here, on this machine's prediction log (or any dataset file), written as
 * report.json and a self-contained report.html that opens offline. Exit code 1 when a check fails.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { CairnNetworkError, type CairnClient } from '../../client/index.js'
import { monitoringCore } from '../../monitoring/monitors/core-adapter.js'
import { createEvaluator } from '../../monitoring/monitors/evaluate.js'
import type { ModelInfo } from '../../monitoring/monitors/evaluation.js'
import { normalizeMonitor } from '../../monitoring/monitors/spec.js'
import { renderReportHtml } from '../../monitoring/report/report-html.js'
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

/** The model from the registry; with data given as files, a server that cannot be reached is not needed. */
async function resolveModel(client: CairnClient, uri: string, offlineOk: boolean): Promise<ModelInfo> {
  try {
    const r = await client.registry.resolve(uri)
    return {
      uri,
      name: r.modelVersion?.name ?? null,
      version: r.modelVersion?.version ?? null,
      runId: r.runId ?? null,
      location: r.location,
    }
  } catch (err) {
    if (!(err instanceof CairnNetworkError) || !offlineOk) throw err
    const name = /^models:\/([^/@]+)/.exec(uri)?.[1] ?? null
    return { uri, name, version: null, runId: null, location: null }
  }
}

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
      const spec = normalizeMonitor({ name: 'report', model: uri, ...checksFromFlags(flags) })
      const model = await resolveModel(client, uri, spec.referenceFile !== undefined)
      const end = Date.now()
      const evaluate = createEvaluator({
        core: monitoringCore(() => client),
        predictionLogRoot: join(cairnHome(), 'predictions'),
      })
      const evaluation = await evaluate(spec, { model, window: { start: end - spec.windowMs, end } })
      const report = { ...evaluation.report, title: `Report: ${uri}`, monitor: null }
      const dir = resolve(
        flags.out ?? `cairn-report-${(model.name ?? 'model').replace(/[^\w.-]+/g, '_')}-${stamp(end)}`,
      )
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 2))
      writeFileSync(join(dir, 'report.html'), renderReportHtml(report))
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
