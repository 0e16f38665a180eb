import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient, LogisticRegression, type ActiveRun } from '../../src/index.js'
import { loadMonitoringArtifacts, PROFILE_TAG } from '../../src/monitoring/artifacts/model-artifacts.js'
import { tableFromColumns } from '../../src/monitoring/table/table.js'
import { validate } from '../../src/monitoring/validation/validate.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'

let server: TestServer
let client: CairnClient
let dir: string
let run: ActiveRun

beforeAll(async () => {
  server = await startTestServer()
  client = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
  dir = mkdtempSync(join(tmpdir(), 'cairn-sdk-profile-'))
  run = await client.startRun({ experimentName: 'sdk-log-model-profile' })
})
afterAll(async () => {
  await run.endRun()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

const records = Array.from({ length: 30 }, (_, i) => ({
  a: i / 10,
  b: (i % 7) - 3,
  segment: ['retail', 'pro', 'gov'][i % 3]!,
  label: i % 2,
}))
const X = records.map((r) => [r.a, r.b])
const Y = records.map((r) => r.label)
const onnx = () => ({ flavor: 'onnx' as const, onnx: LogisticRegression.fit(X, Y).toOnnx() })
const versionsOf = async (name: string) =>
  (await client.registry.searchModelVersions({ filter: `name = '${name}'` })).modelVersions.length

describe('run.logModel with trainingData', () => {
  it('registers the model and stores its training profile and expectations beside the new version', async () => {
    const logged = await run.logModel('model', onnx(), {
      registeredModelName: 'profiled',
      trainingData: records,
      profile: { target: 'label', categorical: ['label'] },
    })
    expect(logged.version).toMatchObject({ name: 'profiled', version: '1' })
    expect(logged.monitoring).toMatchObject({ expectationsWritten: true })
    expect(logged.monitoring!.profile.rowCount).toBe(30)

    const found = await loadMonitoringArtifacts(client, 'models:/profiled/1')
    expect(found.profile).toMatchObject({ rowCount: 30, target: 'label' })
    expect(found.profile!.source).toEqual({ model: 'profiled', run_id: run.runId, artifact_path: 'model' })
    // Uploaded with the model's files, so the version never exists without them.
    const files = await client.listArtifacts(run.runId, 'model/monitoring')
    expect(files.map((f) => f.path).sort()).toEqual([
      'model/monitoring/expectations.yaml',
      'model/monitoring/profile.json',
    ])
    expect(found.profile!.columns.map((c) => [c.name, c.role, c.type])).toEqual([
      ['a', 'feature', 'numerical'],
      ['b', 'feature', 'numerical'],
      ['segment', 'feature', 'categorical'],
      ['label', 'target', 'categorical'],
    ])
    expect(found.expectations!.columns.segment).toMatchObject({ allowedValues: ['gov', 'pro', 'retail'] })
    const mv = await client.registry.getModelVersion('profiled', '1')
    expect(mv.tags).toContainEqual({ key: PROFILE_TAG, value: 'monitoring/profile.json' })

    // The stored expectations judge later data.
    const later = tableFromColumns({ a: [0.5, 9], b: [0, 1], segment: ['pro', 'edu'] })
    const result = validate(later, found.expectations!)
    expect(result.results.filter((r) => !r.success).map((r) => `${r.column}:${r.expectation}`)).toEqual([
      'a:max',
      'segment:allowed_values',
    ])
  })

  it('reads the training data from a file, with profile options', async () => {
    const csv = join(dir, 'train.csv')
    writeFileSync(
      csv,
      'a,b,segment,label\n' + records.map((r) => `${r.a},${r.b},${r.segment},${r.label}`).join('\n'),
    )
    const logged = await run.logModel('model-csv', onnx(), {
      registeredModelName: 'profiled',
      trainingData: csv,
      profile: { target: 'label', expectations: { rangeMargin: 0.5 }, source: { dataset: 'train.csv' } },
    })
    expect(logged.version!.version).toBe('2')
    const found = await loadMonitoringArtifacts(client, 'models:/profiled/2')
    expect(found.profile!.rowCount).toBe(30)
    // Range 0..2.9 widened by half of it on each side.
    expect(found.expectations!.columns.a).toMatchObject({ min: -1.45, max: 4.35 })
    expect(found.profile!.source).toMatchObject({ model: 'profiled', dataset: 'train.csv' })
  })

  it('stores only the profile with expectations: false', async () => {
    const logged = await run.logModel('model-no-exp', onnx(), {
      registeredModelName: 'profiled',
      trainingData: records,
      profile: { expectations: false },
    })
    expect(logged.monitoring).toMatchObject({ expectations: null, expectationsWritten: false })
    const found = await loadMonitoringArtifacts(client, `models:/profiled/${logged.version!.version}`)
    expect(found.profile!.rowCount).toBe(30)
    expect(found.expectations).toBeNull()
    const mv = await client.registry.getModelVersion('profiled', logged.version!.version)
    expect(mv.tags.map((t) => t.key)).toEqual([PROFILE_TAG])
  })

  it('refuses training data without registeredModelName, or naming a column it lacks, before logging anything', async () => {
    await expect(run.logModel('orphan', onnx(), { trainingData: records })).rejects.toThrow(
      /give registeredModelName too/,
    )
    await expect(
      run.logModel('wrong-target', onnx(), {
        registeredModelName: 'profiled',
        trainingData: records,
        profile: { target: 'churned' },
      }),
    ).rejects.toThrow(/The training data has no column 'churned' \(columns: a, b, segment, label\)/)
    await expect(
      run.logModel('missing-file', onnx(), {
        registeredModelName: 'profiled',
        trainingData: join(dir, 'nope.csv'),
      }),
    ).rejects.toThrow(/nope\.csv/)
    expect(await versionsOf('profiled')).toBe(3)
    const paths = (await client.listArtifacts(run.runId)).map((f) => f.path)
    expect(paths).not.toContain('orphan')
    expect(paths).not.toContain('wrong-target')
    expect(paths).not.toContain('missing-file')
  })

  it('logs and registers without a profile when no trainingData is given', async () => {
    const logged = await run.logModel('plain', onnx(), { registeredModelName: 'plain' })
    expect(logged.monitoring).toBeUndefined()
    const found = await loadMonitoringArtifacts(client, 'models:/plain/1')
    expect([found.profile, found.expectations]).toEqual([null, null])
  })
})
