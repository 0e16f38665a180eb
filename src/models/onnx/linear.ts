/**
 * ONNX exports of linear models (`ai.onnx.ml` LinearRegressor and LinearClassifier).
 *
 * Every export takes one float tensor `input` of shape [N, F] (features in the signature's
 * column order) and answers plain tensors (no ZipMap): `prediction` [N] for regressors, `label`
 * [N] and `probabilities` [N, K] for classifiers.
 */
import { CairnError } from '../../protocol/errors.js'
import { encodeModel, ML_DOMAIN, type NodeSpec, type ValueSpec } from './proto.js'

export const INPUT_NAME = 'input'

export type ClassLabel = number | string

const bad = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)

export function inputValue(nFeatures: number): ValueSpec {
  if (!Number.isInteger(nFeatures) || nFeatures < 1) throw bad('An ONNX export needs at least one feature')
  return { name: INPUT_NAME, dtype: 'float32', shape: [null, nFeatures] }
}

/** Reshape [N, 1] → [N] (the regressors' `prediction`). */
export function flattenNodes(
  from: string,
  to: string,
): { nodes: NodeSpec[]; initializer: { name: string; dtype: 'int64'; dims: number[]; values: number[] } } {
  return {
    nodes: [{ op: 'Reshape', inputs: [from, 'flat_shape'], outputs: [to] }],
    initializer: { name: 'flat_shape', dtype: 'int64', dims: [1], values: [-1] },
  }
}

/** Class labels as classifier attributes (LinearClassifier says `classlabels_ints`, trees `_int64s`). */
export function classLabelAttrs(
  classes: ClassLabel[],
  intsName: 'classlabels_ints' | 'classlabels_int64s' = 'classlabels_ints',
): {
  attrs: Record<string, { ints: number[] } | string[]>
  labelDtype: 'int64' | 'str'
} {
  if (classes.length < 2) throw bad('A classifier needs at least two classes')
  if (new Set(classes).size !== classes.length) throw bad('Class labels must be distinct')
  if (classes.every((c) => typeof c === 'number' && Number.isInteger(c))) {
    return { attrs: { [intsName]: { ints: classes as number[] } }, labelDtype: 'int64' }
  }
  if (classes.every((c) => typeof c === 'string')) {
    return { attrs: { classlabels_strings: classes }, labelDtype: 'str' }
  }
  throw bad('Class labels must be all integers or all strings')
}

export interface LinearRegressionExport {
  coefficients: number[]
  intercept: number
  metadata?: Record<string, string>
}

export function exportLinearRegressor(m: LinearRegressionExport): Uint8Array {
  const flat = flattenNodes('raw', 'prediction')
  return encodeModel({
    name: 'cairn_linear_regressor',
    inputs: [inputValue(m.coefficients.length)],
    outputs: [{ name: 'prediction', dtype: 'float32', shape: [null] }],
    nodes: [
      {
        op: 'LinearRegressor',
        domain: ML_DOMAIN,
        inputs: [INPUT_NAME],
        outputs: ['raw'],
        attrs: { coefficients: m.coefficients, intercepts: [m.intercept], targets: { int: 1 } },
      },
      ...flat.nodes,
    ],
    initializers: [flat.initializer],
    ...(m.metadata ? { metadata: m.metadata } : {}),
  })
}

export interface LinearClassifierExport {
  /**
   * Two classes: ONE row (the weights of class 1's logit) and a logistic output, as scikit-learn's
   * binary LogisticRegression. More classes: one row per class and a softmax.
   */
  coefficients: number[][]
  intercepts: number[]
  classes: ClassLabel[]
  metadata?: Record<string, string>
}

export function exportLinearClassifier(m: LinearClassifierExport): Uint8Array {
  const k = m.classes.length
  const binary = k === 2
  const rows = binary ? 1 : k
  if (m.coefficients.length !== rows || m.intercepts.length !== rows) {
    throw bad(`A ${k}-class linear classifier needs ${rows} coefficient row(s) and intercept(s)`)
  }
  const nFeatures = m.coefficients[0]!.length
  if (m.coefficients.some((r) => r.length !== nFeatures))
    throw bad('Every coefficient row needs one weight per feature')
  const labels = classLabelAttrs(m.classes)
  return encodeModel({
    name: 'cairn_linear_classifier',
    inputs: [inputValue(nFeatures)],
    outputs: [
      { name: 'label', dtype: labels.labelDtype, shape: [null] },
      { name: 'probabilities', dtype: 'float32', shape: [null, k] },
    ],
    nodes: [
      {
        op: 'LinearClassifier',
        domain: ML_DOMAIN,
        inputs: [INPUT_NAME],
        outputs: ['label', 'probabilities'],
        attrs: {
          coefficients: m.coefficients.flat(),
          intercepts: m.intercepts,
          // One logit for two classes: onnxruntime adds the second column as 1 - p.
          post_transform: binary ? 'LOGISTIC' : 'SOFTMAX',
          multi_class: { int: 0 },
          ...labels.attrs,
        },
      },
    ],
    ...(m.metadata ? { metadata: m.metadata } : {}),
  })
}
