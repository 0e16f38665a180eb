/**
 * The example end to end against a real Cairn server: the pipeline from an http URL, the
 * champion it promotes, the prediction API, a cached second run, a run started by the daily
 * schedule, a hot swap when the champion moves, and bad data refused at ingest. Trees are kept
 * small through the pipeline's parameters.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient } from '../../src/client/index.js'
import { PipelinesClient } from '../../src/pipelines/client.js'
import { LocalExecutor } from '../../src/pipelines/executors/local/local-executor.js'
import { runPipeline } from '../../src/pipelines/orchestrator/orchestrator.js'
import { resolveParams } from '../../src/pipelines/spec/params.js'
import type { StepRecord } from '../../src/protocol/pipeline-entities.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'
import { parsePriceCsv } from './lib/data.js'
import { computeFeatures } from './lib/features.js'
import { isModelFamily, trainModel } from './lib/models.js'
import { timeSplit, xOf, yOf } from './lib/split.js'
import sp500, { MODEL_NAME } from './pipeline.js'
import { CRON, SCHEDULE } from './schedule.js'
import { startPredictionApi, type PredictionApi } from './serve/api.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const CSV_PATH = join(HERE, '../../node_modules/vega-datasets/data/sp500-2000.csv')
const CSV = readFileSync(CSV_PATH, 'utf8')
const SMALL = { n_trees: '15' }
const spec = sp500.build()

describe('the S&P 500 example, end to end', () => {
  let server: TestServer
  let files: Server
  let dataUrl = ''
  let api: PredictionApi
  const dir = mkdtempSync(join(tmpdir(), 'sp500-e2e-'))
  const executor = new LocalExecutor({
    maxConcurrent: 2,
    killGraceMs: 1000,
    scratchDir: join(dir, 'scratch'),
  })
  let pipelines: PipelinesClient
  let sdk: CairnClient

  beforeAll(async () => {
    server = await startTestServer({}, { pipelines: { scheduler: false } })
    pipelines = PipelinesClient.forUri(server.url)
    sdk = new CairnClient({ trackingUri: server.url, handleExit: false })
    files = createServer((req, res) => {
      if (req.url === '/sp500-2000.csv') res.writeHead(200, { 'Content-Type': 'text/csv' }).end(CSV)
      else if (req.url === '/bad.csv') res.writeHead(200).end('date,close\n2000-01-04,10\n2000-01-03,11\n')
      else res.writeHead(404).end()
    })
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r))
    dataUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/sp500-2000.csv`
  })

  afterAll(async () => {
    await api?.close()
    await server?.close()
    await new Promise((r) => files?.close(r))
    rmSync(dir, { recursive: true, force: true })
  })

  const run = (given: Record<string, string> = {}) =>
    runPipeline({
      spec,
      params: resolveParams(spec, { data: dataUrl, ...SMALL, ...given }),
      workdir: HERE,
      executor,
      client: pipelines,
      sleep: async () => {},
    })
  const stepsOf = async (runId: string): Promise<Map<string, StepRecord>> =>
    new Map((await pipelines.getRun(runId)).steps.map((s) => [s.stepKey, s]))

  let firstRun = ''

  it('runs ingest → features → train ×3 → evaluate → register → reference → promote, and the first validated model becomes champion', async () => {
    const out = await run()
    expect(out.message).toBe('')
    expect(out.status).toBe('succeeded')
    firstRun = out.runId
    const steps = await stepsOf(out.runId)
    for (const key of [
      'ingest',
      'features',
      'train[0]',
      'train[1]',
      'train[2]',
      'evaluate',
      'register',
      'reference',
      'promote',
    ]) {
      expect({ key, status: steps.get(key)?.status }).toEqual({ key, status: 'succeeded' })
    }
    // The dataset version is the content hash, logged as the ingest run's input.
    const ingest = steps.get('ingest')!
    const digest = ingest.outputs!.values['digest']
    expect(digest).toMatch(/^[0-9a-f]{16}$/)
    const ingestRun = await sdk.getRun(ingest.runId!)
    expect(ingestRun.inputs.datasetInputs).toEqual([
      expect.objectContaining({
        dataset: expect.objectContaining({
          name: 'sp500',
          digest,
          sourceType: 'http',
          source: JSON.stringify({ url: dataUrl }),
        }),
      }),
    ])
    // Each model family logged its metrics and the baseline's on its own run.
    for (const key of ['train[0]', 'train[1]', 'train[2]']) {
      const r = await sdk.getRun(steps.get(key)!.runId!)
      const metrics = new Set(r.data.metrics.map((m) => m.key))
      for (const m of [
        'val_accuracy',
        'val_roc_auc',
        'val_f1',
        'val_log_loss',
        'test_roc_auc',
        'baseline_val_accuracy',
        'baseline_val_log_loss',
      ])
        expect(metrics).toContain(m)
      expect(r.inputs.datasetInputs[0]?.dataset.digest).toBe(digest)
    }
    expect(steps.get('evaluate')!.outputs!.values['passed']).toBe(true)
    const champion = await sdk.registry.getVersionByAlias(MODEL_NAME, 'champion')
    expect(champion.version).toBe('1')
    expect(champion.runId).toBe(steps.get('evaluate')!.outputs!.values['best_run_id'])
    expect(champion.tags).toContainEqual({ key: 'validated', value: 'true' })
    const policy = await sdk.registry.getPolicy(MODEL_NAME)
    expect(policy?.document['thresholds']).toHaveLength(3)
    expect(steps.get('promote')!.outputs!.values).toMatchObject({ promoted: true, champion: '1' })
  })

  it("answers /predictionForTomorrow from the newest day and the champion, whose P(UP) is the trained model's", async () => {
    api = await startPredictionApi({
      trackingUri: server.url,
      data: dataUrl,
      home: join(dir, 'api'),
      port: 0,
      pollIntervalMs: 200,
    })
    const res = await fetch(`${api.url}/predictionForTomorrow?threshold=0.3`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      threshold: 0.3,
      model_source: 'registry',
      model_alias: 'champion',
      model_version: '1',
      as_of: '2020-04-17',
    })
    const confidence = body['confidence'] as number
    expect(body['prediction']).toBe(confidence >= 0.3 ? 'UP' : 'DOWN')

    // The same family with the same parameters, trained again here, gives the same P(UP).
    const champion = await sdk.registry.getVersionByAlias(MODEL_NAME, 'champion')
    const family = champion.tags.find((t) => t.key === 'model_family')?.value
    expect(isModelFamily(family)).toBe(true)
    const table = parsePriceCsv(CSV)
    const ft = computeFeatures(table.rows, table.columns)
    const split = timeSplit(ft.rows, 0.15, 0.15)
    const p = spec.params
    const num = (k: string): number => Number(p[k]!.default)
    const model = trainModel(family as never, xOf(split.train), yOf(split.train), {
      nTrees: Number(SMALL.n_trees),
      maxDepth: num('max_depth'),
      learningRate: num('learning_rate'),
      minSamplesLeaf: num('min_samples_leaf'),
      l2: num('l2'),
      seed: num('seed'),
    })
    expect(Math.abs(confidence - model.predictUp([ft.rows.at(-1)!.values])[0]!)).toBeLessThan(2e-4)

    const byDefault = (await (await fetch(`${api.url}/predictionForTomorrow`)).json()) as Record<
      string,
      unknown
    >
    expect(byDefault).toMatchObject({
      threshold: 0.5,
      confidence,
      prediction: confidence >= 0.5 ? 'UP' : 'DOWN',
    })
  })

  it('refuses a threshold that is not a probability with 400', async () => {
    for (const q of [
      'threshold=1.5',
      'threshold=-0.1',
      'threshold=abc',
      'threshold=',
      'threshold=0.2&threshold=0.3',
    ]) {
      const res = await fetch(`${api.url}/predictionForTomorrow?${q}`)
      expect({ q, status: res.status }).toEqual({ q, status: 400 })
      expect(await res.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' })
    }
  })

  it('takes everything after ingest from the cache on a second run with unchanged data', async () => {
    const out = await run()
    expect(out.status).toBe('succeeded')
    const steps = await stepsOf(out.runId)
    expect(steps.get('ingest')!.cacheHit).toBe(false)
    for (const key of [
      'features',
      'train[0]',
      'train[1]',
      'train[2]',
      'evaluate',
      'register',
      'reference',
      'promote',
    ]) {
      expect({ key, cacheHit: steps.get(key)?.cacheHit }).toEqual({ key, cacheHit: true })
    }
    const versions = await sdk.registry.searchModelVersions({ filter: `name = '${MODEL_NAME}'` })
    expect(versions.modelVersions.map((v) => v.version)).toEqual(['1'])
  })

  it('starts a new pipeline run when the daily schedule is triggered', async () => {
    await pipelines.createSchedule({
      name: SCHEDULE,
      spec,
      params: resolveParams(spec, { data: dataUrl, ...SMALL }),
      workdir: HERE,
      cron: CRON,
      timezone: 'UTC',
      maxConcurrent: 1,
      catchup: false,
      backend: 'local',
    })
    const runId = await pipelines.triggerSchedule(SCHEDULE)
    expect([firstRun]).not.toContain(runId)
    let record = (await pipelines.getRun(runId)).run
    for (let i = 0; i < 600 && record.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      record = (await pipelines.getRun(runId)).run
    }
    expect(record).toMatchObject({ status: 'succeeded', scheduleName: SCHEDULE })
    const steps = await stepsOf(runId)
    expect(steps.get('promote')!.cacheHit).toBe(true)
    const scheduled = await pipelines.searchRuns({ scheduleName: SCHEDULE })
    expect(scheduled.runs.map((r) => r.runId)).toEqual([runId])
  })

  it('answers from the new champion once the alias moves (hot swap)', async () => {
    const steps = await stepsOf(firstRun)
    const best = steps.get('evaluate')!.outputs!.values['best_run_id']
    const other = ['train[0]', 'train[1]', 'train[2]']
      .map((k) => steps.get(k)!)
      .find((s) => s.runId !== best)!
    const v2 = await sdk.registry.registerModel(other.outputs!.values['model_uri'] as string, MODEL_NAME, {
      wait: true,
    })
    await sdk.registry.setAlias(MODEL_NAME, 'champion', v2.version)
    let version: unknown = '1'
    for (let i = 0; i < 200 && version !== v2.version; i++) {
      await new Promise((r) => setTimeout(r, 100))
      version = ((await (await fetch(`${api.url}/predictionForTomorrow`)).json()) as Record<string, unknown>)[
        'model_version'
      ]
    }
    expect(version).toBe('2')
  })

  it('fails ingest with the validation message on bad data and runs nothing after it', async () => {
    const out = await run({ data: dataUrl.replace('sp500-2000.csv', 'bad.csv') })
    expect(out.status).toBe('failed')
    const steps = await stepsOf(out.runId)
    expect(steps.get('ingest')!.status).toBe('failed')
    const log = await pipelines.readLogs(out.runId, 'ingest', 0)
    expect(log.text).toContain(
      'line 3: date 2000-01-03 comes after 2000-01-04 (line 2); dates must be in ascending order',
    )
    for (const key of ['features', 'train', 'evaluate', 'register', 'reference', 'promote'])
      expect(steps.get(key)!.status).toBe('skipped')
  })
})
