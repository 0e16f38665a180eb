/**
 * The monitoring core bound for monitors: the one place that follows the core's API (readers,
 * reference profiles and expectations stored beside a model version, quality metrics,
 * validation), so monitors, reports and alerts stay unchanged when it moves. References are read
 * through the SDK: the CLI talks to its tracking server, `cairn server` to itself over loopback.
 */
import { readFile } from 'node:fs/promises'
import type { CairnClient } from '../../client/index.js'
import { loadMonitoringArtifacts } from '../artifacts/model-artifacts.js'
import type { PreparedReference } from '../drift/sample.js'
import { computeProfile } from '../profile/profile.js'
import { referenceFromProfile } from '../profile/serialize.js'
import type { Profile } from '../profile/types.js'
import type { Label, MetricValue } from '../quality/labels.js'
import { classificationQuality, regressionQuality } from '../quality/summary.js'
import { readTable } from '../table/read.js'
import type { Table } from '../table/table.js'
import { inferExpectations, parseExpectations, type Expectations } from '../validation/expectations.js'
import { validate } from '../validation/validate.js'
import type { ValidationReport } from '../report/report-types.js'
import type { MonitoringCore, Reference } from './evaluate.js'
import type { Cell, LabelledRows } from './ground-truth.js'
import { CLASSIFICATION_METRICS, type QualityMetricName, type ValidationCheck } from './spec.js'

/** A reference with what validation needs beside the drift data. */
interface CoreReference extends Reference {
  profile?: Profile
  expectations?: Expectations | null
}

const isTable = (d: Table | PreparedReference): d is Table => !('kind' in d)

function metric(v: MetricValue): { value: number | null; explanation?: string } {
  const why = v.error ?? v.warning
  return {
    value: v.value !== null && Number.isFinite(v.value) ? v.value : null,
    ...(why ? { explanation: why } : {}),
  }
}

/** Labels compared as numbers when every one is a number, else as text (1 and "1" agree). */
function labels(...cols: Cell[][]): Label[][] {
  const numeric = cols.every((c) => c.every((v) => typeof v === 'number'))
  return cols.map((c) => c.map((v) => (numeric ? (v as number) : String(v))))
}

export function quality(
  metrics: readonly QualityMetricName[],
  l: LabelledRows,
  opts: { positiveLabel?: string },
): Record<string, { value: number | null; explanation?: string }> {
  // Rows whose prediction is missing (the model failed, or no such output) are left out.
  const keep = l.predicted.flatMap((p, i) => (p === null ? [] : [i]))
  const truth = keep.map((i) => l.truth[i]!)
  const predicted = keep.map((i) => l.predicted[i]!)
  const out: Record<string, { value: number | null; explanation?: string }> = {}
  if (metrics.some((m) => CLASSIFICATION_METRICS.includes(m))) {
    const [yTrue, yPred] = labels(truth, predicted) as [Label[], Label[]]
    const scores = l.scores ? keep.map((i) => l.scores![i]!) : null
    const numericLabels = yTrue.every((v) => typeof v === 'number')
    const q = classificationQuality({
      yTrue,
      yPred,
      ...(scores && scores.every((s) => s !== null) ? { yScore: scores } : {}),
      ...(opts.positiveLabel !== undefined
        ? { posLabel: numericLabels ? Number(opts.positiveLabel) : opts.positiveLabel }
        : {}),
    })
    const byName = { accuracy: q.accuracy, auc: q.rocAuc, f1: q.f1, precision: q.precision, recall: q.recall }
    for (const m of metrics) {
      const v = byName[m as keyof typeof byName]
      out[m] = v ? metric(v) : { value: null, explanation: `${m} is a regression metric` }
    }
    return out
  }
  const numbers = truth.every((v) => typeof v === 'number') && predicted.every((v) => typeof v === 'number')
  if (!numbers) {
    for (const m of metrics)
      out[m] = {
        value: null,
        explanation: 'ground truth and predictions must be numbers for regression metrics',
      }
    return out
  }
  const q = regressionQuality(truth, predicted)
  const byName = { mae: q.mae, rmse: q.rmse, mse: q.mse, r2: q.r2 }
  for (const m of metrics) {
    const v = byName[m as keyof typeof byName]
    out[m] = v ? metric(v) : { value: null, explanation: `${m} is a classification metric` }
  }
  return out
}

async function expectationsFor(
  reference: CoreReference | null,
  check: ValidationCheck,
): Promise<Expectations> {
  if (check.file) return parseExpectations(await readFile(check.file, 'utf8'), check.file)
  if (reference?.expectations) return reference.expectations
  if (reference?.profile) return inferExpectations(reference.profile)
  if (reference && isTable(reference.data)) return inferExpectations(computeProfile(reference.data))
  throw new Error('validation needs expectations: a reference, or checks.validation.file')
}

export async function validateCurrent(
  current: Table,
  reference: Reference | null,
  check: ValidationCheck,
): Promise<ValidationReport> {
  const r = validate(current, await expectationsFor(reference, check))
  const results = r.results.map((x) => ({
    expectation: x.expectation,
    column: x.column,
    passed: x.success,
    message: x.message,
  }))
  return {
    passed: r.failed <= check.maxFailures,
    failures: r.failed,
    maxFailures: check.maxFailures,
    results,
  }
}

/** The core for monitors; `client` reads the model versions' stored profiles and expectations. */
export function monitoringCore(client: () => CairnClient): MonitoringCore {
  return {
    readTable: (path) => readTable(path),
    loadReference: async (model) => {
      const stored = await loadMonitoringArtifacts(client(), model.uri)
      if (!stored.profile) return null
      const reference: CoreReference = {
        data: referenceFromProfile(stored.profile),
        source: `${model.uri} reference profile (${stored.profile.createdAt})`,
        rows: stored.profile.rowCount,
        columns: stored.profile.columns.map((c) => c.name),
        profile: stored.profile,
        expectations: stored.expectations,
      }
      return reference
    },
    quality,
    validate: (current, reference, check) => validateCurrent(current, reference, check),
  }
}
