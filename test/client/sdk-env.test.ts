import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { CairnClient, CairnError, TRACKING_API, type CairnClientOptions } from '../../src/index.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})
afterEach(() => {
  vi.unstubAllEnvs()
})

const withEnv = (env: Record<string, string>, opts: CairnClientOptions = {}) =>
  new CairnClient({ env: { CAIRN_TRACKING_URI: server.url, ...env }, handleExit: false, ...opts })

describe('SDK tracking URI from the environment', () => {
  it('reads CAIRN_TRACKING_URI before MLFLOW_TRACKING_URI', async () => {
    const client = new CairnClient({
      env: { CAIRN_TRACKING_URI: server.url, MLFLOW_TRACKING_URI: 'http://127.0.0.1:1' },
      handleExit: false,
    })
    expect(client.trackingUri).toBe(server.url)
    expect((await client.getExperiment('0')).name).toBe('Default')
  })

  it('falls back to MLFLOW_TRACKING_URI, read from process.env by default', async () => {
    vi.stubEnv('CAIRN_TRACKING_URI', '')
    vi.stubEnv('MLFLOW_TRACKING_URI', `${server.url}/`)
    const client = new CairnClient({ handleExit: false })
    expect(client.trackingUri).toBe(server.url)
    expect((await client.getExperiment('0')).experimentId).toBe('0')
  })

  it('defaults to http://127.0.0.1:5000', () => {
    expect(new CairnClient({ env: {}, handleExit: false }).trackingUri).toBe('http://127.0.0.1:5000')
  })

  it('refuses a tracking URI that is not http(s)', () => {
    expect(
      () => new CairnClient({ env: { MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' }, handleExit: false }),
    ).toThrow(CairnError)
    expect(() => new CairnClient({ trackingUri: 'databricks', env: {}, handleExit: false })).toThrow(
      /http:\/\//,
    )
  })
})

describe('SDK run and experiment from the environment', () => {
  it('MLFLOW_RUN_ID makes startRun resume that run, RUNNING again, with its params known', async () => {
    const creator = withEnv({})
    const original = await creator.startRun({ experimentName: 'sdk-env' })
    await original.logParam('seed', 7)
    await original.endRun()

    const client = withEnv({ MLFLOW_RUN_ID: original.runId })
    const resumed = await client.startRun()
    expect(resumed.runId).toBe(original.runId)
    expect((await client.getRun(original.runId)).info.status).toBe('RUNNING')
    await resumed.logParam('seed', 7)
    await expect(resumed.logParam('seed', 8)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' })
    await resumed.logMetric('resumed', 1)
    await resumed.endRun()
    const run = await client.getRun(original.runId)
    expect(run.info.status).toBe('FINISHED')
    expect(run.data.metrics.map((m) => m.key)).toEqual(['resumed'])
  })

  it('MLFLOW_RUN_ID is not reused for a nested run, nor resumed twice at once', async () => {
    const parent = await withEnv({}).startRun({ experimentName: 'sdk-env' })
    const client = withEnv({ MLFLOW_RUN_ID: parent.runId })
    const resumed = await client.startRun()
    await expect(client.startRun()).rejects.toMatchObject({ code: 'INVALID_STATE' })
    const child = await client.startRun({ parentRunId: parent.runId, experimentId: parent.experimentId })
    expect(child.runId).not.toBe(parent.runId)
    await child.endRun()
    await resumed.endRun()
  })

  it('refuses to resume a deleted run', async () => {
    const creator = withEnv({})
    const run = await creator.startRun({ experimentName: 'sdk-env' })
    await run.endRun()
    await creator.http.call(TRACKING_API.deleteRun, { run_id: run.runId })
    await expect(withEnv({ MLFLOW_RUN_ID: run.runId }).startRun()).rejects.toThrow(/deleted/)
  })

  it('MLFLOW_EXPERIMENT_NAME picks the experiment, creating it when missing', async () => {
    const client = withEnv({ MLFLOW_EXPERIMENT_NAME: 'sdk-env-by-name' })
    const run = await client.startRun()
    const exp = await client.getExperimentByName('sdk-env-by-name')
    expect(run.experimentId).toBe(exp!.experimentId)
    await run.endRun()
    const again = await client.startRun()
    expect(again.experimentId).toBe(exp!.experimentId)
    await again.endRun()
  })

  it('MLFLOW_EXPERIMENT_ID picks the experiment; an unknown id is an error', async () => {
    const id = await withEnv({}).createExperiment('sdk-env-by-id')
    const run = await withEnv({ MLFLOW_EXPERIMENT_ID: id }).startRun()
    expect(run.experimentId).toBe(id)
    await run.endRun()
    await expect(withEnv({ MLFLOW_EXPERIMENT_ID: '987654321' }).startRun()).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    })
  })

  it('refuses MLFLOW_EXPERIMENT_NAME and MLFLOW_EXPERIMENT_ID naming different experiments', async () => {
    const id = await withEnv({}).createExperiment('sdk-env-mismatch')
    await expect(
      withEnv({ MLFLOW_EXPERIMENT_NAME: 'sdk-env-by-name', MLFLOW_EXPERIMENT_ID: id }).startRun(),
    ).rejects.toThrow(/does not match/)
  })

  it('explicit options beat the environment, and without either runs go to experiment 0', async () => {
    const client = withEnv({ MLFLOW_EXPERIMENT_NAME: 'sdk-env-by-name' })
    const explicit = await client.startRun({ experimentName: 'sdk-env-explicit' })
    expect((await client.getExperiment(explicit.experimentId)).name).toBe('sdk-env-explicit')
    await explicit.endRun()
    const plain = await withEnv({}).startRun()
    expect(plain.experimentId).toBe('0')
    await plain.endRun()
  })
})
