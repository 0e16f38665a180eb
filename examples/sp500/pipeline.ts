/**
 * The S&P 500 up/down pipeline: ingest → features → train (one item per model family) → evaluate
 * → register → reference (the training period's profile, monitoring's reference) → promote (only
 * if evaluate passed). Every step is a TypeScript function run in its
 * own process by the local executor; `cairn pipeline run examples/sp500/pipeline.ts` runs it.
 */
import { pipeline, ref } from '../../src/pipelines/index.js'
import { MODEL_FAMILIES } from './lib/models.js'

/** vega-datasets' copy of the daily S&P 500, 2000-01-03 … 2020-04-17 (relative to this folder). */
export const DEFAULT_DATA = '../../node_modules/vega-datasets/data/sp500-2000.csv'
export const MODEL_NAME = 'sp500-updown'

const CORE = ['steps/context.ts', 'lib/data.ts', 'lib/dataset.ts']

export default pipeline('sp500', {
  experiment: 'sp500',
  description: 'Daily S&P 500: will tomorrow close above today? Retrained, gated and promoted.',
  parallelism: 2,
})
  .param('data', 'string', DEFAULT_DATA, 'CSV path (relative to examples/sp500) or http(s) URL')
  .param('min_rows', 'int', 250, 'fewer data rows is an error')
  .param('models', 'list', [...MODEL_FAMILIES], 'model families to train')
  .param('n_trees', 'int', 100)
  .param('max_depth', 'int', 3)
  .param('learning_rate', 'float', 0.05)
  .param('min_samples_leaf', 'int', 20)
  .param('l2', 'float', 0.001)
  .param('seed', 'int', 7)
  .param('val_fraction', 'float', 0.15)
  .param('test_fraction', 'float', 0.15)
  .param('min_auc', 'float', 0.5, 'validation ROC AUC the best model needs')
  .param('min_accuracy_lift', 'float', 0, 'validation accuracy over "always UP" the best model needs')
  .param('min_log_loss_gain', 'float', 0, 'validation log loss under "always UP"\'s the best model needs')
  .param('model_name', 'string', MODEL_NAME)
  .defaults({ timeout: '10m' })
  .step('ingest', {
    description: 'read and validate the CSV; store it as a dataset version named by its content hash',
    function: './steps/ingest.ts#ingest',
    params: { data: ref.param('data'), min_rows: ref.param('min_rows') },
    outputs: { artifacts: ['dataset'], values: { digest: 'string', rows: 'int', last_date: 'string' } },
    // Always re-read: the source may have new days. Unchanged data gives the same artifact digest,
    // so everything after this step comes from the cache.
    cache: false,
    retries: { limit: 2, backoff: '2s' },
    sources: ['steps/ingest.ts', ...CORE],
  })
  .step('features', {
    description: 'returns, moving-average ratios, volatility, RSI, range, volume z-score; next-day label',
    function: './steps/features.ts#features',
    inputs: { dataset: 'ingest.dataset' },
    outputs: { artifacts: ['features'], values: { rows: 'int', feature_names: 'list' } },
    sources: ['steps/features.ts', 'lib/features.ts', ...CORE],
  })
  .step('train', {
    description: 'one model family per item, time-ordered split, metrics against "always UP", ONNX model',
    function: './steps/train.ts#train',
    forEach: { items: ref.param('models'), parallelism: 2 },
    params: {
      model: ref.item(),
      n_trees: ref.param('n_trees'),
      max_depth: ref.param('max_depth'),
      learning_rate: ref.param('learning_rate'),
      min_samples_leaf: ref.param('min_samples_leaf'),
      l2: ref.param('l2'),
      seed: ref.param('seed'),
      val_fraction: ref.param('val_fraction'),
      test_fraction: ref.param('test_fraction'),
    },
    inputs: { features: 'features.features' },
    outputs: { values: { model_uri: 'string', report: 'object' } },
    sources: [
      'steps/train.ts',
      'lib/features.ts',
      'lib/metrics.ts',
      'lib/models.ts',
      'lib/split.ts',
      ...CORE,
    ],
  })
  .step('evaluate', {
    description: 'best model on validation against the baseline: pass or fail',
    function: './steps/evaluate.ts#evaluate',
    params: {
      reports: ref.value('train', 'report'),
      min_auc: ref.param('min_auc'),
      min_accuracy_lift: ref.param('min_accuracy_lift'),
      min_log_loss_gain: ref.param('min_log_loss_gain'),
    },
    outputs: {
      artifacts: ['report'],
      values: { passed: 'bool', best_model: 'string', best_model_uri: 'string', best_run_id: 'string' },
    },
    sources: ['steps/evaluate.ts', 'lib/gate.ts', 'steps/context.ts'],
  })
  .step('register', {
    description: `register the best model as ${MODEL_NAME}`,
    function: './steps/register.ts#register',
    params: {
      model_name: ref.param('model_name'),
      model_uri: ref.value('evaluate', 'best_model_uri'),
      model_family: ref.value('evaluate', 'best_model'),
      validated: ref.value('evaluate', 'passed'),
      dataset_digest: ref.value('ingest', 'digest'),
    },
    outputs: { values: { version: 'string' } },
    sources: ['steps/register.ts', 'steps/context.ts'],
  })
  .step('reference', {
    description: "profile the training period's features beside the new version: monitoring's reference",
    function: './steps/reference.ts#reference',
    params: {
      model_name: ref.param('model_name'),
      version: ref.value('register', 'version'),
      val_fraction: ref.param('val_fraction'),
      test_fraction: ref.param('test_fraction'),
    },
    inputs: { features: 'features.features' },
    outputs: { artifacts: ['reference'], values: { rows: 'int', period: 'string' } },
    sources: ['steps/reference.ts', 'lib/features.ts', 'lib/split.ts', 'lib/windows.ts', 'steps/context.ts'],
  })
  .step('promote', {
    description: "move 'champion' through the registry's promotion policy",
    function: './steps/promote.ts#promote',
    when: 'evaluate.passed',
    // A champion always has its reference: monitors on models:/sp500-updown@champion read it.
    dependsOn: ['reference'],
    params: {
      model_name: ref.param('model_name'),
      version: ref.value('register', 'version'),
      min_auc: ref.param('min_auc'),
      min_accuracy_lift: ref.param('min_accuracy_lift'),
      min_log_loss_gain: ref.param('min_log_loss_gain'),
    },
    outputs: { values: { promoted: 'bool', champion: 'string', message: 'string' } },
    sources: ['steps/promote.ts', 'steps/evaluate.ts', 'lib/gate.ts', 'steps/context.ts'],
  })
