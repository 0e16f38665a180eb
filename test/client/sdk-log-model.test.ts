import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient, LogisticRegression, parseMLmodel, type ActiveRun } from '../../src/index.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'

let server: TestServer
let client: CairnClient
let dir: string
let run: ActiveRun

beforeAll(async () => {
  server = await startTestServer()
  client = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
  dir = mkdtempSync(join(tmpdir(), 'cairn-sdk-log-model-'))
  run = await client.startRun({ experimentName: 'sdk-log-model' })
})
afterAll(async () => {
  await run.endRun()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

async function download(path: string): Promise<string> {
  const base = run.info.artifactUri.replace(/^mlflow-artifacts:/, '/api/2.0/mlflow-artifacts/artifacts')
  const res = await server.fetch(`${base}/${path}`)
  expect(res.status).toBe(200)
  return res.text()
}

const X = [
  [0.2, 1.1],
  [1.4, -0.3],
  [-0.8, 0.5],
  [1.9, 0.7],
  [-1.2, -0.9],
  [0.6, -1.4],
]
const Y = [0, 1, 0, 1, 0, 1]

describe('run.logModel', () => {
  it('uploads an onnx model, records it in the log-model history and registers it', async () => {
    const lr = LogisticRegression.fit(X, Y)
    const logged = await run.logModel(
      'model',
      { flavor: 'onnx', onnx: lr.toOnnx() },
      { inputExample: X.slice(0, 2).map(([a, b]) => ({ a, b })), registeredModelName: 'sdk-lr' },
    )
    expect(logged.modelUri).toBe(`runs:/${run.runId}/model`)
    const files = await client.listArtifacts(run.runId, 'model')
    expect(files.map((f) => f.path).sort()).toEqual(
      [
        'MLmodel',
        'conda.yaml',
        'input_example.json',
        'model.onnx',
        'python_env.yaml',
        'requirements.txt',
        'serving_input_payload.json',
      ].map((f) => `model/${f}`),
    )
    const mlmodel = parseMLmodel(await download('model/MLmodel'))
    expect(mlmodel).toMatchObject({ runId: run.runId, artifactPath: 'model' })

    const history = (await client.getRun(run.runId)).data.tags.find(
      (t) => t.key === 'mlflow.log-model.history',
    )
    const entries = JSON.parse(history!.value) as Record<string, unknown>[]
    expect(entries.at(-1)).toMatchObject({
      run_id: run.runId,
      artifact_path: 'model',
      model_uuid: mlmodel.modelUuid,
      flavors: { onnx: { data: 'model.onnx' }, python_function: { loader_module: 'mlflow.onnx' } },
    })

    // The registry read the signature from the uploaded MLmodel.
    expect(logged.version).toMatchObject({ name: 'sdk-lr', version: '1', status: 'READY', runId: run.runId })
    const resolved = await client.registry.resolve('models:/sdk-lr/1')
    expect(resolved.modelVersion?.signature?.inputs).toBe(
      '[{"type": "double", "name": "a", "required": true}, {"type": "double", "name": "b", "required": true}]',
    )
  })

  it('logs a js-flavor model with its files', async () => {
    const module = join(dir, 'model.mjs')
    writeFileSync(module, 'export const load = () => ({}); export const predict = (i) => i.x')
    const logged = await run.logModel(
      'js-model',
      { flavor: 'js', module, files: { 'weights.json': '{}' } },
      { inputExample: { x: [1, 2] } },
    )
    const mlmodel = parseMLmodel(await download('js-model/MLmodel'))
    expect(mlmodel.flavors['js']).toMatchObject({ entry: 'model.mjs' })
    expect(mlmodel.signature?.inputs).toEqual({
      kind: 'columns',
      columns: [{ kind: 'column', name: 'x', type: 'double', required: true }],
    })
    expect(await download('js-model/weights.json')).toBe('{}')
    expect(logged.version).toBeUndefined()
  })

  it('refuses an empty artifact path', async () => {
    await expect(run.logModel('/', { flavor: 'onnx', onnx: new Uint8Array() })).rejects.toThrow(
      /needs an artifact path/,
    )
  })

  it('refuses to log to an ended run', async () => {
    const other = await client.startRun({ experimentName: 'sdk-log-model' })
    await other.endRun()
    await expect(other.logModel('m', { flavor: 'onnx', onnx: new Uint8Array() })).rejects.toThrow(/has ended/)
  })
})
