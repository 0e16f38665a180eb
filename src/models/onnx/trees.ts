/**
 * ONNX exports of tree ensembles (`ai.onnx.ml` TreeEnsembleRegressor / TreeEnsembleClassifier).
 *
 * Trees compare in float32, as onnxruntime does with a float input: `x <= threshold` goes left,
 * thresholds and leaf values are stored as float32. Cairn's tree learners (../learners) already
 * split on float32 values and thresholds, so the export reproduces their decisions exactly.
 *
 * Two classes: onnxruntime derives the label from ONE score per row when every leaf weight is on
 * one class ("binary case"): with non-negative weights it answers class 1 when the score is
 * above 0.5 and writes probabilities [1 - s, s]; with any negative weight it answers class 1 when
 * the score is above 0 and, with a logistic post-transform, writes [1 - σ(s), σ(s)]. If both
 * classes carried weights it would pick class 1 whenever class 1's score is above 0, which
 * disagrees with the probabilities. So two-class exports write one weight per leaf: P(class 1)
 * for averaged trees, or the raw score for boosted trees (with a logistic post-transform).
 */
import { CairnError } from '../../protocol/errors.js'
import { classLabelAttrs, flattenNodes, INPUT_NAME, inputValue, type ClassLabel } from './linear.js'
import { encodeModel, ML_DOMAIN } from './proto.js'

/** A binary decision tree: `x[feature] <= threshold` goes to `left`. */
export type TreeNode =
  | { kind: 'split'; feature: number; threshold: number; left: TreeNode; right: TreeNode }
  | { kind: 'leaf'; value: number[] }

const bad = (message: string): CairnError => new CairnError('INVALID_PARAMETER_VALUE', message)

interface FlatTrees {
  nodes: {
    treeids: number[]
    nodeids: number[]
    featureids: number[]
    modes: string[]
    values: number[]
    truenodeids: number[]
    falsenodeids: number[]
  }
  leaves: { tree: number; node: number; value: number[] }[]
}

function flatten(trees: TreeNode[], nFeatures: number): FlatTrees {
  const out: FlatTrees = {
    nodes: {
      treeids: [],
      nodeids: [],
      featureids: [],
      modes: [],
      values: [],
      truenodeids: [],
      falsenodeids: [],
    },
    leaves: [],
  }
  const n = out.nodes
  trees.forEach((root, t) => {
    let next = 0
    const visit = (node: TreeNode): number => {
      const id = next++
      const at = n.nodeids.length
      n.treeids.push(t)
      n.nodeids.push(id)
      if (node.kind === 'leaf') {
        n.featureids.push(0)
        n.modes.push('LEAF')
        n.values.push(0)
        n.truenodeids.push(0)
        n.falsenodeids.push(0)
        out.leaves.push({ tree: t, node: id, value: node.value })
        return id
      }
      if (!Number.isInteger(node.feature) || node.feature < 0 || node.feature >= nFeatures) {
        throw bad(`Tree ${t} splits on feature ${node.feature}; the model has ${nFeatures} features`)
      }
      n.featureids.push(node.feature)
      n.modes.push('BRANCH_LEQ')
      n.values.push(node.threshold)
      n.truenodeids.push(0)
      n.falsenodeids.push(0)
      n.truenodeids[at] = visit(node.left)
      n.falsenodeids[at] = visit(node.right)
      return id
    }
    visit(root)
  })
  return out
}

const nodeAttrs = (f: FlatTrees): Record<string, { ints: number[] } | number[] | string[]> => ({
  nodes_treeids: { ints: f.nodes.treeids },
  nodes_nodeids: { ints: f.nodes.nodeids },
  nodes_featureids: { ints: f.nodes.featureids },
  nodes_modes: f.nodes.modes,
  nodes_values: f.nodes.values,
  nodes_truenodeids: { ints: f.nodes.truenodeids },
  nodes_falsenodeids: { ints: f.nodes.falsenodeids },
})

export interface TreeRegressorExport {
  trees: TreeNode[]
  nFeatures: number
  /** SUM for boosting, AVERAGE for forests. */
  aggregate: 'SUM' | 'AVERAGE'
  baseValue?: number
  metadata?: Record<string, string>
}

export function exportTreeEnsembleRegressor(m: TreeRegressorExport): Uint8Array {
  if (m.trees.length === 0) throw bad('A tree ensemble needs at least one tree')
  const f = flatten(m.trees, m.nFeatures)
  const flat = flattenNodes('raw', 'prediction')
  return encodeModel({
    name: 'cairn_tree_ensemble_regressor',
    inputs: [inputValue(m.nFeatures)],
    outputs: [{ name: 'prediction', dtype: 'float32', shape: [null] }],
    nodes: [
      {
        op: 'TreeEnsembleRegressor',
        domain: ML_DOMAIN,
        inputs: [INPUT_NAME],
        outputs: ['raw'],
        attrs: {
          ...nodeAttrs(f),
          target_treeids: { ints: f.leaves.map((l) => l.tree) },
          target_nodeids: { ints: f.leaves.map((l) => l.node) },
          target_ids: { ints: f.leaves.map(() => 0) },
          target_weights: f.leaves.map((l) => l.value[0] ?? 0),
          n_targets: { int: 1 },
          aggregate_function: m.aggregate,
          base_values: m.baseValue !== undefined ? [m.baseValue] : undefined,
          post_transform: 'NONE',
        },
      },
      ...flat.nodes,
    ],
    initializers: [flat.initializer],
    ...(m.metadata ? { metadata: m.metadata } : {}),
  })
}

