import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadJsModel } from './js-flavor.js'
import { LogisticRegression } from './learners/linear.js'
import { parseMLmodel, readMLmodel } from './mlmodel.js'
import { saveModel } from './save-model.js'
import { runExport } from './test-support/onnx-run.js'

const GOLDEN_DIR = join(import.meta.dirname, 'testdata', 'mlflow-scoring-model')

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'cairn-save-'))
  dirs.push(d)
  return d
}

const X = [
  [0.1, -1.2],
  [1.5, 0.3],
  [-0.7, 0.9],
  [2.2, -0.4],
  [-1.9, -1.1],
  [0.4, 1.8],
]
const Y = ['DOWN', 'UP', 'DOWN', 'UP', 'DOWN', 'UP']

describe('saveModel, onnx flavor', () => {
  it("lays the folder out as mlflow.onnx.save_model does, with the golden model's flavor keys", async () => {
    const dir = join(await tempDir(), 'model')
    const lr = LogisticRegression.fit(X, Y)
    const records = X.slice(0, 2).map(([a, b]) => ({ a, b }))
    await saveModel(dir, { flavor: 'onnx', onnx: lr.toOnnx() }, { inputExample: records })
    expect((await readdir(dir)).sort()).toEqual([
      'MLmodel',
      'conda.yaml',
      'input_example.json',
      'model.onnx',
      'python_env.yaml',
      'requirements.txt',
      'serving_input_payload.json',
    ])
    const golden = parseMLmodel(await readFile(join(GOLDEN_DIR, 'MLmodel'), 'utf8'))
    const m = await readMLmodel(dir)
    for (const flavor of ['onnx', 'python_function']) {
      expect(Object.keys(m.flavors[flavor]!).sort()).toEqual(Object.keys(golden.flavors[flavor]!).sort())
    }
    expect(m.flavors['python_function']).toMatchObject({ loader_module: 'mlflow.onnx', data: 'model.onnx' })
    expect(m.signature?.inputs).toEqual({
      kind: 'columns',
      columns: [
        { kind: 'column', name: 'a', type: 'double', required: true },
        { kind: 'column', name: 'b', type: 'double', required: true },
      ],
    })
    expect(m.signature?.outputs).toMatchObject({
      kind: 'tensors',
      tensors: [{ name: 'label' }, { name: 'probabilities' }],
    })
    expect(m.metadata).toEqual({ classes: ['DOWN', 'UP'] })
    expect(m.savedInputExampleInfo).toMatchObject({
      artifactPath: 'input_example.json',
      pandasOrient: 'split',
    })
    expect(m.modelSizeBytes).toBeGreaterThan(0)
    expect(m.cairnVersion).toBeDefined()
    // The saved file is the model: it answers what the learner answers.
    const saved = new Uint8Array(await readFile(join(dir, 'model.onnx')))
    expect((await runExport(saved, X)).label).toEqual(lr.predict(X))
  })

  it("writes the golden model's column signature byte for byte from its feature names", async () => {
    const dir = join(await tempDir(), 'model')
    const names = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']
    await saveModel(dir, { flavor: 'onnx', onnx: join(GOLDEN_DIR, 'model.onnx') }, { featureNames: names })
    const line = (text: string): string | undefined =>
      text.split('\n').find((l) => l.startsWith('  inputs: '))
    const ours = line(await readFile(join(dir, 'MLmodel'), 'utf8'))
    expect(ours).toBeDefined()
    expect(ours).toBe(line(await readFile(join(GOLDEN_DIR, 'MLmodel'), 'utf8')))
  })

  it('writes the environment files MLflow needs to rebuild the model', async () => {
    const dir = join(await tempDir(), 'model')
    await saveModel(dir, { flavor: 'onnx', onnx: LogisticRegression.fit(X, Y).toOnnx() })
    expect(await readFile(join(dir, 'requirements.txt'), 'utf8')).toMatch(
      /^mlflow==2\.10\.2\nonnx==[\d.]+\nonnxruntime==[\d.]+$/,
    )
    const conda = await readFile(join(dir, 'conda.yaml'), 'utf8')
    expect(conda).toMatch(
      /^channels:\n- conda-forge\ndependencies:\n- python=3\.\d+\.\d+\n- pip<=[\d.]+\n- pip:\n  - mlflow==2\.10\.2\n/,
    )
    expect(conda).toMatch(/name: mlflow-env\n$/)
    expect(await readFile(join(dir, 'python_env.yaml'), 'utf8')).toMatch(
      /^python: 3\.\d+\.\d+\nbuild_dependencies:\n- pip==/,
    )
  })

  it('takes its signature from the ONNX graph when given no example', async () => {
    const dir = join(await tempDir(), 'model')
    const m = await saveModel(dir, { flavor: 'onnx', onnx: LogisticRegression.fit(X, Y).toOnnx() })
    expect(m.signature?.inputs).toEqual({
      kind: 'tensors',
      tensors: [{ kind: 'tensor', name: 'input', dtype: 'float32', shape: [-1, 2] }],
    })
  })

  it('refuses a folder that is not empty, bytes that are not ONNX and feature names of the wrong count', async () => {
    const parent = await tempDir()
    await writeFile(join(parent, 'x'), 'x')
    const onnx = LogisticRegression.fit(X, Y).toOnnx()
    await expect(saveModel(parent, { flavor: 'onnx', onnx })).rejects.toMatchObject({
      code: 'RESOURCE_ALREADY_EXISTS',
    })
    await expect(
      saveModel(join(parent, 'a'), { flavor: 'onnx', onnx: new Uint8Array([1, 2, 3, 4]) }),
    ).rejects.toThrow(/Not an ONNX model/)
    await expect(
      saveModel(join(parent, 'b'), { flavor: 'onnx', onnx }, { featureNames: ['a'] }),
    ).rejects.toThrow(/takes 2 features; 1 feature names/)
  })
})

