/**
 * The quality gate, in one place for both sides of it: `evaluate` applies it in the pipeline, and
 * `promote` stores the same thresholds as the registry's promotion policy, so the registry
 * refuses a candidate that skipped the pipeline's check.
 */
export interface GateOptions {
  /** Validation ROC AUC at least this. */
  minAuc: number
  /** Validation accuracy minus the "always UP" baseline's, at least this. */
  minAccuracyLift: number
  /** Baseline log loss minus the model's, at least this (≥ 0: no worse than the base rate). */
  minLogLossGain: number
}

export interface GateCheck {
  metric: string
  value: number
  required: number
  passed: boolean
}

/** Metrics the `train` step logs under these names. */
export interface GateMetrics {
  val_roc_auc: number
  val_accuracy_lift: number
  val_log_loss_gain: number
}

export function gateChecks(m: GateMetrics, g: GateOptions): GateCheck[] {
  const check = (metric: keyof GateMetrics, required: number): GateCheck => ({
    metric,
    value: m[metric],
    required,
    // NaN never passes.
    passed: m[metric] >= required,
  })
  return [
    check('val_roc_auc', g.minAuc),
    check('val_accuracy_lift', g.minAccuracyLift),
    check('val_log_loss_gain', g.minLogLossGain),
  ]
}

/**
 * The promotion policy document (docs/registry.md): the gate's thresholds and the `validated` tag
 * `register` sets. No `compare` against the champion: each retrain validates on a later window,
 * so two models' validation metrics are not measured on the same days.
 */
export function promotionPolicy(g: GateOptions): Record<string, unknown> {
  return {
    alias: 'champion',
    description: 'sp500 example: beat the always-UP baseline on the validation period',
    require_tags: { validated: 'true' },
    thresholds: [
      { metric: 'val_roc_auc', op: '>=', value: g.minAuc },
      { metric: 'val_accuracy_lift', op: '>=', value: g.minAccuracyLift },
      { metric: 'val_log_loss_gain', op: '>=', value: g.minLogLossGain },
    ],
  }
}
