/**
 * A monitor's definition: which model, which window of data, when, which checks with which
 * thresholds, and what to do when it fails. The same snake_case document is the YAML file
 * (`cairn monitor add monitor.yaml`), the JSON body of the create route and what the store keeps;
 * `normalizeMonitor` checks it once and gives the camelCase form the runner uses.
 *
 * ```yaml
 * name: churn
 * model: models:/churn@champion
 * window: 24h
 * schedule: { cron: "0 * * * *", timezone: UTC }
 * checks:
 *   drift: { threshold: 0.1, drift_share: 0.5, per_column: { age: { method: psi, threshold: 0.2 } } }
 *   validation: { max_failures: 0 }
 *   quality: [{ metric: accuracy, min: 0.8 }]
 * alerts:
 *   cooldown: 6h
 *   webhooks: [{ url: "https://hooks.example/cairn", secret_env: HOOK_SECRET }]
 *   pipeline: { schedule: churn-retrain }
 * ```
 */
import { invalidParameter } from '../../protocol/errors.js'
import { parseDuration } from '../../pipelines/spec/duration.js'
import { DRIFT_METHODS } from '../drift/types.js'

export const QUALITY_METRICS = [
  'accuracy',
  'auc',
  'f1',
  'precision',
  'recall',
  'mae',
  'rmse',
  'mse',
  'r2',
] as const
export type QualityMetricName = (typeof QUALITY_METRICS)[number]
export const CLASSIFICATION_METRICS: readonly QualityMetricName[] = [
  'accuracy',
  'auc',
  'f1',
  'precision',
  'recall',
]

export interface ColumnDriftOptions {
  method?: string
  threshold?: number
}

export interface DriftCheck {
  /** One method for every column (default: Evidently's choice by size and type). */
  method?: string
  threshold?: number
  /** Dataset drift when at least this share of columns drift (default 0.5). */
  driftShare: number
  /** Columns compared (default: every reference column). */
  columns?: string[]
  perColumn: Record<string, ColumnDriftOptions>
  /** `dataset` (default): the check fails on dataset drift; `column`: on any drifted column. */
  failOn: 'dataset' | 'column'
}

export interface ValidationCheck {
  /** Failed expectations tolerated (default 0). */
  maxFailures: number
  /** An expectations YAML file on the server's machine (default: inferred from the reference). */
  file?: string
}

/** A metric with its bounds; without bounds it is measured and recorded, not judged. */
export interface QualityCheck {
  metric: QualityMetricName
  min?: number
  max?: number
}

export interface QualityOptions {
  checks: QualityCheck[]
  /** Fewer labelled rows than this: quality is not judged (default 1). */
  minLabelled: number
  /** The model output compared to ground truth (default: `label`, else the first output). */
  output?: string
  /** The output holding scores for AUC (default: `probabilities`, else `score`). */
  scoreOutput?: string
  /** The positive class for F1, precision and recall, as text (default: "1"). */
  positiveLabel?: string
  /** Sliding windows inside the monitor's window, for the report's series (default: window / 6). */
  slidingWindowMs?: number
}

export interface WebhookTarget {
  url: string
  /** Signs the payload (HMAC-SHA256); or read from the server's environment with `secret_env`. */
  secret?: string
  secretEnv?: string
  headers: Record<string, string>
  /** Attempts after the first (default 3). */
  retries: number
}

export interface PipelineTarget {
  /** A schedule whose pipeline is started. */
  schedule?: string
  /** Or a pipeline file on the server's machine. */
  spec?: string
  params: Record<string, unknown>
}

export interface AlertOptions {
  webhooks: WebhookTarget[]
  pipeline?: PipelineTarget
  /** After an alert acted, failures within this long only log (default 1h). */
  cooldownMs: number
}

export type CurrentSource =
  { kind: 'prediction-log'; dir?: string; model?: string; roles: string[] } | { kind: 'file'; path: string }

export interface MonitorSpec {
  name: string
  modelUri: string
  windowMs: number
  schedule?: { cron: string; timezone: string }
  current: CurrentSource
  /** A reference dataset file (default: the model version's reference profile). */
  referenceFile?: string
  drift?: DriftCheck
  validation?: ValidationCheck
  quality?: QualityOptions
  alerts: AlertOptions
}

export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/
const DEFAULT_COOLDOWN_MS = 3_600_000

type Raw = Record<string, unknown>

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)

function obj(v: unknown, where: string): Raw {
  if (v === undefined || v === null) return {}
  if (!isObject(v)) throw invalidParameter(`'${where}' must be an object.`)
  return v
}

function str(v: unknown, where: string, required = false): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) throw invalidParameter(`'${where}' is required.`)
    return undefined
  }
  if (typeof v !== 'string') throw invalidParameter(`'${where}' must be a string.`)
  return v
}

function num(
  v: unknown,
  where: string,
  check?: (n: number) => boolean,
  says = 'a number',
): number | undefined {
  if (v === undefined || v === null) return undefined
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v
  if (typeof n !== 'number' || !Number.isFinite(n) || (check && !check(n)))
    throw invalidParameter(`'${where}' must be ${says}, got ${JSON.stringify(v)}.`)
  return n
}

