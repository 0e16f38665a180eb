import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CAIRN, call, expectOk, MLFLOW, modelWithVersions } from '../test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../test-support/test-server.js'

type Rec = Record<string, unknown>

describe('rollback and the audit trail over HTTP', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await startTestServer()
  })
  afterEach(async () => {
    await server.close()
  })

  const holder = async (alias = 'champion'): Promise<string | null> => {
    const r = await server.get(`${MLFLOW}/registered-models/alias`, { name: 'm', alias })
    return r.status === 200 ? (r.json.model_version.version as string) : null
  }
  /** The alias's moves (its history also holds the changes of its policy). */
  const aliasEvents = async (alias = 'champion'): Promise<any[]> => {
    const history = expectOk(await server.get(`${CAIRN}/history`, { name: 'm', alias }), 'history')
    const events: any[] = history.events ?? []
    return events.filter((e: Rec) => e.kind === 'alias_set' || e.kind === 'alias_deleted')
  }

  describe('rollback', () => {
    it('walks the alias back one move per rollback, and stops where it was first set', async () => {
      await modelWithVersions(server, 'm', [{ metrics: {} }, { metrics: {} }, { metrics: {} }])
      for (const v of ['1', '2', '3']) {
        expectOk(
          await server.post(`${MLFLOW}/registered-models/alias`, {
            name: 'm',
            alias: 'champion',
            version: v,
          }),
          'set',
        )
      }
      const first = expectOk(
        await server.post(`${CAIRN}/rollback`, { name: 'm', reason: 'v3 regressed' }),
        'rollback 1',
      )
      expect(first).toMatchObject({ from_version: '3', to_version: '2', alias: 'champion' })
      expect(await holder()).toBe('2')
      expectOk(await server.post(`${CAIRN}/rollback`, { name: 'm' }), 'rollback 2')
      expect(await holder()).toBe('1')
      const third = await server.post(`${CAIRN}/rollback`, { name: 'm' })
      expect(third.status).toBe(400)
      expect(third.json.error_code).toBe('INVALID_STATE')
      expect(await holder()).toBe('1')
      const events = await aliasEvents()
      expect(events.map((e: Rec) => [e.action, e.old_value ?? null, e.new_value])).toEqual([
        ['rollback', '2', '1'],
        ['rollback', '3', '2'],
        ['api', '2', '3'],
        ['api', '1', '2'],
        ['api', null, '1'],
      ])
      expect(events[1].reason).toBe('v3 regressed')
      expect(events[0].details).toEqual({ undoes_event: events[3].event_id })
    })

    it('after a new move, rolls that move back first', async () => {
      await modelWithVersions(server, 'm', [{ metrics: {} }, { metrics: {} }, { metrics: {} }])
      for (const v of ['1', '2']) {
        expectOk(
          await server.post(`${MLFLOW}/registered-models/alias`, {
            name: 'm',
            alias: 'champion',
            version: v,
          }),
          'set',
        )
      }
      expectOk(await server.post(`${CAIRN}/rollback`, { name: 'm' }), 'rollback to 1')
      expectOk(
        await server.post(`${MLFLOW}/registered-models/alias`, {
          name: 'm',
          alias: 'champion',
          version: '3',
        }),
        'set 3',
      )
      expectOk(await server.post(`${CAIRN}/rollback`, { name: 'm' }), 'rollback to 1 again')
      expect(await holder()).toBe('1')
    })

    it('refuses to roll back to a deleted version or an alias that never moved, changing nothing', async () => {
      await modelWithVersions(server, 'm', [{ metrics: {} }, { metrics: {} }])
      const never = await server.post(`${CAIRN}/rollback`, { name: 'm' })
      expect(never.status).toBe(400)
      for (const v of ['1', '2']) {
        expectOk(
          await server.post(`${MLFLOW}/registered-models/alias`, {
            name: 'm',
            alias: 'champion',
            version: v,
          }),
          'set',
        )
      }
      expectOk(
        await call(server, 'DELETE', `${MLFLOW}/model-versions/delete`, { name: 'm', version: '1' }),
        'delete v1',
      )
      const before = await aliasEvents()
      const r = await server.post(`${CAIRN}/rollback`, { name: 'm' })
      expect(r.status).toBe(400)
      expect(r.json.message).toContain('version 1: that version was deleted')
      expect(await holder()).toBe('2')
      expect(await aliasEvents()).toEqual(before)
      expect((await server.post(`${CAIRN}/rollback`, { name: 'nope' })).status).toBe(404)
    })
  })

  it('pages the audit trail newest first, and filters it by alias', async () => {
    await modelWithVersions(server, 'm', [{ metrics: {} }, { metrics: {} }])
    expectOk(
      await server.post(`${MLFLOW}/registered-models/alias`, { name: 'm', alias: 'a', version: '1' }),
      'a',
    )
    expectOk(
      await server.post(`${MLFLOW}/registered-models/alias`, { name: 'm', alias: 'b', version: '2' }),
      'b',
    )
    const body = { name: 'm', version: '2', stage: 'Staging', archive_existing_versions: false }
    expectOk(await server.post(`${MLFLOW}/model-versions/transition-stage`, body), 'stage')
    const first = expectOk(await server.get(`${CAIRN}/history`, { name: 'm', max_results: '2' }), 'page 1')
    expect(first.events.map((e: Rec) => e.kind)).toEqual(['stage_transition', 'alias_set'])
    expect(first.events[0]).toMatchObject({ version: '2', old_value: 'None', new_value: 'Staging' })
    const rest = expectOk(
      await server.get(`${CAIRN}/history`, { name: 'm', page_token: first.next_page_token }),
      'page 2',
    )
    expect(rest.events.map((e: Rec) => e.kind)).toEqual(['alias_set', 'version_created', 'version_created'])
    expect(rest.next_page_token).toBeUndefined()
    const onlyA = expectOk(await server.get(`${CAIRN}/history`, { name: 'm', alias: 'a' }), 'alias a')
    expect(onlyA.events.map((e: Rec) => [e.alias, e.new_value])).toEqual([['a', '1']])
    expect((await server.get(`${CAIRN}/history`, { name: 'm', max_results: '0' })).status).toBe(400)
  })
})
