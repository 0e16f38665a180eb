import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { CairnApiError, type CairnClient } from '../../src/index.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'
import { modelFolder, modelWithVersions, sdk } from './registry-support.js'

let folder: ReturnType<typeof modelFolder>
beforeAll(() => {
  folder = modelFolder()
})
afterAll(() => {
  folder.remove()
})

const POLICY = {
  alias: 'champion',
  require_tags: { validated: 'true' },
  compare: [
    { metric: 'auc', goal: 'maximize', min_delta: 0.01 },
    { metric: 'log_loss', goal: 'minimize' },
  ],
}

async function apiError(p: Promise<unknown>): Promise<CairnApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(CairnApiError)
  return err as CairnApiError
}

describe('SDK promotion policies, promote, rollback and history', () => {
  let server: TestServer
  let client: CairnClient
  beforeEach(async () => {
    server = await startTestServer()
    client = sdk(server.url, { user: 'erin' })
    // v1 champion; v2 better and validated; v3 better but unvalidated; v4 worse on log_loss.
    await modelWithVersions(client, 'fraud', folder.dir, [
      { metrics: { auc: 0.9, log_loss: 0.3 }, tags: { validated: 'true' } },
      { metrics: { auc: 0.92, log_loss: 0.28 }, tags: { validated: 'true' } },
      { metrics: { auc: 0.95, log_loss: 0.2 } },
      { metrics: { auc: 0.97, log_loss: 0.35 }, tags: { validated: 'true' } },
    ])
    await client.registry.setAlias('fraud', 'champion', 1)
  })
  afterEach(async () => {
    await server.close()
  })

  const holder = async (): Promise<string> =>
    (await client.registry.getVersionByAlias('fraud', 'champion')).version

  it('stores a policy from an object or YAML text, reads it back, and deletes it', async () => {
    const reg = client.registry
    expect(await reg.getPolicy('fraud')).toBeNull()
    const stored = await reg.setPolicy('fraud', POLICY)
    expect(stored).toMatchObject({ name: 'fraud', alias: 'champion', userId: 'erin' })
    expect(stored.document['compare']).toEqual([
      { metric: 'auc', goal: 'maximize', min_delta: 0.01 },
      { metric: 'log_loss', goal: 'minimize', min_delta: 0 },
    ])
    expect(await reg.getPolicy('fraud', 'champion')).toEqual(stored)
    const yaml = await reg.setPolicy(
      'fraud',
      'alias: challenger\nthresholds:\n  - {metric: auc, op: ">=", value: 0.5}\n',
    )
    expect(yaml.alias).toBe('challenger')
    expect((await reg.getPolicy('fraud', 'challenger'))?.document['thresholds']).toEqual([
      { metric: 'auc', op: '>=', value: 0.5 },
    ])
    await reg.deletePolicy('fraud', 'challenger')
    expect(await reg.getPolicy('fraud', 'challenger')).toBeNull()
    const unknown = await apiError(reg.getPolicy('no-such-model'))
    expect(unknown).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', status: 404 })
    const bad = await apiError(reg.setPolicy('fraud', { compare: [{ metric: 'auc', goal: 'max' }], oops: 1 }))
    expect(bad.code).toBe('INVALID_PARAMETER_VALUE')
    expect(bad.message).toContain("policy.compare[0].goal: must be one of maximize, minimize, got 'max'")
    expect(bad.message).toContain('policy.oops')
  })

  it('promotes a candidate that passes and answers the side-by-side checks', async () => {
    await client.registry.setPolicy('fraud', POLICY)
    const outcome = await client.registry.promote('fraud', 2, { reason: 'weekly retrain' })
    expect(outcome).toMatchObject({
      alias: 'champion',
      candidate: { version: '2' },
      current: { version: '1' },
      passed: true,
      moved: true,
      dryRun: false,
      forced: false,
      eventId: expect.any(Number),
    })
    expect(outcome.checks.map((c) => [c.kind, c.passed])).toEqual([
      ['compare', true],
      ['compare', true],
      ['tag', true],
    ])
    expect(outcome.checks[0]).toMatchObject({ metric: 'auc', candidate: 0.92, current: 0.9, minDelta: 0.01 })
    expect(await holder()).toBe('2')
    const [event] = (await client.registry.getHistory('fraud', { alias: 'champion', maxResults: 1 })).events
    expect(event).toMatchObject({
      kind: 'alias_set',
      action: 'promote',
      oldValue: '1',
      newValue: '2',
      reason: 'weekly retrain',
      userId: 'erin',
    })
  })

  it('does not move the alias when the policy fails, and a dry run never moves it', async () => {
    await client.registry.setPolicy('fraud', POLICY)
    const failed = await client.registry.promote('fraud', 3)
    expect(failed).toMatchObject({ passed: false, moved: false })
    expect(failed.checks.find((c) => c.kind === 'tag')).toMatchObject({ passed: false, key: 'validated' })
    const worse = await client.registry.promote('fraud', 4)
    expect(worse.checks.find((c) => c.kind === 'compare' && c.metric === 'log_loss')?.passed).toBe(false)
    const dry = await client.registry.promote('fraud', 2, { dryRun: true })
    expect(dry).toMatchObject({ passed: true, moved: false, dryRun: true })
    expect(dry.message).toContain('would move')
    expect(await holder()).toBe('1')
    const moves = (await client.registry.getHistory('fraud', { alias: 'champion' })).events.filter(
      (e) => e.kind === 'alias_set',
    )
    expect(moves).toHaveLength(1)
  })

  it('forces a failing candidate only with a reason, and records it as promote_forced', async () => {
    await client.registry.setPolicy('fraud', POLICY)
    const noReason = await apiError(client.registry.promote('fraud', 3, { force: true }))
    expect(noReason).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', status: 400 })
    expect(await holder()).toBe('1')
    const forced = await client.registry.promote('fraud', 3, { force: true, reason: 'validated offline' })
    expect(forced).toMatchObject({ passed: false, forced: true, moved: true })
    expect(await holder()).toBe('3')
    const [event] = (await client.registry.getHistory('fraud', { alias: 'champion', maxResults: 1 })).events
    expect(event).toMatchObject({ action: 'promote_forced', reason: 'validated offline', newValue: '3' })
  })

  it('refuses a policy naming a metric the runs lack, an unknown version, and no policy; nothing changes', async () => {
    const reg = client.registry
    const noPolicy = await apiError(reg.promote('fraud', 2))
    expect(noPolicy).toMatchObject({ code: 'INVALID_STATE', status: 400 })
    await reg.setPolicy('fraud', { compare: [{ metric: 'f1', goal: 'maximize' }] })
    const before = await reg.getHistory('fraud')
    const missing = await apiError(reg.promote('fraud', 2))
    expect(missing).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', status: 400 })
    expect(missing.message).toContain("has no metric 'f1'")
    const unknown = await apiError(reg.promote('fraud', 99))
    expect(unknown).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', status: 404 })
    const unknownModel = await apiError(reg.promote('nope', 1))
    expect(unknownModel).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', status: 404 })
    expect((await reg.getHistory('fraud')).events).toEqual(before.events)
    expect(await holder()).toBe('1')
  })

  it('rolls back twice, walking the alias back, and the history shows each move', async () => {
    const reg = client.registry
    await reg.setAlias('fraud', 'champion', 2)
    await reg.setAlias('fraud', 'champion', 3)
    const first = await reg.rollback('fraud', { reason: 'v3 misbehaves' })
    expect(first).toMatchObject({ alias: 'champion', fromVersion: '3', toVersion: '2' })
    expect(await holder()).toBe('2')
    const second = await reg.rollback('fraud', { alias: 'champion' })
    expect(second).toMatchObject({ fromVersion: '2', toVersion: '1' })
    expect(await holder()).toBe('1')
    const further = await apiError(reg.rollback('fraud'))
    expect(further).toMatchObject({ code: 'INVALID_STATE', status: 400 })
    expect(await holder()).toBe('1')
    const { events } = await reg.getHistory('fraud', { alias: 'champion' })
    expect(events.map((e) => [e.action, e.oldValue, e.newValue, e.reason])).toEqual([
      ['rollback', '2', '1', undefined],
      ['rollback', '3', '2', 'v3 misbehaves'],
      ['api', '2', '3', undefined],
      ['api', '1', '2', undefined],
      ['api', null, '1', undefined],
    ])
  })

  it('pages through the history newest first', async () => {
    const reg = client.registry
    const all = await reg.getHistory('fraud', { autoPaginate: true })
    // Four version creations and the first alias move.
    expect(all.events.map((e) => e.kind)).toEqual([
      'alias_set',
      'version_created',
      'version_created',
      'version_created',
      'version_created',
    ])
    expect(all.nextPageToken).toBeNull()
    const first = await reg.getHistory('fraud', { maxResults: 2 })
    expect(first.events).toEqual(all.events.slice(0, 2))
    const rest = await reg.getHistory('fraud', { maxResults: 10, pageToken: first.nextPageToken! })
    expect(rest.events).toEqual(all.events.slice(2))
    expect(all.events.map((e) => e.eventId)).toEqual(
      [...all.events.map((e) => e.eventId)].sort((a, b) => b - a),
    )
  })
})