const MODULE = `
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
let loads = 0
export async function load(dir) {
  loads += 1
  const w = JSON.parse(await readFile(join(dir, 'weights.json'), 'utf8'))
  return { ...w, loads }
}
export function predict(inputs, params, state) {
  const out = new Float64Array(inputs.x.length)
  for (let i = 0; i < out.length; i++) out[i] = state.w * inputs.x[i] + (params.offset ?? 0)
  return { y: out, loads: [state.loads] }
}
`

describe('saveModel, js flavor', () => {
  it('copies the module and its files, and loads and predicts through the contract', async () => {
    const root = await tempDir()
    await writeFile(join(root, 'linear.js'), MODULE)
    const dir = join(root, 'model')
    const m = await saveModel(
      dir,
      { flavor: 'js', module: join(root, 'linear.js'), files: { 'weights.json': '{"w": 2}' } },
      { inputExample: { x: [1, 2, 3] } },
    )
    expect(m.flavors['js']).toMatchObject({ entry: 'linear.js' })
    expect(m.flavors['python_function']).toBeUndefined()
    expect((await readdir(dir)).sort()).toEqual([
      'MLmodel',
      'input_example.json',
      'linear.js',
      'package.json',
      'serving_input_payload.json',
      'weights.json',
    ])
    const model = await loadJsModel(dir)
    const out = (await model.predict({ x: Float64Array.from([1, 2]) }, { offset: 1 })) as {
      y: Float64Array
      loads: number[]
    }
    expect(Array.from(out.y)).toEqual([3, 5])
    // A second load gets a fresh module: its state starts over.
    const again = (await (await loadJsModel(dir)).predict({ x: [1] })) as { loads: number[] }
    expect(out.loads).toEqual([1])
    expect(again.loads).toEqual([1])
  })

  it('uses the object load returns when the module exports no predict', async () => {
    const root = await tempDir()
    await writeFile(
      join(root, 'm.mjs'),
      'export function load() { return { predict: (i) => i.x.map((v) => v * 10) } }',
    )
    await saveModel(join(root, 'model'), { flavor: 'js', module: join(root, 'm.mjs') })
    expect(await (await loadJsModel(join(root, 'model'))).predict({ x: [1, 2] })).toEqual([10, 20])
  })

  it('refuses a TypeScript entry, and a module without load', async () => {
    const root = await tempDir()
    await writeFile(join(root, 'm.ts'), 'export const x = 1')
    await expect(saveModel(join(root, 'a'), { flavor: 'js', module: join(root, 'm.ts') })).rejects.toThrow(
      /compile/,
    )
    await writeFile(join(root, 'n.mjs'), 'export const x = 1')
    await saveModel(join(root, 'b'), { flavor: 'js', module: join(root, 'n.mjs') })
    await expect(loadJsModel(join(root, 'b'))).rejects.toThrow(/must export a function load/)
  })
})
