/**
 * Decision trees, random forests and gradient-boosted trees (dependency-free), each with
 * `toOnnx()`. Classifiers answer class probabilities and labels the way their ONNX export does:
 * a label is the class with the highest probability (the first on ties), and for two classes
 * class 1 wins only above 0.5.
 */
import { exportTreeEnsembleClassifier, exportTreeEnsembleRegressor, type TreeNode } from '../onnx/trees.js'
import { classShares, float32Columns, growTree, leafOf, type CartOptions } from './cart.js'
import {
  argmax,
  bad,
  checkMatrix,
  encodeClasses,
  exportMetadata,
  rng,
  type ClassLabel,
  type Matrix,
} from './common.js'

export interface TreeOptions {
  maxDepth?: number
  minSamplesLeaf?: number
}

export interface ForestOptions extends TreeOptions {
  nTrees?: number
  /** Features tried per split (default √F for classification, F/3 for regression). */
  maxFeatures?: number
  seed?: number
}

const cartOptions = (o: TreeOptions): Pick<CartOptions, 'maxDepth' | 'minSamplesLeaf'> => ({
  maxDepth: o.maxDepth ?? 6,
  minSamplesLeaf: o.minSamplesLeaf ?? 5,
})

const allRows = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i)

function bootstrap(n: number, random: () => number): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(random() * n))
}

const mean = (y: Float64Array) => (rows: Int32Array) => {
  let s = 0
  for (const i of rows) s += y[i]!
  return [s / rows.length]
}

/** Classification trees averaged: one tree is a decision tree, many on bootstrap samples a forest. */
export class TreeEnsembleClassifier {
  constructor(
    readonly classes: ClassLabel[],
    readonly trees: TreeNode[],
    readonly nFeatures: number,
    private readonly kind: string,
  ) {}

  predictProba(x: Matrix): number[][] {
    checkMatrix(x, this.nFeatures)
    return x.map((row) => {
      const p = new Array<number>(this.classes.length).fill(0)
      for (const t of this.trees) leafOf(t, row).forEach((v, c) => (p[c]! += v))
      return p.map((v) => v / this.trees.length)
    })
  }

  predict(x: Matrix): ClassLabel[] {
    return this.predictProba(x).map((p) => this.classes[argmax(p)]!)
  }

  toOnnx(): Uint8Array {
    return exportTreeEnsembleClassifier({
      trees: this.trees,
      nFeatures: this.nFeatures,
      classes: this.classes,
      output: 'average',
      metadata: exportMetadata(this.kind, { classes: this.classes }),
    })
  }
}

export class TreeEnsembleRegressor {
  constructor(
    readonly trees: TreeNode[],
    readonly nFeatures: number,
    private readonly kind: string,
  ) {}

  predict(x: Matrix): Float64Array {
    checkMatrix(x, this.nFeatures)
    return Float64Array.from(
      x,
      (row) => this.trees.reduce((s, t) => s + leafOf(t, row)[0]!, 0) / this.trees.length,
    )
  }

  toOnnx(): Uint8Array {
    return exportTreeEnsembleRegressor({
      trees: this.trees,
      nFeatures: this.nFeatures,
      aggregate: 'AVERAGE',
      metadata: exportMetadata(this.kind),
    })
  }
}

export const DecisionTreeClassifier = {
  fit(x: Matrix, y: readonly ClassLabel[], opts: TreeOptions = {}): TreeEnsembleClassifier {
    const cols = float32Columns(x)
    const { classes, index } = encodeClasses(y, x.length)
    const target = { kind: 'classes', index, nClasses: classes.length } as const
    const tree = growTree(cols, allRows(x.length), target, {
      ...cartOptions(opts),
      leaf: classShares(index, classes.length),
    })
    return new TreeEnsembleClassifier(classes, [tree], cols.length, 'DecisionTreeClassifier')
  },
}

export const DecisionTreeRegressor = {
  fit(x: Matrix, y: ArrayLike<number>, opts: TreeOptions = {}): TreeEnsembleRegressor {
    const cols = float32Columns(x)
    const target = Float64Array.from(y)
    if (target.length !== x.length) throw bad(`${target.length} targets for ${x.length} rows`)
    const tree = growTree(
      cols,
      allRows(x.length),
      { kind: 'values', y: target },
      { ...cartOptions(opts), leaf: mean(target) },
    )
    return new TreeEnsembleRegressor([tree], cols.length, 'DecisionTreeRegressor')
  },
}

export const RandomForestClassifier = {
  fit(x: Matrix, y: readonly ClassLabel[], opts: ForestOptions = {}): TreeEnsembleClassifier {
    const cols = float32Columns(x)
    const { classes, index } = encodeClasses(y, x.length)
    const random = rng(opts.seed ?? 42)
    const target = { kind: 'classes', index, nClasses: classes.length } as const
    const maxFeatures = opts.maxFeatures ?? Math.max(1, Math.round(Math.sqrt(cols.length)))
    const trees = Array.from({ length: opts.nTrees ?? 50 }, () =>
      growTree(cols, bootstrap(x.length, random), target, {
        ...cartOptions(opts),
        maxFeatures,
        random,
        leaf: classShares(index, classes.length),
      }),
    )
    return new TreeEnsembleClassifier(classes, trees, cols.length, 'RandomForestClassifier')
  },
}

export const RandomForestRegressor = {
  fit(x: Matrix, y: ArrayLike<number>, opts: ForestOptions = {}): TreeEnsembleRegressor {
    const cols = float32Columns(x)
    const target = Float64Array.from(y)
    if (target.length !== x.length) throw bad(`${target.length} targets for ${x.length} rows`)
    const random = rng(opts.seed ?? 42)
    const maxFeatures = opts.maxFeatures ?? Math.max(1, Math.round(cols.length / 3))
    const trees = Array.from({ length: opts.nTrees ?? 50 }, () =>
      growTree(
        cols,
        bootstrap(x.length, random),
        { kind: 'values', y: target },
        {
          ...cartOptions(opts),
          maxFeatures,
          random,
          leaf: mean(target),
        },
      ),
    )
    return new TreeEnsembleRegressor(trees, cols.length, 'RandomForestRegressor')
  },
}
