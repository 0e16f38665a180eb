/**
 * Pipeline runs and a schedule, made the way a person makes them: `cairn pipeline run` (the
 * built CLI, local executor) against the test server, twice for cache hits, plus a pipeline whose
 * step fails, and `cairn schedule add`.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const CLI = fileURLToPath(new URL('../../../../bin/cairn.js', import.meta.url))
const run = promisify(execFile)

const TRAIN = `name: train-fraud
steps:
  - { name: prepare, command: "echo preparing data; echo rows=1000" }
  - { name: train, command: "echo training; echo epoch 1 loss=0.4; echo epoch 2 loss=0.3", dependsOn: [prepare] }
  - { name: evaluate, command: "echo auc=0.91", dependsOn: [train] }
  - { name: report, command: "echo report written", dependsOn: [prepare] }
`
const ETL = `name: nightly-etl
steps:
  - { name: extract, command: "echo extracting" }
  - { name: load, command: "echo connection refused >&2; exit 3", dependsOn: [extract] }
`

export interface SeededPipelines {
  /** The second run of train-fraud: every step a cache hit. */
  cachedRunId: string
  failedRunId: string
}

async function cli(base: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [CLI, ...args, '--tracking-uri', base], { timeout: 60_000 })
    return { ...r, code: 0 }
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number }
    return { stdout: e.stdout, stderr: e.stderr, code: e.code }
  }
}

const runIdOf = (stderr: string): string => /pipeline run ([0-9a-f]{32})/.exec(stderr)?.[1] ?? ''

export async function seedPipelines(base: string): Promise<SeededPipelines> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-e2e-pipelines-'))
  try {
    writeFileSync(join(dir, 'train.yaml'), TRAIN)
    writeFileSync(join(dir, 'etl.yaml'), ETL)
    const first = await cli(base, ['pipeline', 'run', join(dir, 'train.yaml')])
    if (first.code !== 0) throw new Error(`pipeline run failed: ${first.stderr}`)
    const second = await cli(base, ['pipeline', 'run', join(dir, 'train.yaml')])
    const failed = await cli(base, ['pipeline', 'run', join(dir, 'etl.yaml')])
    if (failed.code === 0) throw new Error('the failing pipeline succeeded')
    const schedule = await cli(base, [
      'schedule',
      'add',
      join(dir, 'etl.yaml'),
      '--cron',
      '0 3 * * *',
      '--name',
      'etl-nightly',
    ])
    if (schedule.code !== 0) throw new Error(`schedule add failed: ${schedule.stderr}`)
    return { cachedRunId: runIdOf(second.stderr), failedRunId: runIdOf(failed.stderr) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
