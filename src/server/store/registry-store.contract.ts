/**
 * The contract every RegistryStore backend passes. A backend's test file calls
 * `describeRegistryStore(name, open)` (and `describeRegistrySearch` for search); skips, if any,
 * are listed with a written reason.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CairnError, type ErrorCode } from '../../protocol/errors.js'
import type { Clock } from '../util/clock.js'
import type { AuditInput, CreateModelVersionInput, RegistryStore } from './registry-store.js'

export interface OpenedRegistryStore {
  registry: RegistryStore
  cleanup(): Promise<void>
}

export type OpenRegistryStore = (opts: { clock?: Clock }) => Promise<OpenedRegistryStore>

export async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<CairnError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err, `expected ${code}`).toBeInstanceOf(CairnError)
  expect((err as CairnError).code).toBe(code)
  return err as CairnError
}

/** A clock that advances one millisecond per reading, from 1000. */
export function steppingClock(start = 1000): Clock {
  let t = start
  return { now: () => t++ }
}

const who: AuditInput = { user: 'alice' }

export function versionInput(
  name: string,
  over: Partial<CreateModelVersionInput> = {},
): CreateModelVersionInput {
  return {
    name,
    source: 's3://bucket/model',
    storageLocation: 's3://bucket/model',
    runId: '',
    runLink: '',
    description: '',
    userId: '',
    tags: [],
    status: 'READY',
    statusMessage: '',
    signature: null,
    ...over,
  }
}

