/**
 * Hot swap inside `cairn server --serve models:/lr@champion`: the registry's in-process
 * notification moves the served version at once (no polling here), with no failed request while
 * concurrent clients keep scoring; a version that cannot load leaves the old one serving and is
 * reported in the model metadata and the metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test-support/test-server.js'
import { defaultServingConfig } from '../config.js'
import { featureNames, writeLogisticModel } from '../test-support/model-fixtures.js'
import { eventually, registerFolders, setAlias } from '../test-support/registry-fixtures.js'

const ROW = { dataframe_split: { columns: featureNames(4), data: [[1, 1, 1, 1]] } }

interface Scored {
  status: number
  version: string | null
  p1: number | null
}

async function score(s: TestServer): Promise<Scored> {
  const res = await s.fetch('/invocations', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ROW),
  })
  const body = (await res.json()) as { predictions?: { probabilities: number[] }[] }
  return {
    status: res.status,
    version: res.headers.get('x-model-version'),
    p1: body.predictions?.[0]?.probabilities[1] ?? null,
  }
}

async function servedVersion(s: TestServer): Promise<string | undefined> {
  const { json } = await s.get('/v2/models/lr')
  return (json as { versions?: string[] } | null)?.versions?.[0]
}

describe('hot swap inside cairn server', () => {
  let s: TestServer
  let tmp: string
  const p1ByVersion = new Map<string, number>()

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cairn-swap-'))
    const serving = defaultServingConfig(tmp, [{ uri: 'models:/lr@champion' }])
    serving.pollIntervalMs = 0
    // Started before the model exists: serving waits for the registry to say it does.
    s = await startTestServer({}, { serving })
    const v1 = await writeLogisticModel(join(tmp, 'v1'), [0.1, 0.1, 0.1, 0.1], 0)
    const v2 = await writeLogisticModel(join(tmp, 'v2'), [-0.5, -0.5, -0.5, -0.5], 0)
    const broken = await writeLogisticModel(join(tmp, 'v3'), [1, 1, 1, 1], 0, {
      overrideOnnx: new Uint8Array([7, 7, 7]),
    })
    await registerFolders(s.url, 'lr', [v1, v2, broken])
    p1ByVersion.set('1', 1 / (1 + Math.exp(-0.4)))
    p1ByVersion.set('2', 1 / (1 + Math.exp(2)))
  })
  afterAll(async () => {
    await s.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  it('answers 503 until the alias exists, then serves the version it points at', async () => {
    expect((await score(s)).status).toBe(503)
    await setAlias(s.url, 'lr', 'champion', '1')
    await eventually(async () => (await servedVersion(s)) === '1')
    const r = await score(s)
    expect(r).toMatchObject({ status: 200, version: '1' })
    expect(r.p1).toBeCloseTo(p1ByVersion.get('1')!, 5)
  })

  it('swaps to the new version under concurrent load without a failed request', async () => {
    const results: Scored[][] = Array.from({ length: 8 }, () => [])
    let stop = false
    const clients = results.map(async (mine) => {
      while (!stop) mine.push(await score(s))
    })
    await eventually(() => results.every((r) => r.length >= 5))
    await setAlias(s.url, 'lr', 'champion', '2')
    await eventually(() => results.every((r) => r.slice(-3).every((x) => x.version === '2') && r.length >= 8))
    stop = true
    await Promise.all(clients)

    const all = results.flat()
    expect(all.filter((r) => r.status !== 200)).toEqual([])
    expect(new Set(all.map((r) => r.version))).toEqual(new Set(['1', '2']))
    for (const r of all) expect(r.p1).toBeCloseTo(p1ByVersion.get(r.version!)!, 5)
    // Each client sees the switch once: never the old version after the new one.
    for (const mine of results) {
      const first2 = mine.findIndex((r) => r.version === '2')
      expect(mine.slice(first2).every((r) => r.version === '2')).toBe(true)
    }
  })

  it('keeps serving the current version when the new one fails to load, and reports the failure', async () => {
    await setAlias(s.url, 'lr', 'champion', '3')
    await eventually(async () => {
      const { json } = await s.get('/v2/models/lr')
      const status = (json as { cairn: { status: { last_error?: { version: string } }[] } }).cairn.status[0]
      return status?.last_error?.version === '3'
    })
    const { json } = await s.get('/v2/models/lr')
    const status = json as {
      versions: string[]
      cairn: { status: { state: string; last_error: { message: string } }[] }
    }
    expect(status.versions).toEqual(['2'])
    expect(status.cairn.status[0]!.state).toBe('ready')
    expect(status.cairn.status[0]!.last_error.message).toContain('not a valid ONNX model')
    expect(await score(s)).toMatchObject({ status: 200, version: '2' })
    const metrics = await (await s.fetch('/metrics')).text()
    expect(metrics).toMatch(
      /cairn_serving_model_swaps_total\{model="lr",role="primary",result="failure"\} [1-9]/,
    )
    expect(metrics).toMatch(/cairn_serving_model_info\{model="lr",version="2",[^}]*\} 1/)
    expect(metrics).not.toMatch(/cairn_serving_model_info\{model="lr",version="1"/)
  })
})