describe('SDK concurrent promotions of one alias', () => {
  it('lets exactly one of two racing clients move the alias; the other gets RESOURCE_CONFLICT', async () => {
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
      const admin = sdk(server.url)
      await modelWithVersions(admin, 'race', folder.dir, [
        { metrics: { auc: 0.8 } },
        { metrics: { auc: 0.9 } },
        { metrics: { auc: 0.91 } },
      ])
      await admin.registry.setPolicy('race', { compare: [{ metric: 'auc', goal: 'maximize' }] })
      await admin.registry.setAlias('race', 'champion', 1)
      const [a, b] = [sdk(server.url, { user: 'ann' }), sdk(server.url, { user: 'bob' })]
      const settled = await Promise.allSettled([a.registry.promote('race', 2), b.registry.promote('race', 3)])
      const won = settled.filter((s) => s.status === 'fulfilled')
      const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected')
      expect(won).toHaveLength(1)
      expect(lost).toHaveLength(1)
      const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof a.registry.promote>>>).value
      expect(winner.moved).toBe(true)
      expect(lost[0]!.reason).toBeInstanceOf(CairnApiError)
      expect(lost[0]!.reason).toMatchObject({ code: 'RESOURCE_CONFLICT', status: 409 })
      expect((lost[0]!.reason as Error).message).toContain("Alias 'champion' of model 'race' is version")
      expect((await admin.registry.getVersionByAlias('race', 'champion')).version).toBe(
        winner.candidate.version,
      )
      const moves = (await admin.registry.getHistory('race', { alias: 'champion' })).events.filter(
        (e) => e.kind === 'alias_set',
      )
      expect(moves.map((e) => [e.oldValue, e.newValue, e.userId])).toEqual([
        ['1', winner.candidate.version, winner.candidate.version === '2' ? 'ann' : 'bob'],
        [null, '1', 'tester'],
      ])
    } finally {
      await server.close()
    }
  })
})
