import { userInfo } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnApiError, CairnError, type CairnClient } from '../../src/index.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'
import { recordingFetch } from './support.js'
import { loggedModelRun, modelFolder, modelWithVersions, sdk } from './registry-support.js'

let server: TestServer
let client: CairnClient
let folder: ReturnType<typeof modelFolder>

beforeAll(async () => {
  server = await startTestServer()
  client = sdk(server.url)
  folder = modelFolder()
})
afterAll(async () => {
  await server.close()
  folder.remove()
})

async function apiError(p: Promise<unknown>): Promise<CairnApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(CairnApiError)
  return err as CairnApiError
}

describe('SDK registry: registering models', () => {
  it('registers a run’s uploaded model as READY with its signature, creating the registered model once', async () => {
    const runId = await loggedModelRun(client, folder.dir, { auc: 0.9 })
    const v1 = await client.registry.registerModel(`runs:/${runId}/model`, 'reg-fraud', {
      wait: true,
      description: 'first cut',
      tags: { stage: 'dev' },
    })
    expect(v1).toMatchObject({
      name: 'reg-fraud',
      version: '1',
      status: 'READY',
      runId,
      source: `runs:/${runId}/model`,
      description: 'first cut',
      tags: [{ key: 'stage', value: 'dev' }],
      userId: 'tester',
    })
    const v2 = await client.registry.registerModel(`runs:/${runId}/model`, 'reg-fraud')
    expect(v2.version).toBe('2')
    const resolved = await client.registry.resolve('models:/reg-fraud/1')
    expect(resolved.runId).toBe(runId)
    expect(resolved.location).toMatch(new RegExp(`${runId}/artifacts/model$`))
    expect(resolved.modelVersion?.signature?.inputs).toContain('"f0"')
    expect(await client.registry.getDownloadUri('reg-fraud', 1)).toBe(resolved.location)
  })

  it('answers FAILED_REGISTRATION with a message when the source has no files', async () => {
    const runId = await loggedModelRun(client, folder.dir, {})
    const v = await client.registry.registerModel(`runs:/${runId}/nowhere`, 'reg-missing', { wait: true })
    expect(v.status).toBe('FAILED_REGISTRATION')
    expect(v.statusMessage).not.toBe('')
  })

  it('waits until a pending version is READY, polling get', async () => {
    const { fetch: recording, requests } = recordingFetch()
    let gets = 0
    // A server that answers PENDING_REGISTRATION at first, as MLflow's may.
    const pendingOnce: typeof fetch = async (input, init) => {
      const res = await recording(input, init)
      const url = String(input instanceof Request ? input.url : input)
      const pending =
        url.includes('/model-versions/create') || (url.includes('/model-versions/get?') && gets++ < 1)
      if (!pending) return res
      const json = (await res.json()) as { model_version: Record<string, unknown> }
      json.model_version['status'] = 'PENDING_REGISTRATION'
      return new Response(JSON.stringify(json), { status: 200, headers: res.headers })
    }
    const waiting = sdk(server.url, { fetch: pendingOnce })
    const runId = await loggedModelRun(client, folder.dir, {})
    const v = await waiting.registry.registerModel(`runs:/${runId}/model`, 'reg-pending', {
      wait: true,
      pollIntervalMs: 1,
    })
    expect(v.status).toBe('READY')
    expect(requests.filter((r) => r.path.endsWith('/model-versions/get'))).toHaveLength(2)
  })
})

describe('SDK registry: models, versions, tags, stages', () => {
  it('creates, reads, searches, renames, updates and deletes registered models and their tags', async () => {
    const reg = client.registry
    await reg.createRegisteredModel('crud-a', { tags: { team: 'risk' }, description: 'A' })
    await reg.createRegisteredModel('crud-b')
    await reg.setRegisteredModelTag('crud-b', 'team', 'ops')
    expect((await reg.getRegisteredModel('crud-a')).tags).toEqual([{ key: 'team', value: 'risk' }])
    const found = await reg.searchRegisteredModels({ filter: "name LIKE 'crud-%'", orderBy: ['name DESC'] })
    expect(found.registeredModels.map((m) => m.name)).toEqual(['crud-b', 'crud-a'])
    const paged = await reg.searchRegisteredModels({ filter: "name LIKE 'crud-%'", maxResults: 1 })
    expect(paged.registeredModels).toHaveLength(1)
    expect(paged.nextPageToken).toEqual(expect.any(String))
    const all = await reg.searchRegisteredModels({ filter: "name LIKE 'crud-%'", autoPaginate: true })
    expect(all).toMatchObject({ nextPageToken: null })
    expect(all.registeredModels).toHaveLength(2)
    expect((await reg.renameRegisteredModel('crud-b', 'crud-c')).name).toBe('crud-c')
    expect((await reg.updateRegisteredModel('crud-a', { description: 'B' })).description).toBe('B')
    expect((await reg.updateRegisteredModel('crud-a', {})).description).toBe('')
    await reg.deleteRegisteredModelTag('crud-a', 'team')
    expect((await reg.getRegisteredModel('crud-a')).tags).toEqual([])
    await reg.deleteRegisteredModel('crud-c')
    const gone = await apiError(reg.getRegisteredModel('crud-c'))
    expect(gone).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', status: 404 })
    const dup = await apiError(reg.createRegisteredModel('crud-a'))
    expect(dup).toMatchObject({ code: 'RESOURCE_ALREADY_EXISTS', status: 400 })
  })

  it('updates, tags, transitions, searches and deletes versions', async () => {
    const reg = client.registry
    const [r1] = await modelWithVersions(client, 'ver-m', folder.dir, [{ metrics: {} }, { metrics: {} }])
    expect((await reg.updateModelVersion('ver-m', 1, { description: 'one' })).description).toBe('one')
    await reg.setModelVersionTag('ver-m', '1', 'validated', 'true')
    await reg.setModelVersionTag('ver-m', '2', 'scratch', 'x')
    await reg.deleteModelVersionTag('ver-m', '2', 'scratch')
    expect((await reg.getModelVersion('ver-m', 1)).tags).toEqual([{ key: 'validated', value: 'true' }])
    expect((await reg.getModelVersion('ver-m', 2)).tags).toEqual([])
    await reg.transitionStage('ver-m', 1, 'production')
    const moved = await reg.transitionStage('ver-m', 2, 'Production', { archiveExistingVersions: true })
    expect(moved.currentStage).toBe('Production')
    expect((await reg.getModelVersion('ver-m', 1)).currentStage).toBe('Archived')
    expect((await reg.getLatestVersions('ver-m', ['Production'])).map((v) => v.version)).toEqual(['2'])
    const byRun = await reg.searchModelVersions({ filter: `run_id = '${r1}'` })
    expect(byRun.modelVersions.map((v) => [v.name, v.version])).toEqual([['ver-m', '1']])
    await reg.deleteModelVersion('ver-m', 2)
    const missing = await apiError(reg.getModelVersion('ver-m', 2))
    expect(missing).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', status: 404 })
  })
})

