import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CAIRN, call, expectOk, MLFLOW, modelWithVersions } from '../test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../test-support/test-server.js'

type Rec = Record<string, unknown>

const POLICY_YAML = `
alias: champion
require_tags:
  validated: true
compare:
  - metric: auc
    goal: maximize
    min_delta: 0.01
  - metric: log_loss
    goal: minimize
thresholds:
  - metric: accuracy
    op: ">="
    value: 0.55
`

const good = { auc: 0.9, log_loss: 0.3, accuracy: 0.8 }
const validated = { validated: 'true' }

describe('promotion policies and promote', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await startTestServer()
  })
  afterEach(async () => {
    await server.close()
  })

  const setPolicy = async (name = 'm', text = POLICY_YAML): Promise<any> =>
    expectOk(await server.post(`${CAIRN}/policy`, { name, policy_text: text }), 'policy')
  const promote = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call(server, 'POST', `${CAIRN}/promote`, { name: 'm', ...body }, headers)
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

  describe('policies', () => {
    it('stores a YAML policy normalized and answers it back', async () => {
      await modelWithVersions(server, 'm', [])
      const set = await setPolicy()
      expect(set).toMatchObject({ name: 'm', alias: 'champion' })
      expect(set.policy).toEqual({
        alias: 'champion',
        require_tags: { validated: 'true' },
        compare: [
          { metric: 'auc', goal: 'maximize', min_delta: 0.01 },
          { metric: 'log_loss', goal: 'minimize', min_delta: 0 },
        ],
        thresholds: [{ metric: 'accuracy', op: '>=', value: 0.55 }],
      })
      const got = expectOk(await server.get(`${CAIRN}/policy`, { name: 'm' }), 'get')
      expect(got.policy).toEqual(set.policy)
      const json = expectOk(
        await server.post(`${CAIRN}/policy`, { name: 'm', policy: { alias: 'staging', thresholds: [] } }),
        'json policy',
      )
      expect(json.alias).toBe('staging')
      expectOk(await call(server, 'DELETE', `${CAIRN}/policy`, { name: 'm', alias: 'staging' }), 'delete')
      expect((await server.get(`${CAIRN}/policy`, { name: 'm', alias: 'staging' })).status).toBe(404)
    })

    it('refuses an invalid policy listing every problem, and stores nothing', async () => {
      await modelWithVersions(server, 'm', [])
      const r = await server.post(`${CAIRN}/policy`, {
        name: 'm',
        policy_text:
          'alias: latest\ncompare:\n  - metric: auc\n    goal: max\n    min_detla: 1\nthresholds: 3\n',
      })
      expect(r.status).toBe(400)
      expect(r.json.error_code).toBe('INVALID_PARAMETER_VALUE')
      for (const part of [
        "policy.alias: 'latest' alias name",
        'policy.compare[0].min_detla: unknown key',
        "policy.compare[0].goal: must be one of maximize, minimize, got 'max'",
        'policy.thresholds: must be a list',
      ]) {
        expect(r.json.message).toContain(part)
      }
      expect((await server.post(`${CAIRN}/policy`, { name: 'm', policy_text: 'a: [' })).status).toBe(400)
      expect((await server.post(`${CAIRN}/policy`, { name: 'm' })).status).toBe(400)
      expect(
        (await server.post(`${CAIRN}/policy`, { name: 'm', policy: {}, policy_text: 'alias: x' })).status,
      ).toBe(400)
      expect((await server.get(`${CAIRN}/policy`, { name: 'm' })).status).toBe(404)
    })
  })

  describe('promote', () => {
    it('gives the first version the alias when thresholds and tags pass, with nothing to compare', async () => {
      await modelWithVersions(server, 'm', [{ metrics: good, tags: validated }])
      await setPolicy()
      const r = expectOk(await promote({ candidate_version: '1' }, { 'X-Cairn-User': 'erin' }), 'promote')
      expect(r).toMatchObject({ passed: true, moved: true, dry_run: false, forced: false, alias: 'champion' })
      expect(r.current).toBeUndefined()
      expect(r.checks.map((c: Rec) => [c.kind, c.passed])).toEqual([
        ['compare', true],
        ['compare', true],
        ['threshold', true],
        ['tag', true],
      ])
      expect(await holder()).toBe('1')
      const [event] = await aliasEvents()
      expect(event).toMatchObject({
        kind: 'alias_set',
        action: 'promote',
        user_id: 'erin',
        new_value: '1',
        event_id: r.event_id,
      })
      expect(event.old_value).toBeUndefined()
    })

    it('moves the alias when the candidate beats the holder by the policy, showing both sides', async () => {
      await modelWithVersions(server, 'm', [
        { metrics: good, tags: validated },
        { metrics: { auc: 0.92, log_loss: 0.3, accuracy: 0.81 }, tags: validated },
      ])
      await setPolicy()
      expectOk(await promote({ candidate_version: '1' }), 'first')
      const r = expectOk(await promote({ candidate_version: '2', reason: 'weekly retrain' }), 'second')
      expect(r).toMatchObject({
        passed: true,
        moved: true,
        candidate: { version: '2' },
        current: { version: '1' },
      })
      expect(r.checks[0]).toMatchObject({
        kind: 'compare',
        metric: 'auc',
        candidate: 0.92,
        current: 0.9,
        min_delta: 0.01,
        passed: true,
      })
      expect(r.checks[1]).toMatchObject({ metric: 'log_loss', candidate: 0.3, current: 0.3, passed: true })
      expect(await holder()).toBe('2')
      const [event] = await aliasEvents()
      expect(event).toMatchObject({
        old_value: '1',
        new_value: '2',
        reason: 'weekly retrain',
        action: 'promote',
      })
      expect(event.details.policy_passed).toBe(true)
    })

    it('leaves the alias where it is when the policy fails, saying why', async () => {
      await modelWithVersions(server, 'm', [
        { metrics: good, tags: validated },
        { metrics: { auc: 0.905, log_loss: 0.2, accuracy: 0.9 }, tags: {} },
      ])
      await setPolicy()
      expectOk(await promote({ candidate_version: '1' }), 'first')
      const r = expectOk(await promote({ candidate_version: '2' }), 'second')
      expect(r).toMatchObject({ passed: false, moved: false })
      expect(r.checks.filter((c: Rec) => !c.passed).map((c: Rec) => c.kind)).toEqual(['compare', 'tag'])
      expect(r.message).toContain('Not promoted')
      expect(r.event_id).toBeUndefined()
      expect(await holder()).toBe('1')
      expect(await aliasEvents()).toHaveLength(1)
    })

    it('never changes anything on a dry run, whatever the verdict', async () => {
      await modelWithVersions(server, 'm', [
        { metrics: good, tags: validated },
        { metrics: { auc: 0.99, log_loss: 0.1, accuracy: 0.9 }, tags: validated },
      ])
      await setPolicy()
      expectOk(await promote({ candidate_version: '1' }), 'first')
      for (const body of [{ dry_run: true }, { dry_run: true, force: true }]) {
        const r = expectOk(await promote({ candidate_version: '2', ...body }), 'dry run')
        expect(r).toMatchObject({ passed: true, moved: false, dry_run: true })
        expect(r.message).toContain('would move')
      }
      expect(await holder()).toBe('1')
      expect(await aliasEvents()).toHaveLength(1)
    })

    it('refuses a policy naming a metric a run lacks, changing nothing', async () => {
      await modelWithVersions(server, 'm', [
        { metrics: good, tags: validated },
        { metrics: { auc: 0.99, accuracy: 0.9 }, tags: validated },
      ])
      await setPolicy()
      expectOk(await promote({ candidate_version: '1' }), 'first')
      for (const body of [{}, { dry_run: true }]) {
        const r = await promote({ candidate_version: '2', ...body })
        expect(r.status).toBe(400)
        expect(r.json.error_code).toBe('INVALID_PARAMETER_VALUE')
        expect(r.json.message).toMatch(/run [0-9a-f]{32} \(version 2\) has no metric 'log_loss'/)
      }
      expect(await holder()).toBe('1')
      expect(await aliasEvents()).toHaveLength(1)
    })

    it('forces a move only with a reason, and records it', async () => {
      await modelWithVersions(server, 'm', [
        { metrics: good, tags: validated },
        { metrics: { auc: 0.5, log_loss: 0.9, accuracy: 0.1 }, tags: {} },
      ])
      await setPolicy()
      expectOk(await promote({ candidate_version: '1' }), 'first')
      const noReason = await promote({ candidate_version: '2', force: true })
      expect(noReason.status).toBe(400)
      expect(await holder()).toBe('1')
      const r = expectOk(
        await promote({ candidate_version: '2', force: true, reason: 'hotfix for incident 42' }),
        'forced',
      )
      expect(r).toMatchObject({ passed: false, forced: true, moved: true })
      expect(await holder()).toBe('2')
      const [event] = await aliasEvents()
      expect(event).toMatchObject({
        action: 'promote_forced',
        reason: 'hotfix for incident 42',
        old_value: '1',
        new_value: '2',
      })
      expect(event.details.policy_passed).toBe(false)
    })

    it('forces a first move on a model without a policy, recording the reason', async () => {
      await modelWithVersions(server, 'm', [{ metrics: {} }])
      const r = expectOk(
        await promote({ candidate_version: '1', force: true, reason: 'bootstrap' }),
        'forced',
      )
      expect(r).toMatchObject({ passed: false, forced: true, moved: true, checks: [] })
      expect(await holder()).toBe('1')
      expect((await aliasEvents())[0]).toMatchObject({ action: 'promote_forced', reason: 'bootstrap' })
    })

    it('refuses unknown versions, versions not READY, a missing policy and a stale expected holder', async () => {
      await modelWithVersions(server, 'm', [{ metrics: good, tags: validated }])
      expect((await promote({ candidate_version: '1' })).json.error_code).toBe('INVALID_STATE')
      await setPolicy()
      expect((await promote({ candidate_version: '9' })).status).toBe(404)
      expect((await promote({ candidate_version: '1', alias: 'latest' })).status).toBe(400)
      const stale = await promote({ candidate_version: '1', expected_current_version: '3' })
      expect(stale.status).toBe(409)
      expect(stale.json.error_code).toBe('RESOURCE_CONFLICT')
      expectOk(await promote({ candidate_version: '1', expected_current_version: '' }), 'expected unset')
      expect((await promote({ candidate_version: '1' })).status).toBe(400)
      expectOk(
        await server.post(`${MLFLOW}/model-versions/create`, {
          name: 'm',
          source: 'mlflow-artifacts:/nowhere',
        }),
        'failed version',
      )
      const failed = await promote({ candidate_version: '2', force: true, reason: 'x' })
      expect(failed.json.error_code).toBe('INVALID_STATE')
      expect(failed.json.message).toContain('FAILED_REGISTRATION')
    })
  })
})
