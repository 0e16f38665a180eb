/** Registry test helpers through the SDK alone: runs that log metrics and an MLmodel folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CairnClient, type CairnClientOptions } from '../../src/index.js'

export const MLMODEL = `artifact_path: model
flavors:
  onnx:
    onnx_version: 1.15.0
    data: model.onnx
signature:
  inputs: '[{"type": "double", "name": "f0"}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
`

/** A local model folder (MLmodel + model.onnx) to upload; `remove()` deletes it. */
export function modelFolder(): { dir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'cairn-sdk-registry-'))
  const dir = join(root, 'model')
  mkdirSync(dir)
  writeFileSync(join(dir, 'MLmodel'), MLMODEL)
  writeFileSync(join(dir, 'model.onnx'), Buffer.from([8, 1, 18, 0]))
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) }
}

export function sdk(url: string, opts: Partial<CairnClientOptions> = {}): CairnClient {
  return new CairnClient({ trackingUri: url, env: {}, handleExit: false, user: 'tester', ...opts })
}

/**
 * A finished run in `experiment` with these metrics whose `model` folder was uploaded through the
 * mlflow-artifacts proxy; its run id.
 */
export async function loggedModelRun(
  client: CairnClient,
  folder: string,
  metrics: Record<string, number>,
): Promise<string> {
  const run = await client.startRun({ experimentName: 'registry-sdk' })
  if (Object.keys(metrics).length > 0) await run.logMetrics(metrics, 0)
  await run.logArtifacts(folder, 'model')
  await run.endRun()
  return run.runId
}

/** A registered model whose versions (1, 2, …) are the logged models of runs with these metrics. */
export async function modelWithVersions(
  client: CairnClient,
  name: string,
  folder: string,
  versions: { metrics: Record<string, number>; tags?: Record<string, string> }[],
): Promise<string[]> {
  const runIds: string[] = []
  for (const v of versions) {
    const runId = await loggedModelRun(client, folder, v.metrics)
    const mv = await client.registry.registerModel(`runs:/${runId}/model`, name, {
      ...(v.tags ? { tags: v.tags } : {}),
    })
    if (mv.status !== 'READY') throw new Error(`version not READY: ${JSON.stringify(mv)}`)
    runIds.push(runId)
  }
  return runIds
}
