/**
 * Helpers for registry tests over HTTP: runs with metrics, model folders uploaded through the
 * artifact proxy, registered versions, and JSON calls with any method. Test-only.
 */
import type { TestServer } from './test-server.js'

export interface Answer {
  status: number
  json: any
}

/** A JSON request with any method (MLflow's registry uses PATCH and DELETE with bodies). */
export async function call(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await server.fetch(path, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, json: text === '' ? null : JSON.parse(text) }
}

export const MLFLOW = '/api/2.0/mlflow'
export const CAIRN = '/api/2.0/cairn/registry'

export function expectOk(a: Answer, what: string): any {
  if (a.status !== 200) throw new Error(`${what}: ${a.status} ${JSON.stringify(a.json)}`)
  return a.json
}

/** A finished run in the Default experiment with these latest metrics; its id and artifact URI. */
export async function runWithMetrics(
  server: TestServer,
  metrics: Record<string, number>,
): Promise<{ runId: string; artifactUri: string }> {
  const run = expectOk(
    await server.post(`${MLFLOW}/runs/create`, { experiment_id: '0', start_time: 1 }),
    'create run',
  ).run
  const runId = run.info.run_id as string
  const entries = Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 }))
  if (entries.length > 0)
    expectOk(
      await server.post(`${MLFLOW}/runs/log-batch`, { run_id: runId, metrics: entries }),
      'log metrics',
    )
  return { runId, artifactUri: run.info.artifact_uri as string }
}

/** The path of a run's artifact folder inside the proxied store (`mlflow-artifacts:/0/<id>/artifacts` → `0/<id>/artifacts`). */
export function proxiedPath(artifactUri: string): string {
  return artifactUri.replace(/^mlflow-artifacts:\/*/, '')
}

export const SIGNATURE_MLMODEL = `artifact_path: model
flavors:
  onnx:
    onnx_version: 1.15.0
    data: model.onnx
signature:
  inputs: '[{"type": "double", "name": "f0"}, {"type": "double", "name": "f1"}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
`

/** Uploads `files` (name → text) under `<run artifacts>/<folder>` through the mlflow-artifacts proxy. */
export async function uploadFolder(
  server: TestServer,
  artifactUri: string,
  folder: string,
  files: Record<string, string>,
): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    const res = await server.fetch(
      `/api/2.0/mlflow-artifacts/artifacts/${proxiedPath(artifactUri)}/${folder}/${name}`,
      {
        method: 'PUT',
        body: text,
      },
    )
    if (res.status !== 200) throw new Error(`upload ${name}: ${res.status} ${await res.text()}`)
  }
}

/** A registered model whose versions are READY models logged by runs with the given metrics. */
export async function modelWithVersions(
  server: TestServer,
  name: string,
  versions: { metrics: Record<string, number>; tags?: Record<string, string> }[],
): Promise<{ runIds: string[] }> {
  expectOk(await server.post(`${MLFLOW}/registered-models/create`, { name }), 'create model')
  const runIds: string[] = []
  for (const v of versions) {
    const run = await runWithMetrics(server, v.metrics)
    await uploadFolder(server, run.artifactUri, 'model', {
      MLmodel: SIGNATURE_MLMODEL,
      'model.onnx': 'bytes',
    })
    const created = expectOk(
      await server.post(`${MLFLOW}/model-versions/create`, {
        name,
        source: `runs:/${run.runId}/model`,
        run_id: run.runId,
        tags: Object.entries(v.tags ?? {}).map(([key, value]) => ({ key, value })),
      }),
      'create version',
    )
    if (created.model_version.status !== 'READY')
      throw new Error(`version not READY: ${JSON.stringify(created)}`)
    runIds.push(run.runId)
  }
  return { runIds }
}