describe('SDK registry: aliases and the audit user', () => {
  it('sets, reads and deletes aliases with reasons; the audit trail names the client’s user', async () => {
    const reg = client.registry
    await modelWithVersions(client, 'alias-m', folder.dir, [{ metrics: {} }, { metrics: {} }])
    await reg.setAlias('alias-m', 'champion', 1)
    await reg.setAlias('alias-m', 'champion', '2', { reason: 'better recall' })
    expect((await reg.getVersionByAlias('alias-m', 'champion')).version).toBe('2')
    expect((await reg.getRegisteredModel('alias-m')).aliases).toEqual([{ alias: 'champion', version: '2' }])
    await reg.deleteAlias('alias-m', 'champion', { reason: 'retired' })
    const unset = await apiError(reg.getVersionByAlias('alias-m', 'champion'))
    expect(unset).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', status: 400 })
    const { events } = await reg.getHistory('alias-m', { alias: 'champion' })
    expect(events.map((e) => [e.kind, e.oldValue, e.newValue, e.reason, e.userId])).toEqual([
      ['alias_deleted', '2', null, 'retired', 'tester'],
      ['alias_set', '1', '2', 'better recall', 'tester'],
      ['alias_set', null, '1', undefined, 'tester'],
    ])
  })

  it('refuses reserved alias names and aliases on a deleted version, changing nothing', async () => {
    const reg = client.registry
    await modelWithVersions(client, 'alias-bad', folder.dir, [{ metrics: {} }, { metrics: {} }])
    await reg.setAlias('alias-bad', 'champion', 1)
    await reg.deleteModelVersion('alias-bad', 2)
    const before = await reg.getHistory('alias-bad')
    for (const alias of ['latest', 'Latest', 'v3', 'V12']) {
      const err = await apiError(reg.setAlias('alias-bad', alias, 1))
      expect(err).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', status: 400 })
      expect(err.message).toMatch(/reserved/)
    }
    const deleted = await apiError(reg.setAlias('alias-bad', 'champion', 2))
    expect(deleted).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', status: 404 })
    expect((await reg.getHistory('alias-bad')).events).toEqual(before.events)
    expect((await reg.getRegisteredModel('alias-bad')).aliases).toEqual([{ alias: 'champion', version: '1' }])
  })

  it('sends CAIRN_USER, else the OS user name, as the audit user', async () => {
    await client.registry.createRegisteredModel('user-m')
    const fromEnv = sdk(server.url, { user: undefined, env: { CAIRN_USER: 'ci-bot' } })
    const fromOs = sdk(server.url, { user: undefined, env: {} })
    await modelWithVersions(fromEnv, 'user-m', folder.dir, [{ metrics: {} }])
    await fromOs.registry.setAlias('user-m', 'prod', 1)
    const { events } = await client.registry.getHistory('user-m')
    expect(events.map((e) => [e.kind, e.userId])).toEqual([
      ['alias_set', userInfo().username],
      ['version_created', 'ci-bot'],
    ])
  })

  it('refuses a user name that cannot travel in a header, at construction', () => {
    expect(() => sdk(server.url, { user: 'Ана' })).toThrow(CairnError)
    expect(() => sdk(server.url, { user: 'a\nb' })).toThrow(/X-Cairn-User/)
  })

  it('resolves every model URI form and names what is missing', async () => {
    const reg = client.registry
    const [runId] = await modelWithVersions(client, 'uri-m', folder.dir, [{ metrics: {} }, { metrics: {} }])
    await reg.setAlias('uri-m', 'champion', 1)
    await reg.transitionStage('uri-m', 1, 'Staging')
    expect((await reg.resolve('models:/uri-m@champion')).modelVersion?.version).toBe('1')
    expect((await reg.resolve('models:/uri-m/staging')).modelVersion?.version).toBe('1')
    expect((await reg.resolve('models:/uri-m/latest')).modelVersion?.version).toBe('2')
    expect((await reg.resolve('models:/uri-m/2')).modelVersion?.storageLocation).toMatch(/artifacts\/model$/)
    expect(await reg.resolve(`runs:/${runId}/model`)).toMatchObject({ runId })
    const unknown = await apiError(reg.resolve('models:/no-such-model/1'))
    expect(unknown).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', status: 404 })
    expect(unknown.message).toContain('no-such-model')
  })
})
