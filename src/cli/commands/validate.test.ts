import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient } from '../../client/index.js'
import {
  computeAndStoreProfile,
  EXPECTATIONS_ARTIFACT,
  loadMonitoringArtifacts,
  PROFILE_TAG,
  writeModelFile,
} from '../../monitoring/artifacts/model-artifacts.js'
import { computeProfile } from '../../monitoring/profile/profile.js'
import { serializeProfile } from '../../monitoring/profile/serialize.js'
import { tableFromColumns } from '../../monitoring/table/table.js'
import { inferExpectations, serializeExpectations } from '../../monitoring/validation/expectations.js'
import { modelWithVersions } from '../../server/test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'
import { runCli } from '../test-support/run-cli.js'

let server: TestServer
let client: CairnClient
const dir = mkdtempSync(join(tmpdir(), 'cairn-validate-'))
const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

const train = tableFromColumns({
  age: Array.from({ length: 30 }, (_, i) => 20 + i),
  city: Array.from({ length: 30 }, (_, i) => ['paris', 'oslo'][i % 2]!),
})
const goodCsv = file('good.csv', 'age,city\n25,paris\n30,oslo\n')
const badCsv = file('bad.csv', 'age,city\n25,paris\n99,berlin\n12,oslo\n')

beforeAll(async () => {
  server = await startTestServer()
  client = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
  await modelWithVersions(server, 'churn', [{ metrics: { auc: 0.9 } }, { metrics: { auc: 0.91 } }])
  await client.registry.setAlias('churn', 'champion', '1')
  await computeAndStoreProfile(client, { name: 'churn', version: '1' }, train)
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('model monitoring artifacts', () => {
  it('stores the profile and inferred expectations beside the model version and tags it', async () => {
    const found = await loadMonitoringArtifacts(client, 'models:/churn@champion')
    expect(found.modelVersion!.version).toBe('1')
    expect(found.profile!.rowCount).toBe(30)
    expect(found.profile!.source).toMatchObject({ model: 'churn', version: '1' })
    expect(found.expectations!.columns.age).toMatchObject({ min: 20, max: 49 })
    const mv = await client.registry.getModelVersion('churn', '1')
    expect(mv.tags).toContainEqual({ key: PROFILE_TAG, value: 'monitoring/profile.json' })
  })

  it('keeps edited expectations when the profile is stored again', async () => {
    const edited = inferExpectations(computeProfile(train))
    edited.columns.age!.max = 120
    const mv = (await client.registry.resolve('models:/churn/2')).modelVersion!
    await writeModelFile(client, mv.storageLocation!, {
      path: EXPECTATIONS_ARTIFACT,
      content: serializeExpectations(edited),
    })
    const stored = await computeAndStoreProfile(client, mv, train)
    expect(stored.expectationsWritten).toBe(false)
    expect(stored.expectations!.columns.age!.max).toBe(120)
    const again = await computeAndStoreProfile(client, mv, train, { overwriteExpectations: true })
    expect(again.expectations!.columns.age!.max).toBe(49)
  })

  it('finds nothing for a version without monitoring files', async () => {
    await modelWithVersions(server, 'bare', [{ metrics: { auc: 0.5 } }])
    const found = await loadMonitoringArtifacts(client, 'models:/bare/1')
    expect([found.profile, found.expectations]).toEqual([null, null])
  })
})

describe('cairn validate', () => {
  const uri = (): string[] => ['--tracking-uri', server.url]

  it('exits 0 when the data meets the champion’s expectations', async () => {
    const r = await runCli(['validate', goodCsv, '--against', 'models:/churn@champion', ...uri()])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/passed: all \d+ expectations hold on 2 rows/)
    expect(r.stdout).toContain('models:/churn@champion (version 1) monitoring/expectations.yaml')
  })

  it('exits 1 and lists failing expectations with rows and examples', async () => {
    const r = await runCli(['validate', badCsv, '--against', 'models:/churn@champion', ...uri()])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/FAILED: 3 of \d+ expectations failed on 3 rows/)
    expect(r.stdout).toMatch(/age\s+min\s+1\s+1 values below the minimum 20 \(e.g. row 2: 12\)/)
    expect(r.stdout).toMatch(/city\s+allowed_values\s+1\s+1 values not allowed \('berlin'\)/)
  })

  it('prints the per-expectation results as JSON', async () => {
    const r = await runCli(['validate', badCsv, '--against', 'models:/churn/1', '--json', ...uri()])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({ success: false, rows: 3, failed: 3 })
    expect(doc.results.find((x: any) => x.column === 'age' && x.expectation === 'max')).toMatchObject({
      failingRows: 1,
      examples: [{ row: 1, value: 99 }],
    })
  })

  it('validates against a profile file or an expectations file without a server', async () => {
    const profile = file('profile.json', serializeProfile(computeProfile(train)))
    const yaml = file('exp.yaml', serializeExpectations(inferExpectations(computeProfile(train))))
    expect((await runCli(['validate', goodCsv, '--against', profile])).code).toBe(0)
    const r = await runCli(['validate', badCsv, '--against', yaml])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`against ${yaml}`)
  })

  it('exits 1 naming the files a model lacks', async () => {
    const r = await runCli(['validate', goodCsv, '--against', 'models:/bare/1', ...uri()])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/has neither monitoring\/expectations.yaml nor monitoring\/profile.json/)
  })

  it('exits 2 on usage errors', async () => {
    expect((await runCli(['validate', goodCsv])).code).toBe(2)
    const missing = await runCli(['validate', join(dir, 'nope.csv'), '--against', 'x.yaml'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no such file/)
    expect((await runCli(['validate', goodCsv, '--against', join(dir, 'nope.yaml')])).code).toBe(2)
    expect((await runCli(['validate', goodCsv, '--against', goodCsv])).code).toBe(2)
    expect((await runCli(['validate', goodCsv, '--against', 'x.yaml', '--format', 'xml'])).code).toBe(2)
  })
})