function duration(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined
  const ms = parseDuration(v)
  if (ms === null || ms <= 0) throw invalidParameter(`'${where}' must be a duration such as 30m, 24h or 7d.`)
  return ms
}

function strings(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw invalidParameter(`'${where}' must be a list of strings.`)
  return v as string[]
}

function driftMethod(v: unknown, where: string): string | undefined {
  const m = str(v, where)
  if (m !== undefined && !(DRIFT_METHODS as readonly string[]).includes(m))
    throw invalidParameter(`Unknown drift method '${m}' in '${where}'; known: ${DRIFT_METHODS.join(', ')}.`)
  return m
}

function normalizeDrift(v: unknown): DriftCheck | undefined {
  if (v === undefined || v === null || v === false) return undefined
  const d = v === true ? {} : obj(v, 'checks.drift')
  const perColumn: Record<string, ColumnDriftOptions> = {}
  for (const [col, o] of Object.entries(obj(d['per_column'], 'checks.drift.per_column'))) {
    const c = obj(o, `checks.drift.per_column.${col}`)
    const method = driftMethod(c['method'], `checks.drift.per_column.${col}.method`)
    const threshold = num(c['threshold'], `checks.drift.per_column.${col}.threshold`)
    perColumn[col] = { ...(method ? { method } : {}), ...(threshold !== undefined ? { threshold } : {}) }
  }
  const failOn = str(d['fail_on'], 'checks.drift.fail_on') ?? 'dataset'
  if (failOn !== 'dataset' && failOn !== 'column')
    throw invalidParameter(`'checks.drift.fail_on' must be 'dataset' or 'column', got '${failOn}'.`)
  const method = driftMethod(d['method'], 'checks.drift.method')
  const threshold = num(d['threshold'], 'checks.drift.threshold')
  const columns = strings(d['columns'], 'checks.drift.columns')
  return {
    driftShare:
      num(d['drift_share'], 'checks.drift.drift_share', (n) => n > 0 && n <= 1, 'a share in (0, 1]') ?? 0.5,
    perColumn,
    failOn,
    ...(method ? { method } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(columns ? { columns } : {}),
  }
}

function normalizeValidation(v: unknown): ValidationCheck | undefined {
  if (v === undefined || v === null || v === false) return undefined
  const d = v === true ? {} : obj(v, 'checks.validation')
  const file = str(d['file'], 'checks.validation.file')
  return {
    maxFailures:
      num(
        d['max_failures'],
        'checks.validation.max_failures',
        (n) => Number.isInteger(n) && n >= 0,
        'a whole number ≥ 0',
      ) ?? 0,
    ...(file ? { file } : {}),
  }
}

function normalizeQuality(v: unknown): QualityOptions | undefined {
  if (v === undefined || v === null || v === false) return undefined
  // A bare list is the checks; an object carries options beside them.
  const d: Raw = Array.isArray(v) ? { checks: v } : obj(v, 'checks.quality')
  const list = d['checks'] ?? []
  if (!Array.isArray(list)) throw invalidParameter("'checks.quality.checks' must be a list.")
  const checks = list.map((c, i): QualityCheck => {
    const o = obj(c, `checks.quality[${i}]`)
    const metric = str(o['metric'], `checks.quality[${i}].metric`, true)!
    if (!(QUALITY_METRICS as readonly string[]).includes(metric))
      throw invalidParameter(`Unknown quality metric '${metric}'; known: ${QUALITY_METRICS.join(', ')}.`)
    const min = num(o['min'], `checks.quality[${i}].min`)
    const max = num(o['max'], `checks.quality[${i}].max`)
    return {
      metric: metric as QualityMetricName,
      ...(min !== undefined ? { min } : {}),
      ...(max !== undefined ? { max } : {}),
    }
  })
  const tasks = new Set(checks.map((c) => (CLASSIFICATION_METRICS.includes(c.metric) ? 'c' : 'r')))
  if (tasks.size > 1) throw invalidParameter('Quality checks mix classification and regression metrics.')
  const output = str(d['output'], 'checks.quality.output')
  const scoreOutput = str(d['score_output'], 'checks.quality.score_output')
  const positive = d['positive_label']
  const sliding = duration(d['sliding_window'], 'checks.quality.sliding_window')
  return {
    checks,
    minLabelled:
      num(
        d['min_labelled'],
        'checks.quality.min_labelled',
        (n) => Number.isInteger(n) && n >= 1,
        'a whole number ≥ 1',
      ) ?? 1,
    ...(output ? { output } : {}),
    ...(scoreOutput ? { scoreOutput } : {}),
    ...(typeof positive === 'string' || typeof positive === 'number' || typeof positive === 'boolean'
      ? { positiveLabel: String(positive) }
      : {}),
    ...(sliding !== undefined ? { slidingWindowMs: sliding } : {}),
  }
}

function normalizeWebhook(v: unknown, i: number): WebhookTarget {
  const o = typeof v === 'string' ? { url: v } : obj(v, `alerts.webhooks[${i}]`)
  const url = str(o['url'], `alerts.webhooks[${i}].url`, true)!
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalidParameter(`'alerts.webhooks[${i}].url' is not a URL: '${url}'.`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw invalidParameter(`'alerts.webhooks[${i}].url' must be http or https, got '${parsed.protocol}'.`)
  const headers: Record<string, string> = {}
  for (const [k, h] of Object.entries(obj(o['headers'], `alerts.webhooks[${i}].headers`))) {
    headers[k] = str(h, `alerts.webhooks[${i}].headers.${k}`, true)!
  }
  const secret = str(o['secret'], `alerts.webhooks[${i}].secret`)
  const secretEnv = str(o['secret_env'], `alerts.webhooks[${i}].secret_env`)
  return {
    url,
    headers,
    retries:
      num(
        o['retries'],
        `alerts.webhooks[${i}].retries`,
        (n) => Number.isInteger(n) && n >= 0 && n <= 10,
        'a whole number 0-10',
      ) ?? 3,
    ...(secret ? { secret } : {}),
    ...(secretEnv ? { secretEnv } : {}),
  }
}

function normalizeAlerts(v: unknown): AlertOptions {
  const a = obj(v, 'alerts')
  const hooks = a['webhooks'] ?? []
  if (!Array.isArray(hooks)) throw invalidParameter("'alerts.webhooks' must be a list.")
  let pipeline: PipelineTarget | undefined
  if (a['pipeline'] !== undefined && a['pipeline'] !== null) {
    const p = obj(a['pipeline'], 'alerts.pipeline')
    const schedule = str(p['schedule'], 'alerts.pipeline.schedule')
    const spec = str(p['spec'], 'alerts.pipeline.spec')
    if ((schedule === undefined) === (spec === undefined))
      throw invalidParameter(
        "'alerts.pipeline' takes one of 'schedule' (a schedule's name) or 'spec' (a pipeline file).",
      )
    pipeline = {
      params: obj(p['params'], 'alerts.pipeline.params'),
      ...(schedule ? { schedule } : {}),
      ...(spec ? { spec } : {}),
    }
  }
  return {
    webhooks: hooks.map(normalizeWebhook),
    cooldownMs:
      a['cooldown'] === 0 || a['cooldown'] === '0'
        ? 0
        : (duration(a['cooldown'], 'alerts.cooldown') ?? DEFAULT_COOLDOWN_MS),
    ...(pipeline ? { pipeline } : {}),
  }
}

function normalizeCurrent(v: unknown): CurrentSource {
  const c = obj(v, 'current')
  const file = str(c['file'], 'current.file')
  if (file !== undefined) {
    if (c['prediction_log'] !== undefined)
      throw invalidParameter("'current' takes 'file' or 'prediction_log', not both.")
    return { kind: 'file', path: file }
  }
  const p = obj(c['prediction_log'], 'current.prediction_log')
  const dir = str(p['dir'], 'current.prediction_log.dir')
  const model = str(p['model'], 'current.prediction_log.model')
  return {
    kind: 'prediction-log',
    roles: strings(p['roles'], 'current.prediction_log.roles') ?? ['primary'],
    ...(dir ? { dir } : {}),
    ...(model ? { model } : {}),
  }
}

/** Checks a monitor document and gives the runner's form. Throws INVALID_PARAMETER_VALUE naming the field. */
export function normalizeMonitor(raw: unknown): MonitorSpec {
  const m = obj(raw, 'monitor')
  const name = str(m['name'], 'name', true)!
  if (!NAME_RE.test(name)) throw invalidParameter(`Monitor name '${name}' must match ${NAME_RE}.`)
  const modelUri = str(m['model'] ?? m['model_uri'], 'model', true)!
  const windowMs = duration(m['window'] ?? '24h', 'window')!
  let schedule: MonitorSpec['schedule']
  if (m['schedule'] !== undefined && m['schedule'] !== null) {
    const s = typeof m['schedule'] === 'string' ? { cron: m['schedule'] } : obj(m['schedule'], 'schedule')
    schedule = {
      cron: str(s['cron'], 'schedule.cron', true)!.trim(),
      timezone: str(s['timezone'], 'schedule.timezone') ?? 'UTC',
    }
  }
  const checks = obj(m['checks'], 'checks')
  const reference = obj(m['reference'], 'reference')
  const referenceFile = str(reference['file'], 'reference.file')
  const spec: MonitorSpec = {
    name,
    modelUri,
    windowMs,
    current: normalizeCurrent(m['current']),
    alerts: normalizeAlerts(m['alerts']),
    ...(schedule ? { schedule } : {}),
    ...(referenceFile ? { referenceFile } : {}),
  }
  const drift = normalizeDrift(checks['drift'])
  const validation = normalizeValidation(checks['validation'])
  const quality = normalizeQuality(checks['quality'])
  if (drift) spec.drift = drift
  if (validation) spec.validation = validation
  if (quality) spec.quality = quality
  if (!drift && !validation && !quality)
    throw invalidParameter(
      "A monitor needs at least one check: 'checks.drift', 'checks.validation' or 'checks.quality'.",
    )
  return spec
}