export interface TreeClassifierExport {
  trees: TreeNode[]
  nFeatures: number
  classes: ClassLabel[]
  /**
   * `average`: leaves hold class probabilities (decision trees, random forests); the export is
   * their mean. `logistic`: two classes, leaves hold one raw score each (boosting), summed with
   * `baseScore` and passed through a sigmoid. `softmax`: leaves hold one raw score per class.
   */
  output: 'average' | 'logistic' | 'softmax'
  /** The boosting's initial raw score(s), added to the sum. */
  baseScore?: number[]
  metadata?: Record<string, string>
}

const nodeAttrsOfLeaf = (tree: number): Record<keyof FlatTrees['nodes'], number | string> => ({
  treeids: tree,
  nodeids: 0,
  featureids: 0,
  modes: 'LEAF',
  values: 0,
  truenodeids: 0,
  falsenodeids: 0,
})

/** Tiny opposite weights, in an extra tree, that add nothing; see the module comment. */
const SIGN_MARKER = 1e-30

export function exportTreeEnsembleClassifier(m: TreeClassifierExport): Uint8Array {
  if (m.trees.length === 0) throw bad('A tree ensemble needs at least one tree')
  const k = m.classes.length
  const labels = classLabelAttrs(m.classes, 'classlabels_int64s')
  if (m.output === 'logistic' && k !== 2) throw bad('A logistic tree ensemble has exactly two classes')
  const binary = k === 2
  if (m.output === 'average' && m.baseScore !== undefined) throw bad('Averaged trees take no base score')
  let trees = m.trees
  if (m.baseScore !== undefined && m.baseScore.length > 0) {
    // The base score as a one-leaf tree keeps `base_values` out of onnxruntime's two-class rules.
    trees = [...trees, { kind: 'leaf', value: m.baseScore }]
  }
  const f = flatten(trees, m.nFeatures)
  const weights: { tree: number; node: number; cls: number; w: number }[] = []
  // TreeEnsembleClassifier only sums: an average is a sum of leaf values divided by the tree count.
  const scale = m.output === 'average' ? 1 / trees.length : 1
  for (const leaf of f.leaves) {
    if (binary) {
      // One weight per leaf: P(class 1) (average) or the raw score (logistic).
      const w = m.output === 'logistic' ? leaf.value[0] : leaf.value[1]
      if (w === undefined) throw bad(`A leaf of tree ${leaf.tree} has no value for class 1`)
      weights.push({ tree: leaf.tree, node: leaf.node, cls: 0, w: w * scale })
    } else {
      if (leaf.value.length !== k)
        throw bad(`A leaf of tree ${leaf.tree} has ${leaf.value.length} values for ${k} classes`)
      leaf.value.forEach((w, cls) => weights.push({ tree: leaf.tree, node: leaf.node, cls, w: w * scale }))
    }
  }
  if (m.output === 'logistic' && weights.every((w) => w.w >= 0)) {
    // With only non-negative weights onnxruntime would threshold the raw score at 0.5, not 0.
    const t = trees.length
    for (const [k, v] of Object.entries(nodeAttrsOfLeaf(t)))
      (f.nodes[k as keyof FlatTrees['nodes']] as unknown[]).push(v)
    weights.push({ tree: t, node: 0, cls: 0, w: SIGN_MARKER }, { tree: t, node: 0, cls: 0, w: -SIGN_MARKER })
  }
  return encodeModel({
    name: 'cairn_tree_ensemble_classifier',
    inputs: [inputValue(m.nFeatures)],
    outputs: [
      { name: 'label', dtype: labels.labelDtype, shape: [null] },
      { name: 'probabilities', dtype: 'float32', shape: [null, k] },
    ],
    nodes: [
      {
        op: 'TreeEnsembleClassifier',
        domain: ML_DOMAIN,
        inputs: [INPUT_NAME],
        outputs: ['label', 'probabilities'],
        attrs: {
          ...nodeAttrs(f),
          class_treeids: { ints: weights.map((w) => w.tree) },
          class_nodeids: { ints: weights.map((w) => w.node) },
          class_ids: { ints: weights.map((w) => w.cls) },
          class_weights: weights.map((w) => w.w),
          post_transform: m.output === 'logistic' ? 'LOGISTIC' : m.output === 'softmax' ? 'SOFTMAX' : 'NONE',
          ...labels.attrs,
        },
      },
    ],
    ...(m.metadata ? { metadata: m.metadata } : {}),
  })
}

export { INPUT_NAME }
