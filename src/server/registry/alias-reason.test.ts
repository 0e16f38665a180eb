import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CAIRN, call, expectOk, MLFLOW, modelWithVersions } from '../test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../test-support/test-server.js'

describe('a reason on a plain alias move (Cairn field on MLflow’s alias routes)', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await startTestServer()
  })
  afterEach(async () => {
    await server.close()
  })

  it('records the reason of an alias set and delete in the audit trail; without one the event has none', async () => {
    await modelWithVersions(server, 'm', [{ metrics: {} }, { metrics: {} }])
    const headers = { 'X-Cairn-User': 'erin' }
    const set = (version: string, reason?: string) =>
      call(
        server,
        'POST',
        `${MLFLOW}/registered-models/alias`,
        { name: 'm', alias: 'champion', version, ...(reason !== undefined ? { reason } : {}) },
        headers,
      )
    expectOk(await set('1'), 'set 1')
    expectOk(await set('2', '  hotfix for the weekend  '), 'set 2')
    expectOk(
      await call(
        server,
        'DELETE',
        `${MLFLOW}/registered-models/alias`,
        { name: 'm', alias: 'champion', reason: 'retired' },
        headers,
      ),
      'delete',
    )
    const events = expectOk(await server.get(`${CAIRN}/history`, { name: 'm', alias: 'champion' }), 'history')
      .events as Record<string, unknown>[]
    expect(events.map((e) => [e.kind, e.old_value, e.new_value, e.reason, e.user_id])).toEqual([
      ['alias_deleted', '2', undefined, 'retired', 'erin'],
      ['alias_set', '1', '2', 'hotfix for the weekend', 'erin'],
      ['alias_set', undefined, '1', undefined, 'erin'],
    ])
  })
})
