import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../test-support/test-server.js'
import { openServedModel } from './index.js'
import { writeLogisticModel } from './test-support/model-fixtures.js'
import { eventually, registerFolders, setAlias } from './test-support/registry-fixtures.js'

describe('openServedModel: serving from code', () => {
  let tracking: TestServer
  let tmp: string

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cairn-served-model-'))
    tracking = await startTestServer()
    const v1 = await writeLogisticModel(join(tmp, 'v1'), [2, 0], 0)
    const v2 = await writeLogisticModel(join(tmp, 'v2'), [-2, 0], 0)
    await registerFolders(tracking.url, 'sp500', [v1, v2])
    await setAlias(tracking.url, 'sp500', 'champion', '1')
  })
  afterAll(async () => {
    await tracking.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  it('predicts from named features as /predict does, follows the alias, and logs predictions and feedback', async () => {
    const home = join(tmp, 'home')
    const model = await openServedModel('models:/sp500@champion', {
      trackingUri: tracking.url,
      labels: ['DOWN', 'UP'],
      pollIntervalMs: 20,
      env: { CAIRN_HOME: home },
    })
    try {
      expect(model.name).toBe('sp500')
      expect(model.version()).toBe('1')
      const up = await model.predict({ f0: 1, f1: 5 }, { requestId: 'tomorrow-1' })
      expect(up).toEqual({
        prediction: 'UP',
        confidence: expect.closeTo(1 / (1 + Math.exp(-2)), 5),
        threshold: 0.5,
        modelUri: 'models:/sp500@champion',
        modelVersion: '1',
        requestId: 'tomorrow-1',
      })
      expect((await model.predict({ f0: 1, f1: 5 }, { threshold: 0.95 })).prediction).toBe('DOWN')
      await expect(model.predict({ f0: 1 })).rejects.toThrow(/f1/)
      const scored = await model.score({
        dataframe_records: [
          { f0: 1, f1: 0 },
          { f0: -1, f1: 0 },
        ],
      })
      expect(scored).toMatchObject({ modelVersion: '1', predictions: [{ label: 1 }, { label: 0 }] })
      model.feedback('tomorrow-1', 'UP')

      await setAlias(tracking.url, 'sp500', 'champion', '2')
      await eventually(() => model.version() === '2')
      expect(await model.predict({ f0: 1, f1: 5 })).toMatchObject({ prediction: 'DOWN', modelVersion: '2' })
    } finally {
      await model.close()
    }
    const dir = join(home, 'predictions', 'sp500')
    const read = (prefix: string): { request_id: string; protocol?: string }[] =>
      readdirSync(dir)
        .filter((f) => f.startsWith(prefix))
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { request_id: string; protocol?: string })
    expect(read('predictions-')).toHaveLength(4)
    expect(read('predictions-')[0]).toMatchObject({ request_id: 'tomorrow-1', protocol: 'predict' })
    expect(read('feedback-')).toEqual([
      expect.objectContaining({ request_id: 'tomorrow-1', ground_truth: 'UP' }),
    ])
  })

  it('answers the serving routes inside a node:http server of your own', async () => {
    const model = await openServedModel(join(tmp, 'v1'), { predictionLog: false })
    let server: Server | null = null
    try {
      server = createServer((req, res) => {
        if (req.url === '/predictionForTomorrow') {
          model.predict({ f0: 1, f1: 0 }).then(
            (a) => res.end(JSON.stringify(a)),
            () => res.writeHead(500).end(),
          )
        } else model.handle(req, res)
      })
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      expect(await (await fetch(`${url}/predictionForTomorrow`)).json()).toMatchObject({ prediction: 1 })
      const res = await fetch(`${url}/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ inputs: { f0: [1], f1: [0] } }),
      })
      expect(res.status).toBe(200)
      expect((await fetch(`${url}/v2/models/v1/ready`)).status).toBe(200)
    } finally {
      await new Promise((r) => (server ? server.close(r) : r(undefined)))
      await model.close()
    }
  })

  it('refuses to open a URI that names nothing, saying why', async () => {
    await expect(
      openServedModel('models:/sp500@nope', { trackingUri: tracking.url, env: { CAIRN_HOME: tmp } }),
    ).rejects.toThrow(/nope/)
  })
})
