import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  call,
  CAIRN,
  expectOk,
  MLFLOW,
  modelWithVersions,
  runWithMetrics,
  SIGNATURE_MLMODEL,
  uploadFolder,
} from '../../server/test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { runCli } from '../test-support/run-cli.js'

let server: TestServer
let runIds: string[]
const savedUser = process.env['CAIRN_USER']

beforeAll(async () => {
  process.env['CAIRN_USER'] = 'cli-user'
  server = await startTestServer()
  ;({ runIds } = await modelWithVersions(server, 'fraud', [
    { metrics: { auc: 0.9 } },
    { metrics: { auc: 0.92 }, tags: { validated: 'true' } },
    { metrics: { auc: 0.95 } },
  ]))
  await setAlias('fraud', 'champion', '1')
  await setAlias('fraud', 'challenger', '3')
  expectOk(
    await server.post(`${MLFLOW}/registered-models/create`, {
      name: 'churn',
      description: 'who leaves\nand why',
      tags: [{ key: 'team', value: 'ops' }],
    }),
    'churn',
  )
})
afterAll(async () => {
  await server.close()
  if (savedUser === undefined) delete process.env['CAIRN_USER']
  else process.env['CAIRN_USER'] = savedUser
})

async function setAlias(name: string, alias: string, version: string): Promise<void> {
  expectOk(await server.post(`${MLFLOW}/registered-models/alias`, { name, alias, version }), 'alias')
}

const models = (...args: string[]) => runCli(['models', ...args, '--tracking-uri', server.url])
const lines = (text: string): string[] => text.trimEnd().split('\n')
const cells = (row: string): string[] => row.trim().split(/\s{2,}/)

/** The model's whole audit trail and aliases: what "changes nothing" is checked against. */
async function snapshot(name: string): Promise<unknown> {
  const history = expectOk(await server.get(`${CAIRN}/history`, { name }), 'history')
  const model = expectOk(await server.get(`${MLFLOW}/registered-models/get`, { name }), 'model')
  return { events: history.events, aliases: model.registered_model.aliases }
}

describe('cairn models list, show, versions', () => {
  it('lists models with their highest version and aliases', async () => {
    const res = await models('list')
    expect(res).toMatchObject({ code: 0, stderr: '' })
    const [header, , ...rows] = lines(res.stdout)
    expect(cells(header!)).toEqual(['Name', 'Latest', 'Aliases', 'Updated', 'Description'])
    expect(rows.map(cells)).toEqual([
      ['churn', '-', '-', expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/), 'who leaves'],
      ['fraud', '3', 'challenger=3, champion=1', expect.any(String)],
    ])
  })

  it('filters the list and prints JSON', async () => {
    const res = await models('list', '--filter', "tags.team = 'ops'", '--json')
    expect(res.code).toBe(0)
    const json = JSON.parse(res.stdout)
    expect(json.registeredModels.map((m: { name: string }) => m.name)).toEqual(['churn'])
    expect(json.nextPageToken).toBeNull()
  })

  it('shows a model with its aliases, latest versions and policies', async () => {
    expectOk(
      await server.post(`${CAIRN}/policy`, {
        name: 'fraud',
        policy: { compare: [{ metric: 'auc', goal: 'maximize', min_delta: 0.01 }] },
      }),
      'policy',
    )
    const res = await models('show', 'fraud')
    expect(res).toMatchObject({ code: 0, stderr: '' })
    expect(res.stdout).toMatch(/^Model +fraud$/m)
    expect(res.stdout).toMatch(/^challenger +3$/m)
    expect(res.stdout).toMatch(/^champion +1$/m)
    expect(res.stdout).toMatch(/^ +3 +READY +None +challenger +\w{8} /m)
    expect(res.stdout).toContain("Promotion policy of 'fraud' for alias 'champion'")
    expect(res.stdout).toContain('min_delta: 0.01')
    const json = JSON.parse((await models('show', 'fraud', '--json')).stdout)
    expect(json.registeredModel.aliases).toEqual([
      { alias: 'challenger', version: '3' },
      { alias: 'champion', version: '1' },
    ])
    expect(json.policies).toHaveLength(1)
    expect(json.policies[0]).toMatchObject({ alias: 'champion', document: { alias: 'champion' } })
  })

  it('prints the versions of a model newest first, with aliases, run and source', async () => {
    const res = await models('versions', 'fraud')
    expect(res).toMatchObject({ code: 0, stderr: '' })
    const [header, , ...rows] = lines(res.stdout)
    expect(cells(header!)).toEqual(['Version', 'Status', 'Stage', 'Aliases', 'Run', 'Created', 'Source'])
    expect(rows.map((r) => cells(r).slice(0, 5))).toEqual([
      ['3', 'READY', 'None', 'challenger', runIds[2]!.slice(0, 8)],
      ['2', 'READY', 'None', '-', runIds[1]!.slice(0, 8)],
      ['1', 'READY', 'None', 'champion', runIds[0]!.slice(0, 8)],
    ])
    expect(cells(rows[0]!)[6]).toBe(`runs:/${runIds[2]}/model`)
  })

  it('narrows versions with --filter (OR included) and prints JSON with aliases filled in', async () => {
    const res = await models(
      'versions',
      'fraud',
      '--filter',
      `tags.validated = 'true' OR run_id = '${runIds[0]}'`,
      '--json',
    )
    expect(res.code).toBe(0)
    const json = JSON.parse(res.stdout)
    expect(
      json.modelVersions.map((v: { version: string; aliases: string[] }) => [v.version, v.aliases]),
    ).toEqual([
      ['2', []],
      ['1', ['champion']],
    ])
  })
})

