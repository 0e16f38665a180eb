/**
 * `cairn serve` on its own: model URIs resolved by a tracking server over HTTP, files downloaded
 * through its artifact proxy into the local cache, the alias polled for a hot swap.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { Writable } from 'node:stream'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../test-support/test-server.js'
import {
  featureNames,
  writeJsFolder,
  writeLogisticModel,
  columnSignature,
} from './test-support/model-fixtures.js'
import { eventually, registerFolders, sdk, setAlias } from './test-support/registry-fixtures.js'
import { startTestServe } from './test-support/serve-harness.js'

const ROW = { inputs: { f0: [1], f1: [2] } }

describe('cairn serve against a tracking server', () => {
  let s: TestServer
  let tmp: string

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cairn-standalone-'))
    s = await startTestServer()
    const v1 = await writeLogisticModel(join(tmp, 'v1'), [1, 0], 0)
    const v2 = await writeLogisticModel(join(tmp, 'v2'), [0, -1], 0)
    await registerFolders(s.url, 'sp500', [v1, v2])
    await setAlias(s.url, 'sp500', 'champion', '1')
    const js = await writeJsFolder(
      join(tmp, 'js'),
      `export function load() { return {} }
       export function predict(inputs) { return { label: Array.from(inputs.f0, (v) => (v > 0 ? 'UP' : 'DOWN')), probabilities: Array.from(inputs.f0, (v) => (v > 0 ? [0.2, 0.8] : [0.9, 0.1])) } }`,
      columnSignature(featureNames(2)),
    )
    await registerFolders(s.url, 'jsmodel', [js])
    await setAlias(s.url, 'jsmodel', 'champion', '1')
  })
  afterAll(async () => {
    await s.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  it('serves models:/name@alias downloaded through the artifact proxy, and swaps when the alias moves', async () => {
    const serve = await startTestServe('models:/sp500@champion', { trackingUri: s.url, pollInterval: '0.02' })
    try {
      const first = await serve.post('/invocations', ROW)
      expect(first.status).toBe(200)
      expect(first.headers.get('x-model-version')).toBe('1')
      expect(first.json.predictions[0].label).toBe(1)
      expect(readdirSync(join(serve.home, 'models', 'sp500')).some((d) => d.startsWith('1-'))).toBe(true)

      await setAlias(s.url, 'sp500', 'champion', '2')
      await eventually(
        async () => (await serve.post('/invocations', ROW)).headers.get('x-model-version') === '2',
      )
      const after = await serve.post('/invocations', ROW)
      expect(after.json.predictions[0].label).toBe(0)
      expect(readdirSync(join(serve.home, 'models', 'sp500')).some((d) => d.startsWith('2-'))).toBe(true)
    } finally {
      await serve.close()
    }
  })

  it('serves a js-flavor model logged to a run, by runs:/ URI, under --name', async () => {
    const v = await sdk(s.url).registry.getModelVersion('jsmodel', 1)
    const serve = await startTestServe(`runs:/${v.runId}/model`, {
      trackingUri: s.url,
      name: 'signals',
      labels: 'DOWN,UP',
    })
    try {
      const r = await serve.post('/predict', { features: { f0: 3, f1: 0 } })
      expect(r.status).toBe(200)
      expect(r.json).toMatchObject({ prediction: 'UP', confidence: 0.8, threshold: 0.5, model_version: null })
      expect((await serve.get('/v2/models/signals')).json.platform).toBe('cairn_js')
    } finally {
      await serve.close()
    }
  })

  it('refuses to start when the model cannot be resolved, saying why', async () => {
    await expect(startTestServe('models:/sp500@nope', { trackingUri: s.url })).rejects.toThrow(
      /no alias 'nope'/,
    )
    await expect(startTestServe('models:/missing/1', { trackingUri: s.url })).rejects.toThrow(/missing/)
  })

  it('serves a local folder without any tracking server', async () => {
    const dir = await writeLogisticModel(join(tmp, 'local'), [1, 1], 0)
    const serve = await startTestServe(dir, { trackingUri: 'http://127.0.0.1:9' })
    try {
      expect((await serve.post('/invocations', ROW)).status).toBe(200)
      expect(existsSync(join(serve.home, 'models'))).toBe(false)
    } finally {
      await serve.close()
    }
  })

  it('logs JSON lines: the model load, and one line per request at debug level with status, latency, request id and version', async () => {
    const lines: Record<string, unknown>[] = []
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n'))
          if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>)
        done()
      },
    })
    const serve = await startTestServe(
      'models:/sp500@champion',
      { trackingUri: s.url },
      { logger: pino({ level: 'debug' }, sink) },
    )
    try {
      await serve.post('/invocations', ROW, { 'X-Request-Id': 'logged-1' })
      await serve.post('/invocations', { inputs: { g: [1] } }, { 'X-Request-Id': 'logged-2' })
    } finally {
      await serve.close()
    }
    const loaded = lines.find((l) => l['msg'] === 'model loaded')
    expect(loaded).toMatchObject({ model: 'sp500', role: 'primary', flavor: 'onnx', to: expect.any(String) })
    const requests = lines.filter((l) => l['msg'] === 'request')
    expect(requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/invocations',
        status: 200,
        requestId: 'logged-1',
        modelVersion: loaded!['to'],
        ms: expect.any(Number),
      }),
      expect.objectContaining({ status: 400, requestId: 'logged-2' }),
    ])
  })
})
