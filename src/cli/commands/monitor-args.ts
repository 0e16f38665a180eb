/** Monitor documents from `cairn monitor add` flags (or a YAML/JSON file), and the checks flags shared with `report`. */
import { readFileSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import { parse as parseYaml } from 'yaml'
import { collect } from './tracking-options.js'

export interface CheckFlags {
  drift?: boolean
  driftMethod?: string
  driftThreshold?: string
  driftShare?: string
  driftColumns?: string
  validation?: boolean
  maxFailures?: string
  quality?: string[]
  minLabelled?: string
  reference?: string
  current?: string
  predictionLog?: string
  window: string
}

export interface AddFlags extends CheckFlags {
  model?: string
  cron?: string
  timezone: string
  webhook?: string[]
  webhookSecretEnv?: string
  pipeline?: string
  pipelineSchedule?: string
  cooldown?: string
}

/** `accuracy>=0.8`, `rmse<=3.5`, `auc` (measured, not judged). */
export function parseQualityFlag(text: string): { metric: string; min?: number; max?: number } {
  const m = /^\s*([a-z0-9_]+)\s*(?:(>=|<=)\s*(-?[\d.]+(?:e-?\d+)?))?\s*$/i.exec(text)
  if (!m)
    throw new InvalidArgumentError(
      `expected METRIC, METRIC>=X or METRIC<=X (e.g. accuracy>=0.8), got '${text}'`,
    )
  const metric = m[1]!.toLowerCase()
  if (m[2] === undefined) return { metric }
  const v = Number(m[3])
  return m[2] === '>=' ? { metric, min: v } : { metric, max: v }
}

export function addCheckOptions(cmd: Command): Command {
  return cmd
    .option('--window <duration>', 'how far back from now the current data reaches (e.g. 1h, 24h, 7d)', '24h')
    .option('--reference <file>', "reference dataset (default: the model version's reference profile)")
    .option('--current <file>', 'current data: a dataset file instead of the prediction log window')
    .option(
      '--prediction-log <dir>',
      "the model's prediction-log folder (default: $CAIRN_HOME/predictions/<model>)",
    )
    .option('--no-drift', 'no drift check')
    .option(
      '--drift-method <method>',
      'one drift method for every column (ks, chisquare, z, wasserstein, jensenshannon, psi)',
    )
    .option('--drift-threshold <x>', "the method's threshold for every column")
    .option('--drift-share <share>', 'dataset drift when at least this share of columns drift', '0.5')
    .option(
      '--drift-columns <a,b,…>',
      'columns compared (default: every reference column in the current data)',
    )
    .option('--validation', 'check the expectations of the reference')
    .option('--max-failures <n>', 'failed expectations tolerated', '0')
    .option(
      '--quality <metric>',
      'live quality against /feedback: accuracy>=0.8, rmse<=3, auc (repeatable)',
      collect,
    )
    .option('--min-labelled <n>', 'fewer predictions with ground truth than this: quality not judged', '1')
}

/** The `checks`, `current` and `reference` parts of a monitor document. */
export function checksFromFlags(f: CheckFlags): Record<string, unknown> {
  const checks: Record<string, unknown> = {}
  if (f.drift !== false) {
    checks['drift'] = {
      drift_share: f.driftShare,
      ...(f.driftMethod ? { method: f.driftMethod } : {}),
      ...(f.driftThreshold ? { threshold: f.driftThreshold } : {}),
      ...(f.driftColumns ? { columns: f.driftColumns.split(',').map((c) => c.trim()) } : {}),
    }
  }
  if (f.validation) checks['validation'] = { max_failures: f.maxFailures }
  if (f.quality?.length)
    checks['quality'] = { checks: f.quality.map(parseQualityFlag), min_labelled: f.minLabelled }
  return {
    window: f.window,
    checks,
    ...(f.current ? { current: { file: resolve(f.current) } } : {}),
    ...(f.predictionLog ? { current: { prediction_log: { dir: resolve(f.predictionLog) } } } : {}),
    ...(f.reference ? { reference: { file: resolve(f.reference) } } : {}),
  }
}

const isDocument = (arg: string): boolean => ['.yaml', '.yml', '.json'].includes(extname(arg).toLowerCase())

/** A monitor document from a file argument, or from a name and flags. */
export function monitorDocument(arg: string, f: AddFlags): Record<string, unknown> {
  if (isDocument(arg)) {
    let doc: unknown
    try {
      const text = readFileSync(arg, 'utf8')
      doc = extname(arg).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text)
    } catch (err) {
      throw new Error(`cannot read monitor file ${arg}: ${(err as Error).message}`)
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
      throw new Error(`${arg} must hold a monitor object`)
    return doc as Record<string, unknown>
  }
  if (!f.model) throw new Error('give a monitor file (.yaml/.json), or a name with --model <uri>')
  const alerts: Record<string, unknown> = {}
  if (f.webhook?.length)
    alerts['webhooks'] = f.webhook.map((url) => ({
      url,
      ...(f.webhookSecretEnv ? { secret_env: f.webhookSecretEnv } : {}),
    }))
  if (f.pipeline) alerts['pipeline'] = { spec: resolve(f.pipeline) }
  if (f.pipelineSchedule) alerts['pipeline'] = { schedule: f.pipelineSchedule }
  if (f.cooldown) alerts['cooldown'] = f.cooldown
  return {
    name: arg,
    model: f.model,
    ...checksFromFlags(f),
    ...(f.cron ? { schedule: { cron: f.cron, timezone: f.timezone } } : {}),
    ...(Object.keys(alerts).length ? { alerts } : {}),
  }
}
