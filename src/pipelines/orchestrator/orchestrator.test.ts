import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CAIRN_TAGS } from '../../protocol/pipeline-entities.js'
import { harness, type Harness } from '../test-support/harness.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => {
  await h.close()
})

const tagOf = (run: { data: { tags: { key: string; value: string }[] } }, key: string): string | undefined =>
  run.data.tags.find((t) => t.key === key)?.value

const DAG = `
name: dag
params:
  rows: { type: int, default: 3 }
  min_rows: { type: int, default: 2 }
steps:
  - name: ingest
    command: seq 1 {{params.rows}} > {{outputs.data}}/rows.txt && echo ingested {{params.rows}}
    outputs: [data]
  - name: count
    command: wc -l < "$CAIRN_INPUT_DATA/rows.txt" | tr -d ' ' > "$CAIRN_VALUE_N"
    inputs: { data: ingest.data }
    outputs: { values: { n: int } }
  - name: report
    command: echo "n=$CAIRN_PARAM_N" > {{outputs.report}}/report.txt
    params: { n: "{{count.n}}" }
    when: count.n >= params.min_rows
    outputs: [report]
  - name: never
    command: echo never
    when: count.n > 100
`

describe('orchestrator', () => {
  it('runs a DAG with artifact passing, values and conditions, recording every step as a child tracking run', async () => {
    const out = await h.run(DAG, { useCache: false })
    expect(out.status).toBe('succeeded')
    const { run, steps } = await h.client.getRun(out.runId)
    expect(run.status).toBe('succeeded')
    const byKey = new Map(steps.map((s) => [s.stepKey, s]))
    expect(byKey.get('count')?.outputs?.values).toEqual({ n: 3 })
    expect(byKey.get('never')).toMatchObject({
      status: 'skipped',
      message: 'condition is false: count.n > 100',
      runId: null,
    })
    const parent = await h.sdk.getRun(out.runId)
    expect(parent.info.status).toBe('FINISHED')
    expect(tagOf(parent, CAIRN_TAGS.pipeline)).toBe('dag')
    expect(parent.data.params).toEqual(expect.arrayContaining([{ key: 'rows', value: '3' }]))
    const report = await h.sdk.getRun(byKey.get('report')!.runId!)
    expect(report.info.status).toBe('FINISHED')
    expect(tagOf(report, 'mlflow.parentRunId')).toBe(out.runId)
    expect(tagOf(report, CAIRN_TAGS.step)).toBe('report')
    expect(tagOf(report, CAIRN_TAGS.cacheHit)).toBe('false')
    expect(report.data.params).toEqual([{ key: 'n', value: '3' }])
    const ingest = await h.sdk.getRun(byKey.get('ingest')!.runId!)
    const files = await h.sdk.listArtifacts(ingest.info.runId, 'logs')
    expect(files.map((f) => f.path)).toEqual(['logs/step.log'])
    const log = await h.client.readLogs(out.runId, 'ingest', 0)
    expect(log.text).toBe('ingested 3\n')
    const reportFiles = await h.sdk.listArtifacts(report.info.runId, 'outputs/report')
    expect(reportFiles.map((f) => f.path)).toEqual(['outputs/report/report.txt'])
  })

  it('reuses outputs from the cache when nothing changed, and runs again when a param or --no-cache says so', async () => {
    const first = await h.run(DAG)
    const second = await h.run(DAG)
    const steps = (await h.client.getRun(second.runId)).steps
    const ran = steps.filter((s) => s.runId !== null)
    expect(ran.map((s) => [s.stepKey, s.cacheHit])).toEqual([
      ['ingest', true],
      ['count', true],
      ['report', true],
    ])
    // The first run may itself have hit the cache (an earlier test ran the same steps): the
    // second names the run that actually produced the outputs.
    const firstIngest = (await h.client.getRun(first.runId)).steps.find((s) => s.stepKey === 'ingest')!
    expect(ran[0]!.cachedFrom).toBe(firstIngest.cachedFrom ?? firstIngest.runId)
    const hitRun = await h.sdk.getRun(ran[1]!.runId!)
    expect(tagOf(hitRun, CAIRN_TAGS.cacheHit)).toBe('true')
    expect(ran[1]!.outputs?.values).toEqual({ n: 3 })

    const changed = await h.run(DAG, { given: { rows: '4' } })
    const changedSteps = (await h.client.getRun(changed.runId)).steps
    expect(changedSteps.filter((s) => s.runId).map((s) => s.cacheHit)).toEqual([false, false, false])
    const noCache = await h.run(DAG, { useCache: false })
    expect((await h.client.getRun(noCache.runId)).steps.some((s) => s.cacheHit)).toBe(false)
  })

  it('fans out over a list with a parallelism limit and hands the list of values downstream', async () => {
    const log = h.file('fan.log', '')
    const spec = `
name: fan
params:
  words: { type: list, default: [a, bb, ccc, dddd, eeeee] }
steps:
  - name: measure
    forEach: { items: "{{params.words}}", parallelism: 2 }
    command: echo 1 >> ${log}; sleep 0.1; printf %s {{item}} | wc -c | tr -d ' ' > "$CAIRN_VALUE_LEN"; echo -1 >> ${log}
    outputs: { values: { len: int } }
  - name: total
    command: echo '{{measure.len}}' > "$CAIRN_VALUE_ALL"
    outputs: { values: { all: list } }
`
    const out = await h.run(spec, { useCache: false })
    expect(out.status).toBe('succeeded')
    const { steps } = await h.client.getRun(out.runId)
    expect(steps.find((s) => s.stepKey === 'total')?.outputs?.values).toEqual({ all: [1, 2, 3, 4, 5] })
    expect(steps.filter((s) => s.step === 'measure').map((s) => s.stepKey)).toEqual([
      'measure',
      'measure[0]',
      'measure[1]',
      'measure[2]',
      'measure[3]',
      'measure[4]',
    ])
    expect(steps.find((s) => s.stepKey === 'measure[2]')).toMatchObject({
      item: 'ccc',
      itemIndex: 2,
      status: 'succeeded',
    })
    let running = 0
    let most = 0
    for (const d of readFileSync(log, 'utf8').trim().split('\n').map(Number)) {
      running += d
      most = Math.max(most, running)
    }
    expect(most).toBe(2)
    expect(out.events.filter((e) => e.type === 'fanout')).toEqual([
      {
        type: 'fanout',
        step: 'measure',
        keys: ['measure[0]', 'measure[1]', 'measure[2]', 'measure[3]', 'measure[4]'],
      },
    ])
  })

  it('runs a TypeScript function step in a child process with its params, inputs and outputs', async () => {
    h.file(
      'fn-steps.ts',
      `import { readFileSync, writeFileSync } from 'node:fs'
export function double(ctx: { params: Record<string, number>; inputs: Record<string, string>; outputs: Record<string, string> }) {
  const n = Number(readFileSync(ctx.inputs.src + '/n.txt', 'utf8')) * ctx.params.factor
  writeFileSync(ctx.outputs.result + '/n.txt', String(n))
  return { n }
}
`,
    )
    const out = await h.run(
      `
name: fn
steps:
  - name: seed
    command: echo 21 > {{outputs.src}}/n.txt
    outputs: [src]
  - name: double
    function: ./fn-steps.ts#double
    params: { factor: 2 }
    inputs: { src: seed.src }
    outputs: { artifacts: [result], values: { n: int } }
`,
      { useCache: false },
    )
    expect(out.message).toBe('')
    const { steps } = await h.client.getRun(out.runId)
    expect(steps.find((s) => s.stepKey === 'double')?.outputs?.values).toEqual({ n: 42 })
  })

  it("lets a step's own code log to its step run through the SDK, with no run id in the code", async () => {
    const sdk = new URL('../../client/index.ts', import.meta.url).pathname
    h.file(
      'sdk-step.ts',
      `import { CairnClient } from ${JSON.stringify(sdk)}
export async function train() {
  const client = new CairnClient()
  const run = await client.startRun() // MLFLOW_RUN_ID: the step's own run
  await run.logMetrics({ loss: 0.25 }, 1)
  await run.flush()
}
`,
    )
    const out = await h.run(`\nname: sdk\nsteps:\n  - { name: train, function: ./sdk-step.ts#train }\n`, { useCache: false })
    expect(out.message).toBe('')
    const step = (await h.client.getRun(out.runId)).steps[0]!
    const run = await h.sdk.getRun(step.runId!)
    expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'loss', value: 0.25, step: 1 })])
    expect(run.info.status).toBe('FINISHED')
  })

  it('runs onExit after the other steps with the pipeline status, even when a step failed', async () => {
    const out = await h.run(
      `
name: exits
steps:
  - name: fine
    command: echo fine
  - name: broken
    command: echo about to fail; exit 7
    dependsOn: [fine]
  - name: after
    command: echo never
    dependsOn: [broken]
onExit:
  name: cleanup
  command: echo cleanup saw {{pipeline.status}} and "$CAIRN_PIPELINE_STATUS"
`,
      { useCache: false },
    )
    expect(out.status).toBe('failed')
    expect(out.message).toBe("step 'broken' failed: exited with code 7")
    const { run, steps } = await h.client.getRun(out.runId)
    expect(run).toMatchObject({ status: 'failed', message: "step 'broken' failed: exited with code 7" })
    const byKey = new Map(steps.map((s) => [s.stepKey, s]))
    expect(byKey.get('broken')).toMatchObject({ status: 'failed', exitCode: 7, attempts: 1 })
    expect(byKey.get('after')).toMatchObject({
      status: 'skipped',
      message: "not run: upstream step 'broken' failed",
    })
    expect(byKey.get('cleanup')?.status).toBe('succeeded')
    expect((await h.client.readLogs(out.runId, 'cleanup', 0)).text).toBe('cleanup saw failed and failed\n')
    expect((await h.sdk.getRun(byKey.get('broken')!.runId!)).info.status).toBe('FAILED')
    expect((await h.sdk.getRun(out.runId)).info.status).toBe('FAILED')
  })
})
