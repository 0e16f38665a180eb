import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { harness, type Harness } from '../test-support/harness.js'
import { planResume } from './resume.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => {
  await h.close()
})

describe('resume', () => {
  it('resumes a failed run from the failed step, reusing earlier outputs under a new run id', async () => {
    const broken = join(h.dir, 'broken')
    h.file('broken', '')
    const counter = join(h.dir, 'prepare-count')
    const spec = `
name: resumable
params: { n: { type: int, default: 2 } }
steps:
  - name: prepare
    command: echo x >> ${counter}; seq 1 {{params.n}} > {{outputs.data}}/d.txt
    outputs: [data]
  - name: parts
    forEach: [a, b, c]
    command: test {{item}} != b -o ! -e ${broken}
  - name: train
    command: test ! -e ${broken} && wc -l < {{inputs.data}}/d.txt | tr -d ' ' > "$CAIRN_VALUE_ROWS"
    inputs: { data: prepare.data }
    outputs: { values: { rows: int } }
    dependsOn: [parts]
`
    const first = await h.run(spec, { useCache: false, experimentName: 'resume-exp', given: { n: '5' } })
    expect(first.status).toBe('failed')
    rmSync(broken)
    const plan = await planResume(h.client, first.runId)
    expect(plan).toMatchObject({
      workdir: h.dir,
      useCache: false,
      params: { n: 5 },
      experimentName: 'resume-exp',
    })
    const second = await h.run(plan.spec, {
      useCache: plan.useCache,
      resume: plan.resume,
      experimentName: plan.experimentName,
      params: plan.params,
    })
    expect(second.status).toBe('succeeded')
    expect(second.runId).not.toBe(first.runId)
    const { run, steps } = await h.client.getRun(second.runId)
    expect(run.resumedFrom).toBe(first.runId)
    const byKey = new Map(steps.map((s) => [s.stepKey, s]))
    const before = new Map((await h.client.getRun(first.runId)).steps.map((s) => [s.stepKey, s]))
    expect(byKey.get('prepare')).toMatchObject({
      status: 'succeeded',
      cacheHit: true,
      cachedFrom: before.get('prepare')!.runId,
    })
    expect(byKey.get('prepare')!.message).toBe(`reused from pipeline run ${first.runId} (resume)`)
    expect(byKey.get('parts[0]')?.cacheHit).toBe(true)
    expect(byKey.get('parts[1]')).toMatchObject({ status: 'succeeded', cacheHit: false })
    expect(byKey.get('parts[2]')?.cacheHit).toBe(true)
    expect(byKey.get('train')).toMatchObject({
      status: 'succeeded',
      cacheHit: false,
      outputs: { values: { rows: 5 } },
    })
    // The reused step did not run again.
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(1)
    expect(existsSync(broken)).toBe(false)
  })

  it('refuses to resume a run that is still running', async () => {
    const spec = h.spec(`\nname: busy\nsteps:\n  - { name: a, command: "true" }\n`)
    const created = await h.client.createRun({
      spec,
      params: {},
      workdir: h.dir,
      backend: 'local',
      useCache: true,
      orchestrator: 'test',
    })
    await expect(planResume(h.client, created.runId)).rejects.toThrow(
      `Pipeline run ${created.runId} is still running`,
    )
    await h.client.finishRun(created.runId, 'cancelled')
  })
})