describe('cairn models register, alias, resolve', () => {
  it('registers a run’s model folder, creating the model, and prints the version', async () => {
    const run = await runWithMetrics(server, { auc: 0.5 })
    await uploadFolder(server, run.artifactUri, 'model', { MLmodel: SIGNATURE_MLMODEL, 'model.onnx': 'x' })
    const res = await models(
      'register',
      `runs:/${run.runId}/model`,
      '--name',
      'fresh',
      '--tag',
      'owner=ann',
      '--tag',
      'note=a=b',
      '--description',
      'first',
      '--wait',
    )
    expect(res).toMatchObject({ code: 0, stderr: '' })
    expect(res.stdout).toBe(`Registered 'fresh' version 1 (READY) from runs:/${run.runId}/model\n`)
    const again = await models('register', `runs:/${run.runId}/model`, '--name', 'fresh', '--json')
    const { modelVersion } = JSON.parse(again.stdout)
    expect(modelVersion).toMatchObject({
      version: '2',
      runId: run.runId,
      status: 'READY',
      userId: 'cli-user',
    })
    const v1 = expectOk(
      await server.get(`${MLFLOW}/model-versions/get`, { name: 'fresh', version: '1' }),
      'v1',
    )
    expect(v1.model_version.description).toBe('first')
    expect(v1.model_version.tags).toEqual(
      expect.arrayContaining([
        { key: 'note', value: 'a=b' },
        { key: 'owner', value: 'ann' },
      ]),
    )
    expect(v1.model_version.tags).toHaveLength(2)
  })

  it('exits 1 with the reason when registration fails', async () => {
    const run = await runWithMetrics(server, {})
    const res = await models('register', `runs:/${run.runId}/nothing-here`, '--name', 'broken')
    expect(res.code).toBe(1)
    expect(res.stdout).toContain("Registered 'broken' version 1 (FAILED_REGISTRATION)")
    expect(res.stderr).toMatch(/^cairn: registration of 'broken' version 1 failed: .+/)
  })

  it('moves and deletes an alias with a reason, recorded under the CLI user', async () => {
    await modelWithVersions(server, 'al', [{ metrics: {} }, { metrics: {} }])
    const set = await models('alias', 'al', 'champion', '1')
    expect(set).toMatchObject({ code: 0, stdout: "Alias 'champion' of 'al': unset → version 1\n" })
    const move = await models('alias', 'al', 'champion', '2', '--reason', 'better recall', '--json')
    expect(JSON.parse(move.stdout)).toEqual({
      name: 'al',
      alias: 'champion',
      oldVersion: '1',
      newVersion: '2',
    })
    const del = await models('alias', 'al', 'champion', '--delete', '--reason', 'retired')
    expect(del.stdout).toBe("Alias 'champion' of 'al': version 2 → unset\n")
    const notSet = await models('alias', 'al', 'champion', '--delete')
    expect(notSet).toMatchObject({
      code: 0,
      stdout: "Alias 'champion' of 'al' was not set; nothing changed.\n",
    })
    const events = expectOk(
      await server.get(`${CAIRN}/history`, { name: 'al', alias: 'champion' }),
      'h',
    ).events
    expect(
      (events as Record<string, unknown>[]).map((e) => [
        e.kind,
        e.old_value,
        e.new_value,
        e.reason,
        e.user_id,
      ]),
    ).toEqual([
      ['alias_deleted', '2', undefined, 'retired', 'cli-user'],
      ['alias_set', '1', '2', 'better recall', 'cli-user'],
      ['alias_set', undefined, '1', undefined, 'cli-user'],
    ])
  })

  it('resolves a model URI to its version and location', async () => {
    const res = await models('resolve', 'models:/fraud@champion')
    expect(res).toMatchObject({ code: 0, stderr: '' })
    expect(res.stdout).toMatch(/^Version +1$/m)
    expect(res.stdout).toMatch(new RegExp(`^Run +${runIds[0]}$`, 'm'))
    expect(res.stdout).toMatch(
      new RegExp(`^Location +mlflow-artifacts:/0/${runIds[0]}/artifacts/model$`, 'm'),
    )
    const json = JSON.parse((await models('resolve', 'models:/fraud/latest', '--json')).stdout)
    expect(json.modelVersion).toMatchObject({ version: '3', aliases: ['challenger'] })
    const unknown = await models('resolve', 'models:/fraud@nobody')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^cairn: RESOURCE_DOES_NOT_EXIST: .*nobody/)
  })
})

