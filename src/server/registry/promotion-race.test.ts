import { describe, expect, it } from 'vitest'
import { CAIRN, call, expectOk, MLFLOW, modelWithVersions } from '../test-support/registry-fixtures.js'
import { startTestServer } from '../test-support/test-server.js'

type Rec = Record<string, unknown>

describe('concurrent promotions of one alias', () => {
  const candidates = [
    { metrics: { auc: 0.8 } },
    ...Array.from({ length: 5 }, () => ({ metrics: { auc: 0.95 } })),
  ]
  const policy = {
    name: 'm',
    policy: { alias: 'champion', compare: [{ metric: 'auc', goal: 'maximize', min_delta: 0.01 }] },
  }

  it('lets exactly one of two racing promotions move the alias; the other gets 409 and changes nothing', async () => {
    let arrived = 0
    let release!: () => void
    const together = new Promise<void>((r) => (release = r))
    const server = await startTestServer(
      {},
      {
        // Both promotions have decided against the same holder before either moves the alias.
        beforeAliasMove: async () => {
          if (++arrived === 2) release()
          await Promise.race([together, new Promise((r) => setTimeout(r, 5000))])
        },
      },
    )
    try {
      await modelWithVersions(server, 'm', candidates)
      expectOk(await server.post(`${CAIRN}/policy`, policy), 'policy')
      expectOk(
        await server.post(`${MLFLOW}/registered-models/alias`, {
          name: 'm',
          alias: 'champion',
          version: '1',
        }),
        'v1',
      )
      const answers = await Promise.all(
        ['2', '3'].map((v) => call(server, 'POST', `${CAIRN}/promote`, { name: 'm', candidate_version: v })),
      )
      const statuses = answers.map((a) => a.status).sort()
      expect(statuses).toEqual([200, 409])
      const winner = answers.find((a) => a.status === 200)!.json
      const loser = answers.find((a) => a.status === 409)!.json
      expect(winner.moved).toBe(true)
      expect(loser.error_code).toBe('RESOURCE_CONFLICT')
      expect(loser.message).toContain("Alias 'champion' of model 'm' is version")
      const alias = expectOk(
        await server.get(`${MLFLOW}/registered-models/alias`, { name: 'm', alias: 'champion' }),
        'alias',
      )
      expect(alias.model_version.version).toBe(winner.candidate.version)
      const events = expectOk(
        await server.get(`${CAIRN}/history`, { name: 'm', alias: 'champion' }),
        'history',
      ).events
      expect(events.map((e: Rec) => [e.kind, e.old_value, e.new_value])).toEqual([
        ['alias_set', '1', winner.candidate.version],
        ['alias_set', undefined, '1'],
        ['policy_set', undefined, expect.any(String)],
      ])
    } finally {
      await server.close()
    }
  })

  it('moves the alias exactly once when several promotions arrive at once', async () => {
    const server = await startTestServer()
    try {
      await modelWithVersions(server, 'm', candidates)
      expectOk(await server.post(`${CAIRN}/policy`, policy), 'policy')
      expectOk(
        await server.post(`${MLFLOW}/registered-models/alias`, {
          name: 'm',
          alias: 'champion',
          version: '1',
        }),
        'v1',
      )
      const answers = await Promise.all(
        ['2', '3', '4', '5', '6'].map((v) =>
          call(server, 'POST', `${CAIRN}/promote`, { name: 'm', candidate_version: v }),
        ),
      )
      const moved = answers.filter((a) => a.status === 200 && a.json.moved)
      expect(moved).toHaveLength(1)
      // The others either lost the race (409) or were judged against the new holder, which they do not beat.
      for (const a of answers.filter((x) => !(x.status === 200 && x.json.moved))) {
        expect(a.status === 409 || (a.status === 200 && a.json.passed === false)).toBe(true)
      }
      const events = expectOk(
        await server.get(`${CAIRN}/history`, { name: 'm', alias: 'champion' }),
        'history',
      ).events
      expect(events.filter((e: Rec) => e.kind === 'alias_set')).toHaveLength(2)
    } finally {
      await server.close()
    }
  })
})
