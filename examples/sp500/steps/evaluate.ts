/**
 * `evaluate`: picks the best model on the validation period, checks it against the "always UP"
 * baseline (lib/gate.ts) and answers `passed`, which `promote` is conditioned on. The comparison
 * is written to the `report` artifact.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { StepContext } from '../../../src/pipelines/index.js'
import { gateChecks, type GateCheck, type GateOptions } from '../lib/gate.js'
import { numberParam, outputDir, stepRun } from './context.js'
import type { TrainReport } from './train.js'

export function gateOptions(ctx: StepContext): GateOptions {
  return {
    minAuc: numberParam(ctx, 'min_auc'),
    minAccuracyLift: numberParam(ctx, 'min_accuracy_lift'),
    minLogLossGain: numberParam(ctx, 'min_log_loss_gain'),
  }
}

const auc = (r: TrainReport): number => (Number.isFinite(r.val.roc_auc) ? r.val.roc_auc : -Infinity)

export function checksOf(r: TrainReport, gate: GateOptions): GateCheck[] {
  return gateChecks(
    {
      val_roc_auc: r.val.roc_auc,
      val_accuracy_lift: r.val.accuracy - r.baseline_val.accuracy,
      val_log_loss_gain: r.baseline_val.log_loss - r.val.log_loss,
    },
    gate,
  )
}

/**
 * The best validation ROC AUC (log loss breaks ties) among the models that pass the gate; when
 * none does, the best of all, and the verdict is FAIL. Near a coin flip, as daily direction is,
 * the model with the top AUC can still lose to "always UP" on log loss: ranking only the models
 * that beat the baseline keeps such a model from hiding one that does.
 */
export function pickBest(
  reports: readonly TrainReport[],
  gate: GateOptions,
): { best: TrainReport; passed: boolean } {
  if (reports.length === 0) throw new Error('no trained models to evaluate')
  const eligible = reports.filter((r) => checksOf(r, gate).every((c) => c.passed))
  const pool = eligible.length > 0 ? eligible : reports
  const best = [...pool].sort((a, b) => auc(b) - auc(a) || a.val.log_loss - b.val.log_loss)[0]!
  return { best, passed: eligible.length > 0 }
}

export async function evaluate(ctx: StepContext): Promise<Record<string, unknown>> {
  const reports = ctx.params['reports']
  if (!Array.isArray(reports))
    throw new Error(`'reports' must be the list of train reports, got ${JSON.stringify(reports)}`)
  const all = reports as unknown as TrainReport[]
  const gate = gateOptions(ctx)
  const { best, passed } = pickBest(all, gate)
  const checks = checksOf(best, gate)

  const lines = [
    `| model | val acc | val AUC | val F1 | val log loss | test acc | test AUC |`,
    `|---|---|---|---|---|---|---|`,
    ...all.map(
      (r) =>
        `| ${r.model}${r === best ? ' (best)' : ''}${checksOf(r, gate).every((c) => c.passed) ? '' : ' ✗'} | ${r.val.accuracy.toFixed(4)} | ${r.val.roc_auc.toFixed(4)} | ${r.val.f1.toFixed(4)} | ${r.val.log_loss.toFixed(4)} | ${r.test.accuracy.toFixed(4)} | ${r.test.roc_auc.toFixed(4)} |`,
    ),
    `| always UP | ${best.baseline_val.accuracy.toFixed(4)} | 0.5000 | ${best.baseline_val.f1.toFixed(4)} | ${best.baseline_val.log_loss.toFixed(4)} | ${best.baseline_test.accuracy.toFixed(4)} | 0.5000 |`,
    '',
    ...checks.map(
      (c) => `- ${c.passed ? 'pass' : 'FAIL'}: ${c.metric} ${c.value.toFixed(4)} ≥ ${c.required}`,
    ),
    '',
    `Verdict: ${passed ? 'PASS' : 'FAIL'} — best model ${best.model} (run ${best.run_id})`,
  ]
  const out = outputDir(ctx, 'report')
  await writeFile(join(out, 'evaluation.md'), `${lines.join('\n')}\n`)
  await writeFile(
    join(out, 'evaluation.json'),
    `${JSON.stringify({ best: best.model, passed, checks, reports: all }, null, 2)}\n`,
  )

  const { run } = await stepRun(ctx)
  await run.logMetrics({
    best_val_roc_auc: best.val.roc_auc,
    best_val_accuracy: best.val.accuracy,
    best_val_log_loss: best.val.log_loss,
    best_test_roc_auc: best.test.roc_auc,
    best_test_accuracy: best.test.accuracy,
    baseline_val_accuracy: best.baseline_val.accuracy,
    passed: passed ? 1 : 0,
  })
  await run.setTags({ best_model: best.model, best_run_id: best.run_id, verdict: passed ? 'pass' : 'fail' })
  await run.flush()
  console.log(lines.join('\n'))
  return { passed, best_model: best.model, best_model_uri: best.model_uri, best_run_id: best.run_id }
}
