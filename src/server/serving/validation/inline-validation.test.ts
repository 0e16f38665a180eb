import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CairnClient, type ActiveRun } from '../../../client/index.js'
import { EXPECTATIONS_ARTIFACT, writeModelFile } from '../../../monitoring/artifacts/model-artifacts.js'
import { startTestServer, type TestServer } from '../../test-support/test-server.js'
import { defaultServingConfig } from '../config.js'
import { openServedModel } from '../served-model.js'
import type { PredictionRecord } from '../observability/prediction-log.js'
import { startTestServe, type TestServe } from '../test-support/serve-harness.js'

// f0 in [0, 1], segment in {pro, retail}: the training data every expectation is inferred from.
const training = Array.from({ length: 20 }, (_, i) => ({ f0: i / 19, segment: i % 2 ? 'pro' : 'retail' }))
const MODEL = `
export function load() { return {} }
export function predict(inputs) {
  const n = inputs.f0.length
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = 2 * inputs.f0[i] + (inputs.segment[i] === 'pro' ? 1 : 0)
  return out
}
`
const GOOD = {
  dataframe_split: {
    columns: ['f0', 'segment'],
    data: [
      [0.5, 'pro'],
      [0.1, 'retail'],
    ],
  },
}
const BAD = {
  dataframe_split: {
    columns: ['f0', 'segment'],
    data: [
      [0.5, 'pro'],
      [7, 'retail'],
      [0.2, 'gov'],
    ],
  },
}

let server: TestServer
let client: CairnClient
let run: ActiveRun
const home = mkdtempSync(join(tmpdir(), 'cairn-inline-validation-'))
const serves: TestServe[] = []

async function serve(uri: string, validate?: string): Promise<TestServe> {
  const s = await startTestServe(uri, {
    trackingUri: server.url,
    pollInterval: '0',
    ...(validate ? { validate } : {}),
  })
  serves.push(s)
  return s
}

async function logModel(name: string, trainingData: boolean, expectations = true): Promise<void> {
  await run.logModel(
    `model-${name}`,
    { flavor: 'js', code: MODEL },
    {
      inputExample: training.slice(0, 2),
      registeredModelName: name,
      ...(trainingData ? { trainingData: training, profile: { expectations } } : {}),
    },
  )
}

async function metricsText(s: { fetch(path: string): Promise<Response> }): Promise<string> {
  return (await s.fetch('/metrics')).text()
}

beforeAll(async () => {
  // The tracking server also serves models:/scored@champion in process (cairn server --serve … --validate reject).
  server = await startTestServer(
    {},
    {
      serving: {
        ...defaultServingConfig(home, [{ uri: 'models:/scored@champion' }]),
        validation: 'reject',
      },
    },
  )
  client = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
  run = await client.startRun({ experimentName: 'inline-validation' })
  await logModel('scored', true)
  await client.registry.setAlias('scored', 'champion', '1')
  await logModel('bare', false)
  await logModel('profile-only', true, false)
})
afterAll(async () => {
  for (const s of serves) await s.close()
  await run.endRun()
  await server.close()
  rmSync(home, { recursive: true, force: true })
})

