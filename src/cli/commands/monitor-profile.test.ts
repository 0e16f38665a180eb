import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient } from '../../client/index.js'
import {
  EXPECTATIONS_ARTIFACT,
  EXPECTATIONS_TAG,
  loadMonitoringArtifacts,
  PROFILE_TAG,
  writeModelFile,
} from '../../monitoring/artifacts/model-artifacts.js'
import { serializeExpectations } from '../../monitoring/validation/expectations.js'
import { modelWithVersions } from '../../server/test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { runCli } from '../test-support/run-cli.js'

let server: TestServer
let client: CairnClient
const dir = mkdtempSync(join(tmpdir(), 'cairn-monitor-profile-'))
const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
const rows = Array.from(
  { length: 40 },
  (_, i) => `${20 + i},${['paris', 'oslo'][i % 2]},${i % 2},${i % 3 === 0 ? 1 : 0}`,
)
const train = file('train.csv', ['age,city,churned,predicted', ...rows].join('\n') + '\n')
const good = file('good.csv', 'age,city\n25,paris\n59,oslo\n')
const bad = file('bad.csv', 'age,city\n25,berlin\n70,oslo\n')
const cli = (...args: string[]) => runCli([...args, '--tracking-uri', server.url])

beforeAll(async () => {
  server = await startTestServer()
  client = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
  await modelWithVersions(server, 'churn', [{ metrics: { auc: 0.8 } }, { metrics: { auc: 0.9 } }])
  await client.registry.setAlias('churn', 'champion', '2')
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('cairn monitor profile', () => {
  it('stores the profile and inferred expectations beside the version an alias names, which cairn validate then uses', async () => {
    const before = await cli('validate', good, '--against', 'models:/churn@champion')
    expect(before.code).toBe(1)

    const r = await cli(
      'monitor',
      'profile',
      'models:/churn@champion',
      train,
      '--target',
      'churned',
      '--prediction',
      'predicted',
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('(churn version 2): profiled 40 rows × 4 columns')
    expect(r.stdout).toMatch(/stored .*monitoring\/expectations.yaml \(inferred for 4 columns/)

    const found = await loadMonitoringArtifacts(client, 'models:/churn/2')
    expect(found.profile).toMatchObject({ rowCount: 40, target: 'churned', prediction: ['predicted'] })
    expect(found.profile!.source).toMatchObject({ model: 'churn', version: '2', dataset: train })
    expect(found.expectations!.columns.age).toMatchObject({ required: true, min: 20, max: 59 })
    // The target and predictions are profiled but not required of the data to validate.
    expect(found.expectations!.columns.churned!.required).toBe(false)
    const mv = await client.registry.getModelVersion('churn', '2')
    expect(mv.tags).toEqual(
      expect.arrayContaining([
        { key: PROFILE_TAG, value: 'monitoring/profile.json' },
        { key: EXPECTATIONS_TAG, value: EXPECTATIONS_ARTIFACT },
      ]),
    )
    // Version 1 is untouched.
    expect((await loadMonitoringArtifacts(client, 'models:/churn/1')).profile).toBeNull()

    expect((await cli('validate', good, '--against', 'models:/churn@champion')).code).toBe(0)
    const failed = await cli('validate', bad, '--against', 'models:/churn@champion')
    expect(failed.code).toBe(1)
    expect(failed.stdout).toMatch(/city\s+allowed_values/)
  })

  it('keeps edited expectations unless --overwrite-expectations, and prints JSON with --json', async () => {
    const mv = (await client.registry.resolve('models:/churn/1')).modelVersion!
    await writeModelFile(client, mv.storageLocation!, {
      path: EXPECTATIONS_ARTIFACT,
      content: serializeExpectations({
        format: 'cairn.expectations',
        version: 1,
        columns: { age: { type: 'numerical', max: 120 } },
      }),
    })
    const kept = await cli('monitor', 'profile', 'models:/churn/1', train, '--json')
    expect(kept.code).toBe(0)
    const doc = JSON.parse(kept.stdout)
    expect(doc).toMatchObject({ model: 'churn', version: '1', expectations_written: false })
    expect(doc.profile.rowCount).toBe(40)
    expect(doc.expectations.columns).toEqual({ age: { type: 'numerical', max: 120 } })

    const text = await cli('monitor', 'profile', 'models:/churn/1', train)
    expect(text.stdout).toContain('kept the existing monitoring/expectations.yaml (1 columns')

    const replaced = await cli(
      'monitor',
      'profile',
      'models:/churn/1',
      train,
      '--overwrite-expectations',
      '--json',
    )
    expect(JSON.parse(replaced.stdout)).toMatchObject({ expectations_written: true })
    const found = await loadMonitoringArtifacts(client, 'models:/churn/1')
    expect(found.expectations!.columns.age!.max).toBe(59)
  })

  it('exits 2 for a URI that names no registered version, a missing file or an unknown column', async () => {
    const run = await cli('monitor', 'profile', 'runs:/abc/model', train)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/give a registered model version/)
    const missing = await cli('monitor', 'profile', 'models:/churn/1', join(dir, 'nope.csv'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no such file/)
    const column = await cli('monitor', 'profile', 'models:/churn/1', train, '--target', 'label')
    expect(column.code).toBe(2)
    expect(column.stderr).toMatch(/has no column 'label' \(columns: age, city, churned, predicted\)/)
  })

  it('exits 1 naming the problem when the version does not exist', async () => {
    const r = await cli('monitor', 'profile', 'models:/churn/9', train)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/RESOURCE_DOES_NOT_EXIST/)
  })
})
