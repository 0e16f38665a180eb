/**
 * The registry contract, continued: aliases (with compare-and-set), the audit trail and promotion
 * policies. A backend's test file calls it beside `describeRegistryStore`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditInput, RegistryStore } from './registry-store.js'
import {
  expectCode,
  steppingClock,
  versionInput,
  type OpenedRegistryStore,
  type OpenRegistryStore,
} from './registry-store.contract.js'

const who: AuditInput = { user: 'alice' }

export function describeRegistryAliases(name: string, open: OpenRegistryStore): void {
  describe(`RegistryStore contract, aliases and audit: ${name}`, () => {
    let opened: OpenedRegistryStore
    let store: RegistryStore
    beforeEach(async () => {
      opened = await open({ clock: steppingClock() })
      store = opened.registry
    })
    afterEach(async () => {
      await opened.cleanup()
    })

    async function model(n = 'm', versions = 0): Promise<void> {
      await store.createRegisteredModel({ name: n, description: '', tags: [] })
      for (let i = 0; i < versions; i++) await store.createModelVersion(versionInput(n), who)
    }

    describe('aliases', () => {
      it('sets, moves, reads and deletes an alias; versions list their aliases', async () => {
        await model('m', 2)
        expect(await store.setAlias({ name: 'm', alias: 'champion', version: 1 }, who)).toMatchObject({
          oldVersion: null,
          newVersion: 1,
        })
        await store.setAlias({ name: 'm', alias: 'Champion', version: 1 }, who)
        expect((await store.getModelVersion('m', 1)).aliases).toEqual(['Champion', 'champion'])
        const moved = await store.setAlias({ name: 'm', alias: 'champion', version: 2 }, who)
        expect(moved).toMatchObject({ oldVersion: 1, newVersion: 2 })
        expect(await store.getAliasVersion('m', 'champion')).toBe(2)
        expect(await store.getAliasVersion('m', 'CHAMPION')).toBeNull()
        expect(await store.getAliasVersion('nope', 'champion')).toBeNull()
        expect((await store.deleteAlias({ name: 'm', alias: 'champion' }, who)).oldVersion).toBe(2)
        expect((await store.deleteAlias({ name: 'm', alias: 'champion' }, who)).eventId).toBeNull()
        expect(await store.getAliasVersion('m', 'champion')).toBeNull()
        await expectCode(
          store.setAlias({ name: 'nope', alias: 'a', version: 1 }, who),
          'RESOURCE_DOES_NOT_EXIST',
        )
      })

      it('moves only when the expected version holds; a conflict changes nothing and writes no event', async () => {
        await model('m', 3)
        await store.setAlias({ name: 'm', alias: 'champion', version: 1, expected: null }, who)
        await expectCode(
          store.setAlias({ name: 'm', alias: 'champion', version: 2, expected: null }, who),
          'RESOURCE_CONFLICT',
        )
        const err = await expectCode(
          store.setAlias({ name: 'm', alias: 'champion', version: 3, expected: 2 }, who),
          'RESOURCE_CONFLICT',
        )
        expect(err.message).toContain("Alias 'champion' of model 'm' is version 1, not version 2")
        await expectCode(
          store.deleteAlias({ name: 'm', alias: 'champion', expected: 3 }, who),
          'RESOURCE_CONFLICT',
        )
        expect(await store.getAliasVersion('m', 'champion')).toBe(1)
        await store.setAlias({ name: 'm', alias: 'champion', version: 2, expected: 1 }, who)
        expect(await store.getAliasVersion('m', 'champion')).toBe(2)
        const events = (await store.listEvents({ name: 'm', alias: 'champion', maxResults: 10, offset: 0 }))
          .items
        expect(events.map((e) => [e.oldValue, e.newValue])).toEqual([
          ['1', '2'],
          [null, '1'],
        ])
      })

      it('writes no event when an alias is set to the version it already points at', async () => {
        await model('m', 1)
        await store.setAlias({ name: 'm', alias: 'a', version: 1 }, who)
        expect((await store.setAlias({ name: 'm', alias: 'a', version: 1 }, who)).eventId).toBeNull()
        expect((await store.aliasHistory('m', 'a')).events).toHaveLength(1)
      })

      it("gives an alias's history newest first with its current version", async () => {
        await model('m', 3)
        await store.setAlias({ name: 'm', alias: 'a', version: 1 }, who)
        await store.setAlias(
          { name: 'm', alias: 'a', version: 3 },
          { user: 'bob', action: 'promote', reason: 'better', details: { auc: 0.9 } },
        )
        await store.setAlias({ name: 'm', alias: 'other', version: 2 }, who)
        const h = await store.aliasHistory('m', 'a')
        expect(h.current).toBe(3)
        expect(h.events.map((e) => [e.kind, e.oldValue, e.newValue])).toEqual([
          ['alias_set', '1', '3'],
          ['alias_set', null, '1'],
        ])
        expect(h.events[0]).toMatchObject({
          userId: 'bob',
          action: 'promote',
          reason: 'better',
          details: { auc: 0.9 },
          alias: 'a',
          version: '3',
        })
        await expectCode(store.aliasHistory('nope', 'a'), 'RESOURCE_DOES_NOT_EXIST')
      })
    })

    describe('audit trail', () => {
      it('records version creation and deletion with time, user and reason, and pages newest first', async () => {
        await model()
        for (let i = 0; i < 3; i++)
          await store.createModelVersion(versionInput('m', { source: `s3://b/${i}` }), { user: `u${i}` })
        await store.deleteModelVersion('m', 1, { user: 'carol', reason: 'broken' })
        const first = await store.listEvents({ name: 'm', maxResults: 2, offset: 0 })
        expect(first.nextOffset).toBe(2)
        expect(first.items.map((e) => [e.kind, e.version, e.userId])).toEqual([
          ['version_deleted', '1', 'carol'],
          ['version_created', '3', 'u2'],
        ])
        expect(first.items[0]!.reason).toBe('broken')
        expect(first.items[1]!.details).toEqual({ source: 's3://b/2', run_id: '' })
        const second = await store.listEvents({ name: 'm', maxResults: 2, offset: 2 })
        expect(second.items.map((e) => e.version)).toEqual(['2', '1'])
        expect(second.nextOffset).toBeNull()
        expect(first.items[0]!.timestamp).toBeGreaterThan(second.items[1]!.timestamp)
        await expectCode(
          store.listEvents({ name: 'nope', maxResults: 1, offset: 0 }),
          'RESOURCE_DOES_NOT_EXIST',
        )
      })
    })

    describe('promotion policies', () => {
      it('stores one policy per alias, lists, replaces and deletes them with audit events', async () => {
        await model()
        expect(await store.getPolicy('m', 'champion')).toBeNull()
        await store.setPolicy(
          { name: 'm', alias: 'champion', document: { alias: 'champion', compare: [] } },
          who,
        )
        await store.setPolicy({ name: 'm', alias: 'staging', document: { alias: 'staging' } }, who)
        const replaced = await store.setPolicy(
          {
            name: 'm',
            alias: 'champion',
            document: { alias: 'champion', thresholds: [{ metric: 'acc', op: '>', value: 1 }] },
          },
          { user: 'bob' },
        )
        expect(replaced).toMatchObject({ name: 'm', alias: 'champion', userId: 'bob' })
        expect(replaced.document).toEqual({
          alias: 'champion',
          thresholds: [{ metric: 'acc', op: '>', value: 1 }],
        })
        expect((await store.listPolicies('m')).map((p) => p.alias)).toEqual(['champion', 'staging'])
        expect(await store.deletePolicy('m', 'staging', who)).toBe(true)
        expect(await store.deletePolicy('m', 'staging', who)).toBe(false)
        const kinds = (await store.listEvents({ name: 'm', maxResults: 10, offset: 0 })).items.map(
          (e) => e.kind,
        )
        expect(kinds).toEqual(['policy_deleted', 'policy_set', 'policy_set', 'policy_set'])
        await expectCode(
          store.setPolicy({ name: 'nope', alias: 'a', document: {} }, who),
          'RESOURCE_DOES_NOT_EXIST',
        )
      })
    })
  })
}