describe('cairn models: bad input gives a clear error and changes nothing', () => {
  it('unknown model', async () => {
    for (const args of [
      ['show', 'nope'],
      ['versions', 'nope'],
      ['alias', 'nope', 'champion', '1'],
      ['history', 'nope'],
      ['promote', 'nope', '--candidate', '1'],
      ['rollback', 'nope'],
      ['policy', 'nope'],
    ]) {
      const res = await models(...args)
      expect(res.code, args.join(' ')).toBe(1)
      // promote looks the candidate up first: "Model Version (name=nope, version=1) not found".
      expect(res.stderr).toMatch(/^cairn: RESOURCE_DOES_NOT_EXIST: .*name=nope\b.* not found\n$/)
      expect(res.stdout).toBe('')
    }
  })

  it('unknown version', async () => {
    const before = await snapshot('fraud')
    const res = await models('alias', 'fraud', 'champion', '99')
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('RESOURCE_DOES_NOT_EXIST: Model Version (name=fraud, version=99) not found')
    expect(await snapshot('fraud')).toEqual(before)
  })

  it('alias on a deleted version', async () => {
    await modelWithVersions(server, 'gone', [{ metrics: {} }, { metrics: {} }])
    await call(server, 'DELETE', `${MLFLOW}/model-versions/delete`, { name: 'gone', version: '2' })
    const before = await snapshot('gone')
    const res = await models('alias', 'gone', 'champion', '2')
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('Model Version (name=gone, version=2) not found')
    expect(await snapshot('gone')).toEqual(before)
  })

  it('reserved alias names', async () => {
    const before = await snapshot('fraud')
    for (const alias of ['latest', 'LATEST', 'v1', 'V20']) {
      const res = await models('alias', 'fraud', alias, '2')
      expect(res.code, alias).toBe(1)
      expect(res.stderr).toMatch(/^cairn: INVALID_PARAMETER_VALUE: .*reserved/)
    }
    expect((await models('alias', 'fraud', 'latest', '--delete')).code).toBe(1)
    expect(await snapshot('fraud')).toEqual(before)
  })

  it('bad arguments exit 2 before anything is sent', async () => {
    const before = await snapshot('fraud')
    for (const args of [
      ['alias', 'fraud', 'champion'],
      ['alias', 'fraud', 'champion', '2', '--delete'],
      ['alias', 'fraud', 'champion', 'two'],
      ['register', 'runs:/x/model'],
      ['register', 'runs:/x/model', '--name', 'm', '--tag', 'novalue'],
      ['promote', 'fraud'],
      ['promote', 'fraud', '--candidate', '0'],
      ['history', 'fraud', '--max-results', '-1'],
    ]) {
      const res = await models(...args)
      expect(res.code, args.join(' ')).toBe(2)
      expect(res.stderr).not.toBe('')
    }
    expect(await snapshot('fraud')).toEqual(before)
  })

  it('every command has --help naming its options', async () => {
    const expected: Record<string, string[]> = {
      list: ['--filter', '--max-results'],
      show: ['<name>'],
      versions: ['--filter', '--full-ids'],
      register: ['--name', '--run-id', '--tag', '--wait', '--description'],
      alias: ['--reason', '--delete', '[version]'],
      promote: ['--candidate', '--alias', '--dry-run', '--force', '--reason', 'Exits 1'],
      policy: ['--alias', '--set', '--delete'],
      rollback: ['--alias', '--reason'],
      history: ['--alias', '--max-results'],
      resolve: ['<uri>'],
    }
    for (const [command, flags] of Object.entries(expected)) {
      const res = await runCli(['models', command, '--help'])
      expect(res.code, command).toBe(0)
      for (const flag of [...flags, '--json', '--tracking-uri']) expect(res.stdout, command).toContain(flag)
    }
  })
})
