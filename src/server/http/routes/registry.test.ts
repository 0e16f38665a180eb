import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RegistryNotification } from '../../registry/notifications.js'
import {
  CAIRN,
  call,
  expectOk,
  MLFLOW,
  modelWithVersions,
  proxiedPath,
  runWithMetrics,
  SIGNATURE_MLMODEL,
  uploadFolder,
} from '../../test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../../test-support/test-server.js'

type Rec = Record<string, unknown>

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort()
}

describe('registry routes', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await startTestServer()
  })
  afterEach(async () => {
    await server.close()
  })

  const createModel = async (name: string): Promise<void> => {
    expectOk(await server.post(`${MLFLOW}/registered-models/create`, { name }), 'create model')
  }

  describe('version registration', () => {
    it('registers a runs:/ source READY with the signature of its MLmodel, copying nothing', async () => {
      await createModel('m')
      const run = await runWithMetrics(server, { auc: 0.9 })
      await uploadFolder(server, run.artifactUri, 'model', {
        MLmodel: SIGNATURE_MLMODEL,
        'model.onnx': 'bytes',
      })
      const before = filesUnder(join(server.dir, 'artifacts'))
      const created = expectOk(
        await server.post(`${MLFLOW}/model-versions/create`, {
          name: 'm',
          source: `runs:/${run.runId}/model`,
        }),
        'create',
      )
      expect(created.model_version).toMatchObject({
        version: '1',
        source: `runs:/${run.runId}/model`,
        run_id: run.runId,
        status: 'READY',
        current_stage: 'None',
      })
      expect(created.model_version.status_message).toBeUndefined()
      expect(filesUnder(join(server.dir, 'artifacts'))).toEqual(before)
      const uri = await server.get(`${MLFLOW}/model-versions/get-download-uri`, { name: 'm', version: '1' })
      expect(uri.json).toEqual({ artifact_uri: `${run.artifactUri}/model` })
      const resolved = expectOk(await server.get(`${CAIRN}/resolve`, { uri: 'models:/m/1' }), 'resolve')
      expect(resolved.model_version.storage_location).toBe(`${run.artifactUri}/model`)
      expect(resolved.model_version.signature).toEqual({
        inputs: '[{"type": "double", "name": "f0"}, {"type": "double", "name": "f1"}]',
        outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]',
      })
    })

    it('marks a version FAILED_REGISTRATION with a message when its source is missing', async () => {
      await createModel('m')
      const run = await runWithMetrics(server, {})
      const created = expectOk(
        await server.post(`${MLFLOW}/model-versions/create`, {
          name: 'm',
          source: `${run.artifactUri}/nothing-here`,
          run_id: run.runId,
        }),
        'create',
      )
      expect(created.model_version.status).toBe('FAILED_REGISTRATION')
      expect(created.model_version.status_message).toBe(
        `The model source ${run.artifactUri}/nothing-here does not exist or is empty.`,
      )
    })

    it('registers a folder without an MLmodel READY, without a signature, and says so', async () => {
      await createModel('m')
      const run = await runWithMetrics(server, {})
      await uploadFolder(server, run.artifactUri, 'weights', { 'w.bin': 'x' })
      const created = expectOk(
        await server.post(`${MLFLOW}/model-versions/create`, {
          name: 'm',
          source: `${run.artifactUri}/weights`,
          run_id: run.runId,
        }),
        'create',
      )
      expect(created.model_version.status).toBe('READY')
      expect(created.model_version.status_message).toContain('No MLmodel file')
      const resolved = expectOk(await server.get(`${CAIRN}/resolve`, { uri: 'models:/m/1' }), 'resolve')
      expect(resolved.model_version.signature).toBeUndefined()
    })

    it('marks a version FAILED_REGISTRATION when its MLmodel is not YAML', async () => {
      await createModel('m')
      const run = await runWithMetrics(server, {})
      await uploadFolder(server, run.artifactUri, 'model', { MLmodel: 'flavors: [unclosed' })
      const created = expectOk(
        await server.post(`${MLFLOW}/model-versions/create`, {
          name: 'm',
          source: `runs:/${run.runId}/model`,
        }),
        'create',
      )
      expect(created.model_version.status).toBe('FAILED_REGISTRATION')
      expect(created.model_version.status_message).toContain('is not valid YAML')
    })

    it('trusts a source it has no backend for (s3:) as READY, as MLflow does', async () => {
      await createModel('m')
      const created = expectOk(
        await server.post(`${MLFLOW}/model-versions/create`, { name: 'm', source: 's3://bucket/m' }),
        'create',
      )
      expect(created.model_version).toMatchObject({ status: 'READY', run_id: '' })
      expect(created.model_version.status_message).toBeUndefined()
    })

    it('reads a local source inside the run artifact folder', async () => {
      const root = join(server.dir, 'local-exp')
      const exp = expectOk(
        await server.post(`${MLFLOW}/experiments/create`, {
          name: 'local',
          artifact_location: pathToFileURL(root).href,
        }),
        'exp',
      )
      const run = expectOk(
        await server.post(`${MLFLOW}/runs/create`, { experiment_id: exp.experiment_id }),
        'run',
      ).run.info
      const folder = join(root, run.run_id, 'artifacts', 'model')
      mkdirSync(folder, { recursive: true })
      writeFileSync(join(folder, 'MLmodel'), SIGNATURE_MLMODEL)
      await createModel('m')
      const created = expectOk(
        await server.post(`${MLFLOW}/model-versions/create`, {
          name: 'm',
          source: folder,
          run_id: run.run_id,
        }),
        'create',
      )
      expect(created.model_version.status).toBe('READY')
      const outside = await server.post(`${MLFLOW}/model-versions/create`, {
        name: 'm',
        source: server.dir,
        run_id: run.run_id,
      })
      expect(outside.status).toBe(400)
    })

    it('refuses an unknown run_id and a runs:/ source naming another run, registering nothing', async () => {
      await createModel('m')
      const run = await runWithMetrics(server, {})
      const unknown = await server.post(`${MLFLOW}/model-versions/create`, {
        name: 'm',
        source: 's3://b/m',
        run_id: 'f'.repeat(32),
      })
      expect(unknown.status).toBe(400)
      expect(unknown.json.error_code).toBe('INVALID_PARAMETER_VALUE')
      expect(unknown.json.message).toContain('not found')
      const other = await server.post(`${MLFLOW}/model-versions/create`, {
        name: 'm',
        source: `runs:/${'f'.repeat(32)}/model`,
        run_id: run.runId,
      })
      expect(other.status).toBe(400)
      const m = expectOk(await server.get(`${MLFLOW}/registered-models/get`, { name: 'm' }), 'get')
      expect(m.registered_model.latest_versions).toBeUndefined()
    })

    it('records the user named by X-Cairn-User on the version and in the audit trail', async () => {
      await createModel('m')
      const created = await call(
        server,
        'POST',
        `${MLFLOW}/model-versions/create`,
        { name: 'm', source: 's3://b/m' },
        { 'X-Cairn-User': 'dana' },
      )
      expect(created.json.model_version.user_id).toBe('dana')
      const history = expectOk(await server.get(`${CAIRN}/history`, { name: 'm' }), 'history')
      expect(history.events[0]).toMatchObject({
        kind: 'version_created',
        user_id: 'dana',
        version: '1',
        action: 'api',
      })
    })
  })

  describe('versions, stages and aliases', () => {
    it('refuses archiving existing versions when moving to a stage that is not active', async () => {
      await modelWithVersions(server, 'm', [{ metrics: {} }])
      const r = await server.post(`${MLFLOW}/model-versions/transition-stage`, {
        name: 'm',
        version: '1',
        stage: 'archived',
        archive_existing_versions: true,
      })
      expect(r.status).toBe(400)
      expect(r.json.error_code).toBe('INVALID_PARAMETER_VALUE')
    })

    it('deletes the aliases of a deleted version and tells subscribers', async () => {
      await modelWithVersions(server, 'm', [{ metrics: {} }, { metrics: {} }])
      const seen: RegistryNotification[] = []
      const stop = server.registry.notifications.subscribe((n) => seen.push(n))
      expectOk(
        await server.post(`${MLFLOW}/registered-models/alias`, {
          name: 'm',
          alias: 'champion',
          version: '2',
        }),
        'alias',
      )
      expectOk(
        await call(server, 'DELETE', `${MLFLOW}/model-versions/delete`, { name: 'm', version: '2' }),
        'delete',
      )
      stop()
      expect(seen).toEqual([
        { type: 'alias_moved', name: 'm', alias: 'champion', oldVersion: null, newVersion: '2' },
        { type: 'alias_moved', name: 'm', alias: 'champion', oldVersion: '2', newVersion: null },
        { type: 'version_deleted', name: 'm', version: '2' },
      ])
      const alias = await server.get(`${MLFLOW}/registered-models/alias`, { name: 'm', alias: 'champion' })
      expect(alias.status).toBe(400)
      const again = await server.post(`${MLFLOW}/registered-models/alias`, {
        name: 'm',
        alias: 'champion',
        version: '2',
      })
      expect(again.status).toBe(404)
    })

    it('lists versions without aliases in search, with a page token past the page', async () => {
      await modelWithVersions(server, 'm', [{ metrics: {} }, { metrics: {} }, { metrics: {} }])
      expectOk(
        await server.post(`${MLFLOW}/registered-models/alias`, { name: 'm', alias: 'a', version: '3' }),
        'alias',
      )
      const page = expectOk(
        await server.get(`${MLFLOW}/model-versions/search`, { filter: "name = 'm'", max_results: '2' }),
        'search',
      )
      expect(page.model_versions.map((v: Rec) => v.version)).toEqual(['3', '2'])
      expect(page.model_versions[0].aliases).toBeUndefined()
      expect(page.next_page_token).toBeDefined()
      const got = expectOk(
        await server.get(`${MLFLOW}/model-versions/get`, { name: 'm', version: '3' }),
        'get',
      )
      expect(got.model_version.aliases).toEqual(['a'])
    })

    it('keeps aliases, versions and the audit trail through a rename', async () => {
      await modelWithVersions(server, 'm', [{ metrics: {} }])
      expectOk(
        await server.post(`${MLFLOW}/registered-models/alias`, {
          name: 'm',
          alias: 'champion',
          version: '1',
        }),
        'alias',
      )
      expectOk(
        await server.post(`${MLFLOW}/registered-models/rename`, { name: 'm', new_name: 'n' }),
        'rename',
      )
      const resolved = expectOk(
        await server.get(`${CAIRN}/resolve`, { uri: 'models:/n@champion' }),
        'resolve',
      )
      expect(resolved.model_version).toMatchObject({ name: 'n', version: '1' })
      expect((await server.get(`${CAIRN}/resolve`, { uri: 'models:/m@champion' })).status).toBe(404)
      const history = expectOk(await server.get(`${CAIRN}/history`, { name: 'n' }), 'history')
      expect(history.events.map((e: Rec) => e.kind)).toEqual([
        'model_renamed',
        'alias_set',
        'version_created',
      ])
    })

    it('serves a file of a version on the UI route', async () => {
      await modelWithVersions(server, 'm', [{ metrics: {} }])
      const res = await server.fetch('/model-versions/get-artifact?name=m&version=1&path=MLmodel')
      expect(res.status).toBe(200)
      expect(await res.text()).toBe(SIGNATURE_MLMODEL)
      const missing = await server.fetch('/model-versions/get-artifact?name=m&version=1&path=nope')
      expect(missing.status).toBe(404)
      const traversal = await server.fetch('/model-versions/get-artifact?name=m&version=1&path=../../x')
      expect(traversal.status).toBe(400)
    })
  })

  describe('model URIs', () => {
    it('resolves every form to a location', async () => {
      const { runIds } = await modelWithVersions(server, 'm', [
        { metrics: {} },
        { metrics: {} },
        { metrics: {} },
      ])
      expectOk(
        await server.post(`${MLFLOW}/registered-models/alias`, {
          name: 'm',
          alias: 'champion',
          version: '2',
        }),
        'alias',
      )
      const body = { name: 'm', version: '1', stage: 'Production', archive_existing_versions: false }
      expectOk(await server.post(`${MLFLOW}/model-versions/transition-stage`, body), 'stage')
      const run1 = expectOk(await server.get(`${MLFLOW}/runs/get`, { run_id: runIds[0]! }), 'run').run.info
      const cases: [string, string | null, string][] = [
        ['models:/m/1', '1', `${run1.artifact_uri}/model`],
        ['models:/m@champion', '2', ''],
        ['models:/m/Production', '1', ''],
        ['models:/m/production', '1', ''],
        ['models:/m/latest', '3', ''],
        ['models:/m/LATEST', '3', ''],
        [`runs:/${runIds[0]}/model`, null, `${run1.artifact_uri}/model`],
        ['mlflow-artifacts:/0/x/artifacts/model', null, 'mlflow-artifacts:/0/x/artifacts/model'],
        ['file:///tmp/model', null, 'file:///tmp/model'],
      ]
      for (const [uri, version, location] of cases) {
        const r = expectOk(await server.get(`${CAIRN}/resolve`, { uri }), uri)
        expect(r.model_version?.version ?? null, uri).toBe(version)
        if (location !== '') expect(r.location, uri).toBe(location)
        else expect(r.location, uri).toBe(r.model_version.storage_location)
      }
      expect(proxiedPath(run1.artifact_uri)).not.toContain(':')
    })

    it('answers unknown names with RESOURCE_DOES_NOT_EXIST and malformed URIs with 400', async () => {
      await modelWithVersions(server, 'm', [{ metrics: {} }])
      const missing = [
        ['models:/nope/1', 'Registered Model with name=nope not found'],
        ['models:/nope@champion', 'Registered Model with name=nope not found'],
        ['models:/nope/latest', 'Registered Model with name=nope not found'],
        ['models:/m/7', 'Model Version (name=m, version=7) not found'],
        ['models:/m@champion', "Registered model 'm' has no alias 'champion'."],
        ['models:/m/Staging', "Registered model 'm' has no version in stage Staging."],
        [`runs:/${'0'.repeat(32)}/model`, `Run with id=${'0'.repeat(32)} not found`],
      ]
      for (const [uri, message] of missing) {
        const r = await server.get(`${CAIRN}/resolve`, { uri: uri! })
        expect(r.status, uri).toBe(404)
        expect(r.json).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message })
      }
      for (const uri of [
        'models:/m',
        'models:/m/beta',
        'models://host/m/1',
        'runs:/',
        'relative/path',
        'models:/@x',
      ]) {
        const r = await server.get(`${CAIRN}/resolve`, { uri })
        expect(r.status, uri).toBe(400)
        expect(r.json.error_code).toBe('INVALID_PARAMETER_VALUE')
      }
    })
  })
})