describe('cairn serve --validate reject', () => {
  it('answers 400 naming the failed expectations and rows, and scores data that meets them', async () => {
    const s = await serve('models:/scored@champion', 'reject')
    const good = await s.post('/invocations', GOOD)
    expect(good.status).toBe(200)
    expect(good.json).toEqual({ predictions: [2, 0.2] })

    const bad = await s.post('/invocations', BAD)
    expect(bad.status).toBe(400)
    expect(bad.json.error_code).toBe('INVALID_PARAMETER_VALUE')
    expect(bad.json.message).toBe(
      "Invalid input. 2 of 3 rows break the data expectations of model 'scored' version 1: " +
        'f0 max (above the maximum 1): row 1 (7); ' +
        'segment allowed_values (not an allowed value): row 2 ("gov").',
    )
    const single = await s.post('/predict', { features: { f0: -3, segment: 'pro' } })
    expect(single.status).toBe(400)
    expect(single.json.message).toContain('f0 min (below the minimum 0): row 0 (-3)')

    const text = await metricsText(s)
    expect(text).toContain(
      'cairn_serving_validation_failures_total{model="scored",expectation="max",column="f0"} 1',
    )
    expect(text).toContain(
      'cairn_serving_validation_failures_total{model="scored",expectation="allowed_values",column="segment"} 1',
    )
    expect(text).toContain(
      'cairn_serving_validation_failures_total{model="scored",expectation="min",column="f0"} 1',
    )
    expect(text).toContain('cairn_serving_validation_rows_total{model="scored",result="passed"} 3')
    expect(text).toContain('cairn_serving_validation_rows_total{model="scored",result="failed"} 3')
  })

  it('serves a model without stored expectations unchecked, without errors', async () => {
    const s = await serve('models:/bare/1', 'reject')
    const r = await s.post('/invocations', BAD)
    expect(r.status).toBe(200)
    expect(r.json.predictions).toHaveLength(3)
    expect(await metricsText(s)).not.toMatch(/^cairn_serving_validation_failures_total\{/m)
  })

  it('infers expectations from a stored profile when the version has no expectations file', async () => {
    const s = await serve('models:/profile-only/1', 'reject')
    const r = await s.post('/invocations', BAD)
    expect(r.status).toBe(400)
    expect(r.json.message).toContain('f0 max (above the maximum 1): row 1 (7)')
  })

  it('refuses to start on expectations it cannot read, saying which', async () => {
    await logModel('broken', true)
    const mv = (await client.registry.resolve('models:/broken/1')).modelVersion!
    await writeModelFile(client, mv.storageLocation!, {
      path: EXPECTATIONS_ARTIFACT,
      content: 'format: nope\n',
    })
    await expect(serve('models:/broken/1', 'reject')).rejects.toThrow(
      /--validate reject: cannot read the data expectations of broken version 1: .*not Cairn expectations/,
    )
  })
})

describe('cairn serve --validate flag', () => {
  it('scores every row, marks the prediction-log record and counts the failures', async () => {
    const s = await serve('models:/scored@champion', 'flag')
    const log = s.service.logs.get('scored')!
    const recorded: PredictionRecord[] = []
    const spy = vi.spyOn(log, 'record').mockImplementation((r) => void recorded.push(r))
    try {
      const bad = await s.post('/invocations', BAD)
      expect(bad.status).toBe(200)
      expect(bad.json.predictions).toEqual([2, 14, 0.4])
      const good = await s.post('/invocations', GOOD)
      expect(good.status).toBe(200)
    } finally {
      spy.mockRestore()
    }
    expect(recorded).toHaveLength(2)
    expect(recorded[0]!.validation).toEqual({
      rows: 3,
      failedRows: 2,
      failures: [
        { expectation: 'max', column: 'f0', expected: 1, count: 1, rows: [1], values: [7] },
        {
          expectation: 'allowed_values',
          column: 'segment',
          expected: ['pro', 'retail'],
          count: 1,
          rows: [2],
          values: ['gov'],
        },
      ],
    })
    expect(recorded[1]!.validation).toBeUndefined()
    const text = await metricsText(s)
    expect(text).toContain(
      'cairn_serving_validation_failures_total{model="scored",expectation="max",column="f0"} 1',
    )
    expect(text).toContain('cairn_serving_validation_rows_total{model="scored",result="failed"} 2')
  })
})

describe('cairn serve without --validate', () => {
  it('checks nothing: bad rows are scored and no validation series is exported', async () => {
    const s = await serve('models:/scored@champion')
    expect(s.config.serving.validation).toBe('off')
    const r = await s.post('/invocations', BAD)
    expect(r.status).toBe(200)
    expect(await metricsText(s)).not.toContain('cairn_serving_validation')
  })

  it('refuses an unknown mode', async () => {
    await expect(serve('models:/scored@champion', 'warn')).rejects.toThrow(
      "--validate must be one of off, flag, reject, got 'warn'",
    )
  })
})

describe('cairn server --serve --validate reject', () => {
  it('reads the expectations from the artifact store in process and rejects bad rows', async () => {
    // The alias was set after the server started: wait until the registry's notification loaded it.
    for (let i = 0; i < 200 && (await server.fetch('/v2/models/scored/ready')).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 25))
    const good = await server.post('/invocations', GOOD)
    expect(good.status).toBe(200)
    const bad = await server.post('/invocations', BAD)
    expect(bad.status).toBe(400)
    expect(bad.json.message).toContain('2 of 3 rows break the data expectations')
    expect(await metricsText(server)).toContain(
      'cairn_serving_validation_failures_total{model="scored",expectation="max",column="f0"} 1',
    )
  })
})

describe('openServedModel({ validate })', () => {
  it('checks rows scored from code as the routes do', async () => {
    const model = await openServedModel('models:/scored@champion', {
      trackingUri: server.url,
      validate: 'reject',
      predictionLog: false,
      cacheDir: join(home, 'code-cache'),
      pollIntervalMs: 0,
    })
    try {
      await expect(model.score(BAD)).rejects.toThrow(/2 of 3 rows break the data expectations/)
      expect((await model.score(GOOD)).predictions).toEqual([2, 0.2])
    } finally {
      await model.close()
    }
  })
})