export function describeRegistryStore(name: string, open: OpenRegistryStore): void {
  describe(`RegistryStore contract: ${name}`, () => {
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

    describe('registered models', () => {
      it('creates a model with its description and tags, and gets it back', async () => {
        const created = await store.createRegisteredModel({
          name: 'm',
          description: 'first',
          tags: [
            { key: 'b', value: '1' },
            { key: 'a', value: '2' },
          ],
        })
        expect(created).toMatchObject({ name: 'm', description: 'first', latestVersions: [], aliases: [] })
        expect(created.tags).toEqual([
          { key: 'b', value: '1' },
          { key: 'a', value: '2' },
        ])
        expect(created.creationTimestamp).toBe(created.lastUpdatedTimestamp)
        expect(await store.getRegisteredModel('m')).toEqual(created)
      })

      it('refuses a taken name and reports unknown names', async () => {
        await model()
        await expectCode(
          store.createRegisteredModel({ name: 'm', description: '', tags: [] }),
          'RESOURCE_ALREADY_EXISTS',
        )
        const err = await expectCode(store.getRegisteredModel('nope'), 'RESOURCE_DOES_NOT_EXIST')
        expect(err.message).toBe('Registered Model with name=nope not found')
      })

      it('renames a model with its versions, aliases and history, and refuses a taken name', async () => {
        await model('m', 1)
        await model('other')
        await store.setAlias({ name: 'm', alias: 'champion', version: 1 }, who)
        await expectCode(store.renameRegisteredModel('m', 'other', who), 'RESOURCE_ALREADY_EXISTS')
        const renamed = await store.renameRegisteredModel('m', 'n', who)
        expect(renamed.aliases).toEqual([{ alias: 'champion', version: '1' }])
        expect((await store.getModelVersion('n', 1)).name).toBe('n')
        await expectCode(store.getRegisteredModel('m'), 'RESOURCE_DOES_NOT_EXIST')
        const events = await store.listEvents({ name: 'n', maxResults: 10, offset: 0 })
        expect(events.items.map((e) => e.kind)).toEqual(['model_renamed', 'alias_set', 'version_created'])
        expect(events.items[0]).toMatchObject({ name: 'n', oldValue: 'm', newValue: 'n' })
      })

      it('updates the description and the last-updated time', async () => {
        await model()
        const before = await store.getRegisteredModel('m')
        const after = await store.updateRegisteredModel('m', 'new')
        expect(after.description).toBe('new')
        expect(after.lastUpdatedTimestamp).toBeGreaterThan(before.lastUpdatedTimestamp)
      })

      it('keeps tag order on overwrite and ignores deleting a tag that is not set', async () => {
        await model()
        await store.setRegisteredModelTag('m', { key: 'x', value: '1' })
        await store.setRegisteredModelTag('m', { key: 'y', value: '2' })
        await store.setRegisteredModelTag('m', { key: 'x', value: '3' })
        await store.deleteRegisteredModelTag('m', 'absent')
        expect((await store.getRegisteredModel('m')).tags).toEqual([
          { key: 'x', value: '3' },
          { key: 'y', value: '2' },
        ])
        await store.deleteRegisteredModelTag('m', 'x')
        expect((await store.getRegisteredModel('m')).tags).toEqual([{ key: 'y', value: '2' }])
        await expectCode(
          store.setRegisteredModelTag('nope', { key: 'x', value: '1' }),
          'RESOURCE_DOES_NOT_EXIST',
        )
      })

      it('deletes a model with everything it holds; a new model of that name starts afresh', async () => {
        await model('m', 2)
        await store.setAlias({ name: 'm', alias: 'a', version: 2 }, who)
        await store.setPolicy({ name: 'm', alias: 'a', document: { alias: 'a' } }, who)
        expect(await store.deleteRegisteredModel('m', who)).toEqual({ name: 'm', aliases: ['a'] })
        await expectCode(store.getRegisteredModel('m'), 'RESOURCE_DOES_NOT_EXIST')
        await expectCode(store.getModelVersion('m', 1), 'RESOURCE_DOES_NOT_EXIST')
        await model('m')
        const fresh = await store.getRegisteredModel('m')
        expect(fresh.aliases).toEqual([])
        expect(await store.getPolicy('m', 'a')).toBeNull()
        expect((await store.listEvents({ name: 'm', maxResults: 10, offset: 0 })).items).toEqual([])
        expect((await store.createModelVersion(versionInput('m'), who)).version).toBe('1')
      })
    })

    describe('model versions', () => {
      it('numbers versions from 1 and never reuses a number, even after deleting the latest', async () => {
        await model()
        const v1 = await store.createModelVersion(
          versionInput('m', { description: 'd', tags: [{ key: 'k', value: 'v' }] }),
          who,
        )
        expect(v1).toMatchObject({
          name: 'm',
          version: '1',
          currentStage: 'None',
          description: 'd',
          status: 'READY',
        })
        expect(v1.tags).toEqual([{ key: 'k', value: 'v' }])
        await store.createModelVersion(versionInput('m'), who)
        await store.deleteModelVersion('m', 2, who)
        expect((await store.createModelVersion(versionInput('m'), who)).version).toBe('3')
        await expectCode(store.getModelVersion('m', 2), 'RESOURCE_DOES_NOT_EXIST')
      })

      it("reports an unknown model's version with MLflow's message", async () => {
        const err = await expectCode(store.getModelVersion('nope', 1), 'RESOURCE_DOES_NOT_EXIST')
        expect(err.message).toBe('Model Version (name=nope, version=1) not found')
        await expectCode(store.createModelVersion(versionInput('nope'), who), 'RESOURCE_DOES_NOT_EXIST')
      })

      it('records a pending registration and its outcome with the signature', async () => {
        await model()
        const pending = await store.createModelVersion(
          versionInput('m', {
            status: 'PENDING_REGISTRATION',
            source: 'runs:/r/model',
            storageLocation: 'mlflow-artifacts:/1/r/artifacts/model',
            runId: 'r',
          }),
          who,
        )
        expect(pending).toMatchObject({
          status: 'PENDING_REGISTRATION',
          source: 'runs:/r/model',
          runId: 'r',
          signature: null,
        })
        expect(pending.storageLocation).toBe('mlflow-artifacts:/1/r/artifacts/model')
        const done = await store.finishRegistration('m', 1, {
          status: 'READY',
          statusMessage: '',
          signature: { inputs: '[{"type": "double", "name": "x"}]' },
        })
        expect(done.status).toBe('READY')
        expect(done.signature).toEqual({ inputs: '[{"type": "double", "name": "x"}]' })
        expect(await store.getModelVersion('m', 1)).toEqual(done)
      })

      it('updates a description and tags of a version', async () => {
        await model('m', 1)
        const before = await store.getModelVersion('m', 1)
        const after = await store.updateModelVersion('m', 1, 'new')
        expect(after.description).toBe('new')
        expect(after.lastUpdatedTimestamp).toBeGreaterThan(before.lastUpdatedTimestamp)
        await store.setModelVersionTag('m', 1, { key: 'a', value: '1' })
        await store.setModelVersionTag('m', 1, { key: 'b', value: '2' })
        await store.setModelVersionTag('m', 1, { key: 'a', value: '3' })
        await store.deleteModelVersionTag('m', 1, 'absent')
        expect((await store.getModelVersion('m', 1)).tags).toEqual([
          { key: 'a', value: '3' },
          { key: 'b', value: '2' },
        ])
        await expectCode(
          store.setModelVersionTag('m', 9, { key: 'a', value: '1' }),
          'RESOURCE_DOES_NOT_EXIST',
        )
        await expectCode(store.updateModelVersion('m', 9, 'x'), 'RESOURCE_DOES_NOT_EXIST')
      })

      it('lists the highest version per stage, stages in the order of their first version, without aliases', async () => {
        await model('m', 5)
        await store.transitionModelVersionStage(
          { name: 'm', version: 2, stage: 'Production', archiveExisting: false },
          who,
        )
        await store.transitionModelVersionStage(
          { name: 'm', version: 3, stage: 'Production', archiveExisting: true },
          who,
        )
        await store.setAlias({ name: 'm', alias: 'champion', version: 5 }, who)
        const m = await store.getRegisteredModel('m')
        expect(m.latestVersions.map((v) => [v.version, v.currentStage])).toEqual([
          ['5', 'None'],
          ['2', 'Archived'],
          ['3', 'Production'],
        ])
        expect(m.latestVersions.every((v) => v.aliases.length === 0)).toBe(true)
      })

      it('archives the other versions of a stage on request, recording every move', async () => {
        await model('m', 3)
        await store.transitionModelVersionStage(
          { name: 'm', version: 1, stage: 'Staging', archiveExisting: false },
          who,
        )
        await store.transitionModelVersionStage(
          { name: 'm', version: 2, stage: 'Staging', archiveExisting: false },
          who,
        )
        const v3 = await store.transitionModelVersionStage(
          { name: 'm', version: 3, stage: 'Staging', archiveExisting: true },
          { user: 'bob', reason: 'release' },
        )
        expect(v3.currentStage).toBe('Staging')
        expect((await store.getModelVersion('m', 1)).currentStage).toBe('Archived')
        expect((await store.getModelVersion('m', 2)).currentStage).toBe('Archived')
        const events = (await store.listEvents({ name: 'm', maxResults: 3, offset: 0 })).items
        expect(events.map((e) => [e.kind, e.action, e.version, e.oldValue, e.newValue])).toEqual([
          ['stage_transition', 'api', '3', 'None', 'Staging'],
          ['stage_transition', 'cascade', '2', 'Staging', 'Archived'],
          ['stage_transition', 'cascade', '1', 'Staging', 'Archived'],
        ])
        expect(events[0]).toMatchObject({ userId: 'bob', reason: 'release' })
      })

      it('deletes the aliases of a deleted version, each with its event, and refuses aliases on it', async () => {
        await model('m', 2)
        await store.setAlias({ name: 'm', alias: 'a', version: 2 }, who)
        await store.setAlias({ name: 'm', alias: 'b', version: 2 }, who)
        await store.setAlias({ name: 'm', alias: 'c', version: 1 }, who)
        expect(await store.deleteModelVersion('m', 2, who)).toEqual({
          name: 'm',
          version: 2,
          removedAliases: ['a', 'b'],
        })
        expect((await store.getRegisteredModel('m')).aliases).toEqual([{ alias: 'c', version: '1' }])
        expect(await store.getAliasVersion('m', 'a')).toBeNull()
        await expectCode(
          store.setAlias({ name: 'm', alias: 'a', version: 2 }, who),
          'RESOURCE_DOES_NOT_EXIST',
        )
        await expectCode(store.deleteModelVersion('m', 2, who), 'RESOURCE_DOES_NOT_EXIST')
        const events = (await store.listEvents({ name: 'm', maxResults: 3, offset: 0 })).items
        expect(events.map((e) => [e.kind, e.action, e.alias, e.oldValue, e.newValue])).toEqual([
          ['version_deleted', 'api', undefined, '2', null],
          ['alias_deleted', 'cascade', 'b', '2', null],
          ['alias_deleted', 'cascade', 'a', '2', null],
        ])
      })
    })
  })
}
