import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CairnError } from '../protocol/errors.js'
import { servableFlavor, onnxFlavorOf } from './flavors.js'
import {
  newMLmodel,
  parseMLmodel,
  readMLmodel,
  serializeMLmodel,
  utcTimeCreated,
  writeMLmodel,
} from './mlmodel.js'

const GOLDEN = join(import.meta.dirname, 'testdata', 'mlflow-scoring-model', 'MLmodel')

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

describe('MLmodel', () => {
  it("reads MLflow's scoring-model MLmodel and writes it back byte for byte", async () => {
    const text = await readFile(GOLDEN, 'utf8')
    const m = parseMLmodel(text)
    expect(m.artifactPath).toBe('model')
    expect(m.mlflowVersion).toBe('2.10.2')
    const inputs = m.signature?.inputs
    expect(inputs?.kind).toBe('columns')
    if (inputs?.kind !== 'columns') return
    expect(inputs.columns.map((c) => c.name)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7'])
    expect(inputs.columns.every((c) => c.type === 'double' && c.required)).toBe(true)
    expect(m.signature?.outputs).toEqual({
      kind: 'tensors',
      tensors: [{ kind: 'tensor', dtype: 'int64', shape: [-1] }],
    })
    expect(m.signature?.params).toBeNull()
    expect(serializeMLmodel(m)).toBe(text)
  })

  it("finds the golden model's onnx flavor as MLflow wrote it", async () => {
    const m = parseMLmodel(await readFile(GOLDEN, 'utf8'))
    expect(onnxFlavorOf(m)).toEqual({
      data: 'model.onnx',
      providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'],
      sessionOptions: null,
      onnxVersion: '1.12.0',
    })
    expect(servableFlavor(m).flavor).toBe('onnx')
  })

  it('keeps keys it does not model and writes them back', () => {
    const text = [
      'databricks_runtime: 14.3.x',
      'flavors:',
      '  sklearn:',
      '    pickled_model: model.pkl',
      'model_id: m-123',
      "utc_time_created: '2024-05-01 12:00:00.123456'",
      '',
    ].join('\n')
    const m = parseMLmodel(text)
    expect(m.extra).toEqual({ databricks_runtime: '14.3.x', model_id: 'm-123' })
    expect(m.utcTimeCreated).toBe('2024-05-01 12:00:00.123456')
    expect(serializeMLmodel(m)).toBe(text)
  })

  it('writes a new model with a uuid, MLflow time format and the Cairn marker, and reads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-mlmodel-'))
    dirs.push(dir)
    const m = newMLmodel({ now: Date.UTC(2024, 4, 1, 12, 0, 0, 123), uuid: 'abc123' })
    m.metadata = { classes: ['DOWN', 'UP'] }
    m.savedInputExampleInfo = { artifactPath: 'input_example.json', type: 'dataframe', pandasOrient: 'split' }
    await writeMLmodel(dir, m)
    const text = await readFile(join(dir, 'MLmodel'), 'utf8')
    expect(text).toContain("utc_time_created: '2024-05-01 12:00:00.123000'")
    expect(text).toMatch(/^cairn_version: /m)
    expect(text).toContain(
      'saved_input_example_info:\n  artifact_path: input_example.json\n  pandas_orient: split\n',
    )
    expect(await readMLmodel(dir)).toEqual(m)
  })

  it('answers RESOURCE_DOES_NOT_EXIST for a folder without an MLmodel', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-mlmodel-'))
    dirs.push(dir)
    await expect(readMLmodel(dir)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' })
  })

  it.each([
    ['not YAML', 'flavors: [unclosed', /not valid YAML/],
    ['a list', '- a\n- b\n', /must be a YAML mapping/],
    ['flavors as a list', 'flavors:\n- onnx\n', /'flavors' must be a mapping/],
    ['a flavor that is not a mapping', 'flavors:\n  onnx: yes\n', /flavor 'onnx' must be a mapping/],
    [
      'a bad signature',
      'signature:\n  inputs: \'[{"type": "dbl", "name": "x"}]\'\n',
      /inputs\[0\]: unknown type "dbl"/,
    ],
  ])('rejects %s with a message saying what is wrong', (_what, text, message) => {
    let err: unknown
    try {
      parseMLmodel(text, '/m/MLmodel')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(CairnError)
    expect((err as CairnError).message).toMatch(message)
    expect((err as CairnError).message).toContain('/m/MLmodel')
  })

  it('names the flavors a model has when Cairn cannot serve any of them', async () => {
    const m = parseMLmodel(
      'flavors:\n  sklearn: {pickled_model: model.pkl}\n  python_function: {loader_module: mlflow.sklearn}\n',
    )
    expect(() => servableFlavor(m)).toThrow(/'sklearn', 'python_function'/)
  })

  it('refuses flavor data paths that leave the model folder', () => {
    const m = parseMLmodel('flavors:\n  onnx: {data: ../../etc/passwd}\n')
    expect(() => onnxFlavorOf(m)).toThrow(/relative path inside the model folder/)
  })

  it('formats utc_time_created as Python str(datetime) does', () => {
    expect(utcTimeCreated(Date.UTC(2021, 11, 6, 6, 52, 1, 5))).toBe('2021-12-06 06:52:01.005000')
  })

  it('reads a js flavor and serves it before onnx', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-mlmodel-'))
    dirs.push(dir)
    await writeFile(join(dir, 'MLmodel'), 'flavors:\n  js: {entry: model.mjs}\n  onnx: {data: model.onnx}\n')
    const f = servableFlavor(await readMLmodel(dir))
    expect(f).toMatchObject({ flavor: 'js', entry: 'model.mjs' })
  })
})
