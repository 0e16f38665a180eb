/**
 * `cairn validate DATA --against models:/m@champion` as a pipeline step (docs/monitoring.md,
 * "Validation as a pipeline step"): exit code 1 fails the step, so bad data stops the pipeline
 * before training. The step runs the real CLI as a child process of the local executor, from
 * the TypeScript sources through a `cairn` shim on the step's PATH.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeAndStoreProfile } from '../../src/monitoring/artifacts/model-artifacts.js'
import { tableFromColumns } from '../../src/monitoring/table/table.js'
import { harness, type Harness } from '../../src/pipelines/test-support/harness.js'
import { modelWithVersions } from '../../src/server/test-support/registry-fixtures.js'

const CLI = fileURLToPath(new URL('../../src/server/serving/test-support/cli-child.ts', import.meta.url))

let h: Harness
let bin: string

beforeAll(async () => {
  h = await harness()
  bin = join(h.dir, 'bin')
  mkdirSync(bin)
  const shim = join(bin, 'cairn')
  writeFileSync(
    shim,
    `#!/bin/sh\nexec '${process.execPath}' --import '${import.meta.resolve('tsx')}' '${CLI}' "$@"\n`,
  )
  chmodSync(shim, 0o755)
  await modelWithVersions(h.server, 'churn', [{ metrics: { auc: 0.9 } }])
  await h.sdk.registry.setAlias('churn', 'champion', '1')
  const train = tableFromColumns({
    age: Array.from({ length: 30 }, (_, i) => 20 + i),
    plan: Array.from({ length: 30 }, (_, i) => ['basic', 'pro'][i % 2]!),
  })
  await computeAndStoreProfile(h.sdk, { name: 'churn', version: '1' }, train)
  h.file('good.csv', 'age,plan\n25,basic\n41,pro\n')
  h.file('bad.csv', 'age,plan\n25,basic\n97,pro\n33,gold\n')
}, 60_000)
afterAll(async () => {
  await h.close()
})

const pipeline = (): string => `
name: gated-training
params: { data: { type: string } }
steps:
  - name: validate
    command: cairn validate {{params.data}} --against models:/churn@champion
    env: { PATH: "${bin}:${process.env['PATH'] ?? ''}" }
  - name: train
    command: echo training on {{params.data}}
    dependsOn: [validate]
`

describe('cairn validate as a pipeline step', () => {
  it('passes good data on to the next step', async () => {
    const out = await h.run(pipeline(), { given: { data: 'good.csv' }, useCache: false })
    const { steps } = await h.client.getRun(out.runId)
    const log = await h.client.readLogs(out.runId, 'validate', 0)
    expect(log.text).toMatch(/passed: all \d+ expectations hold on 2 rows/)
    expect(out.status).toBe('succeeded')
    expect(steps.map((s) => [s.stepKey, s.status])).toEqual([
      ['validate', 'succeeded'],
      ['train', 'succeeded'],
    ])
  }, 120_000)

  it('fails the pipeline run on bad data (exit code 1) before the next step runs, with the failures in the step log', async () => {
    const out = await h.run(pipeline(), { given: { data: 'bad.csv' }, useCache: false })
    expect(out.status).toBe('failed')
    expect(out.message).toContain("step 'validate' failed: exited with code 1")
    const { steps } = await h.client.getRun(out.runId)
    const byKey = new Map(steps.map((s) => [s.stepKey, s]))
    expect(byKey.get('validate')!.status).toBe('failed')
    expect(byKey.get('train')).toMatchObject({ status: 'skipped', runId: null })
    expect(byKey.get('train')!.message).toBe("not run: upstream step 'validate' failed")
    const log = await h.client.readLogs(out.runId, 'validate', 0)
    expect(log.text).toMatch(/FAILED: 2 of \d+ expectations failed on 3 rows/)
    expect(log.text).toMatch(/age\s+max\s+1\s+1 values above the maximum 49/)
    expect(log.text).toMatch(/plan\s+allowed_values\s+1\s+1 values not allowed \('gold'\)/)
  }, 120_000)
})
