import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnApiError, CairnClient, TRACKING_API } from '../../src/index.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'

let server: TestServer
let client: CairnClient

beforeAll(async () => {
  server = await startTestServer()
  client = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
})
afterAll(async () => {
  await server.close()
})

describe('SDK experiments', () => {
  it('creates an experiment and reads it back by id and by name', async () => {
    const id = await client.createExperiment('sdk-exp-a', { tags: { team: 'vision' } })
    const byId = await client.getExperiment(id)
    expect(byId).toMatchObject({ experimentId: id, name: 'sdk-exp-a', lifecycleStage: 'active' })
    expect(byId.tags).toContainEqual({ key: 'team', value: 'vision' })
    expect(await client.getExperimentByName('sdk-exp-a')).toEqual(byId)
  })

  it('answers null for an experiment name that does not exist', async () => {
    expect(await client.getExperimentByName('no-such-experiment')).toBeNull()
  })

  it('getOrCreateExperiment creates once and then returns the same experiment', async () => {
    const first = await client.getOrCreateExperiment('sdk-exp-goc')
    const second = await client.getOrCreateExperiment('sdk-exp-goc')
    expect(second.experimentId).toBe(first.experimentId)
  })

  it('getOrCreateExperiment settles races between clients on one experiment', async () => {
    const others = Array.from(
      { length: 5 },
      () => new CairnClient({ trackingUri: server.url, env: {}, handleExit: false }),
    )
    const got = await Promise.all(others.map((c) => c.getOrCreateExperiment('sdk-exp-race')))
    expect(new Set(got.map((e) => e.experimentId)).size).toBe(1)
  })

  it('searches experiments, one page at a time or every page', async () => {
    for (let i = 0; i < 5; i++) await client.createExperiment(`sdk-page-${i}`)
    const page = await client.searchExperiments({ maxResults: 2 })
    expect(page.experiments).toHaveLength(2)
    expect(page.nextPageToken).toEqual(expect.any(String))
    const next = await client.searchExperiments({ maxResults: 2, pageToken: page.nextPageToken! })
    expect(next.experiments.map((e) => e.experimentId)).not.toContain(page.experiments[0]!.experimentId)
    const all = await client.searchExperiments({ autoPaginate: true })
    const names = all.experiments.map((e) => e.name)
    expect(names).toEqual(expect.arrayContaining(['Default', 'sdk-page-0', 'sdk-page-4']))
    expect(all.nextPageToken).toBeNull()
  })

  it('auto-pagination stops at maxResults and hands back a token to continue', async () => {
    const some = await client.searchExperiments({ autoPaginate: true, maxResults: 3 })
    expect(some.experiments).toHaveLength(3)
    expect(some.nextPageToken).toEqual(expect.any(String))
  })

  it('lists deleted experiments only when asked', async () => {
    const id = await client.createExperiment('sdk-deleted')
    await client.http.call(TRACKING_API.deleteExperiment, { experiment_id: id })
    const active = await client.searchExperiments({ autoPaginate: true })
    expect(active.experiments.map((e) => e.experimentId)).not.toContain(id)
    const deleted = await client.searchExperiments({ autoPaginate: true, viewType: 'DELETED_ONLY' })
    expect(deleted.experiments.map((e) => e.experimentId)).toEqual([id])
  })
})

describe('SDK error mapping', () => {
  it('turns an error answer into CairnApiError with the code and HTTP status', async () => {
    const err = await client.getExperiment('987654321').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CairnApiError)
    expect(err).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', status: 404 })
    expect((err as Error).message).toContain('987654321')
  })

  it('reports RESOURCE_ALREADY_EXISTS as MLflow does, with status 400', async () => {
    await client.createExperiment('sdk-dup')
    await expect(client.createExperiment('sdk-dup')).rejects.toMatchObject({
      name: 'CairnApiError',
      code: 'RESOURCE_ALREADY_EXISTS',
      status: 400,
    })
  })

  it('maps an answer without MLflow error JSON to a code from its status', async () => {
    const bare = new CairnClient({
      trackingUri: server.url,
      env: {},
      handleExit: false,
      retry: { maxRetries: 0 },
      fetch: async () => new Response('<html>Bad Gateway</html>', { status: 502 }),
    })
    await expect(bare.getExperiment('0')).rejects.toMatchObject({ code: 'INTERNAL_ERROR', status: 502 })
  })
})

describe('SDK transport', () => {
  it('reuses one kept-alive connection for consecutive calls', async () => {
    const fresh = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
    let connections = 0
    const count = (): void => {
      connections++
    }
    server.server.on('connection', count)
    try {
      for (let i = 0; i < 20; i++) await fresh.getExperiment('0')
    } finally {
      server.server.off('connection', count)
    }
    // Node's fetch pools connections process-wide, so an earlier idle one may be reused (0 new).
    expect(connections).toBeLessThanOrEqual(1)
  })

  it('the low-level client calls any endpoint row and returns its wire answer', async () => {
    const answer = await client.http.call(TRACKING_API.getExperiment, { experiment_id: '0' })
    expect(answer.experiment).toMatchObject({ experiment_id: '0', name: 'Default' })
    const search = await client.http.call(TRACKING_API.searchExperiments, { max_results: 1 })
    expect(search.experiments).toHaveLength(1)
  })
})
