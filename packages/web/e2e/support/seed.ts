/**
 * Seeds a server over its HTTP API with what the UI tests look at: two experiments of runs with
 * params, metric histories (one with a spike), tags, a parent with children, a dataset input,
 * artifacts of every previewable kind, and a registered model with three versions, a champion
 * alias and a promotion policy.
 */
import { deflateSync } from 'node:zlib'

export interface Seeded {
  experimentId: string
  otherExperimentId: string
  runIds: string[]
  /** The run with artifacts, children and a dataset input. */
  richRunId: string
  childRunIds: string[]
  model: string
}

async function api<T = any>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/2.0${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return (text ? JSON.parse(text) : {}) as T
}

async function upload(base: string, artifactUri: string, path: string, body: string | Buffer): Promise<void> {
  const rel = artifactUri.replace(/^mlflow-artifacts:\//, '')
  const res = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${rel}/${path}`, {
    method: 'PUT',
    body: typeof body === 'string' ? body : new Uint8Array(body),
  })
  if (!res.ok) throw new Error(`upload ${path}: ${res.status} ${await res.text()}`)
}

function crc32(buf: Buffer): number {
  let c = ~0
  for (const b of buf) {
    c ^= b
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1
  }
  return ~c >>> 0
}

/** A small RGB PNG (a gradient), made here so no image file is committed. */
export function gradientPng(w = 48, h = 32): Buffer {
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3
      raw[o] = Math.round((x / w) * 255)
      raw[o + 1] = Math.round((y / h) * 255)
      raw[o + 2] = 160
    }
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(td))
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const MLMODEL = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
    loader_module: mlflow.sklearn
    python_version: 3.11.7
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.4.0
mlflow_version: 2.10.2
model_uuid: 6f1c1b1e0c7b4c0e9d1f2a3b4c5d6e7f
signature:
  inputs: '[{"type": "double", "name": "amount"}, {"type": "long", "name": "hour"}]'
  outputs: '[{"type": "double"}]'
`

export async function seed(base: string): Promise<Seeded> {
  const experimentId = (
    await api(base, 'POST', '/mlflow/experiments/create', {
      name: 'fraud-detection',
      tags: [{ key: 'team', value: 'risk' }],
    })
  ).experiment_id as string
  const otherExperimentId = (await api(base, 'POST', '/mlflow/experiments/create', { name: 'churn' }))
    .experiment_id as string
  const optimizers = ['adam', 'sgd', 'rmsprop']
  const runIds: string[] = []
  const t0 = Date.UTC(2026, 10, 20, 9, 0, 0)
  for (let i = 0; i < 40; i++) {
    const exp = i < 32 ? experimentId : otherExperimentId
    const run = (
      await api(base, 'POST', '/mlflow/runs/create', {
        experiment_id: exp,
        run_name: `run-${String(i).padStart(2, '0')}`,
        start_time: t0 + i * 60_000,
        tags: [{ key: 'team', value: i % 2 ? 'risk' : 'growth' }],
      })
    ).run.info.run_id as string
    runIds.push(run)
    const lr = [0.1, 0.03, 0.01, 0.003][i % 4]!
    const opt = optimizers[i % 3]!
    const metrics = []
    for (let step = 0; step < 200; step++) {
      const loss =
        1.5 * Math.exp(-step * lr * 0.3) +
        0.05 * Math.sin(step / 5 + i) +
        (step === 120 && i % 5 === 0 ? 4 : 0)
      metrics.push({ key: 'loss', value: loss, timestamp: t0 + i * 60_000 + step * 1000, step })
      if (step % 10 === 0)
        metrics.push({
          key: 'accuracy',
          value: Math.min(0.99, 0.5 + step * lr * 0.02 + i * 0.001),
          timestamp: t0 + i * 60_000 + step * 1000,
          step,
        })
    }
    metrics.push({ key: 'auc', value: 0.7 + (i % 7) * 0.03, timestamp: t0 + i * 60_000 + 200_000, step: 0 })
    await api(base, 'POST', '/mlflow/runs/log-batch', {
      run_id: run,
      metrics,
      params: [
        { key: 'lr', value: String(lr) },
        { key: 'optimizer', value: opt },
        { key: 'depth', value: String(3 + (i % 5)) },
        { key: 'batch_size', value: String(32 * (1 + (i % 2))) },
      ],
      tags: [{ key: 'dataset', value: i % 3 ? 'v2' : 'v1' }],
    })
    await api(base, 'POST', '/mlflow/runs/update', {
      run_id: run,
      status: i === 7 ? 'FAILED' : 'FINISHED',
      end_time: t0 + i * 60_000 + 210_000,
    })
  }

  const richRunId = runIds[3]!
  const rich = (await api(base, 'GET', `/mlflow/runs/get?run_id=${richRunId}`)).run
  const uri = rich.info.artifact_uri as string
  await upload(base, uri, 'notes.txt', 'Trained on the v2 snapshot.\nThreshold tuned for recall.\n')
  await upload(
    base,
    uri,
    'metrics.json',
    JSON.stringify({
      precision: 0.91,
      recall: 0.84,
      confusion: [
        [900, 12],
        [8, 80],
      ],
    }),
  )
  await upload(
    base,
    uri,
    'eval/predictions.csv',
    'id,amount,score,label\n1,12.5,0.02,0\n2,980.0,0.91,1\n3,44.1,0.10,0\n',
  )
  await upload(base, uri, 'plots/roc.png', gradientPng())
  await upload(base, uri, 'model/MLmodel', MLMODEL)
  await upload(base, uri, 'model/model.pkl', Buffer.from([0x80, 0x04, 0x95, 0x00]))
  await api(base, 'POST', '/mlflow/runs/log-inputs', {
    run_id: richRunId,
    datasets: [
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: {
          name: 'transactions',
          digest: 'a1b2c3d4',
          source_type: 'local',
          source: '{"uri": "/data/tx.parquet"}',
          schema: '{"mlflow_colspec": []}',
        },
      },
    ],
  })
  const childRunIds: string[] = []
  for (let c = 0; c < 2; c++) {
    const child = (
      await api(base, 'POST', '/mlflow/runs/create', {
        experiment_id: experimentId,
        run_name: `fold-${c}`,
        start_time: t0 + 3 * 60_000 + c,
        tags: [{ key: 'mlflow.parentRunId', value: richRunId }],
      })
    ).run.info.run_id as string
    childRunIds.push(child)
    await api(base, 'POST', '/mlflow/runs/log-batch', {
      run_id: child,
      metrics: [{ key: 'loss', value: 0.2 + c / 10, timestamp: t0, step: 0 }],
      params: [{ key: 'fold', value: String(c) }],
    })
  }

  const model = 'fraud'
  await api(base, 'POST', '/mlflow/registered-models/create', {
    name: model,
    description: 'Card fraud classifier',
  })
  for (const r of [runIds[3]!, runIds[4]!, runIds[5]!]) {
    const run = (await api(base, 'GET', `/mlflow/runs/get?run_id=${r}`)).run
    if (r !== richRunId) await upload(base, run.info.artifact_uri as string, 'model/MLmodel', MLMODEL)
    await api(base, 'POST', '/mlflow/model-versions/create', {
      name: model,
      source: `runs:/${r}/model`,
      run_id: r,
    })
  }
  await api(base, 'POST', '/mlflow/registered-models/alias', {
    name: model,
    alias: 'champion',
    version: '1',
    reason: 'first model',
  })
  await api(base, 'POST', '/cairn/registry/policy', {
    name: model,
    policy_text:
      'alias: champion\ndescription: AUC must not drop\ncompare:\n  - metric: auc\n    goal: maximize\nthresholds:\n  - metric: accuracy\n    op: ">="\n    value: 0.5\n',
  })
  return { experimentId, otherExperimentId, runIds, richRunId, childRunIds, model }
}
