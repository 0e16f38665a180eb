/**
 * Issue 4's "done when", with the real command in its own process: a model logged from
 * TypeScript in both flavors (onnx, js) and an ONNX model in MLflow's onnx layout (the golden
 * scoring model) are versions 1-3 of one registered model; `cairn serve models:/sp500@champion`
 * follows the alias as it moves 1 → 2 → 3 under concurrent load with no failed request, logs
 * JSON lines, and on SIGTERM exits 0 with every answered request in the prediction log.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LogisticRegression, toJsModel } from '../../models/index.js'
import { copyGoldenModel, featureNames } from '../../server/serving/test-support/model-fixtures.js'
import {
  eventually,
  registerFolders,
  sdk,
  setAlias,
} from '../../server/serving/test-support/registry-fixtures.js'
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const CLI = fileURLToPath(new URL('../../server/serving/test-support/cli-child.ts', import.meta.url))
const F = featureNames(8)

interface Golden {
  cases: {
    name: string
    body: { dataframe_split: { data: number[][] } }
    response: { predictions: number[] }
  }[]
}
const golden = JSON.parse(readFileSync(join(REPO, 'test/golden/fixtures/scoring.json'), 'utf8')) as Golden
const goldenCase = golden.cases.find((c) => c.name === 'dataframe_split one row')!
const ROW = goldenCase.body.dataframe_split.data[0]!

interface Scored {
  id: string
  status: number
  version: string | null
  label: unknown
}

/** Training data where the label is the sign of a fixed mix of the features. */
function trainingData(): { x: number[][]; y: number[] } {
  const x = Array.from({ length: 400 }, (_, r) => F.map((_, c) => Math.sin(r * 1.7 + c * 2.3) * 2))
  const y = x.map((row) => (row[0]! - row[1]! + 0.5 * row[3]! - row[4]! > 0 ? 1 : 0))
  return { x, y }
}

async function startCli(
  args: string[],
  env: Record<string, string>,
): Promise<{
  url: string
  child: ChildProcess
  stdout: () => string
  exited: Promise<number | null>
}> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c
      const m = / on (http:\/\/\S+)/.exec(err)
      if (m) resolve(m[1]!)
    })
    void exited.then((code) => reject(new Error(`cairn serve exited (${code}) before listening:\n${err}`)))
  })
  return { url, child, stdout: () => out, exited }
}

describe('cairn serve models:/sp500@champion', () => {
  let tracking: TestServer
  let tmp: string
  let lr: LogisticRegression

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cairn-serve-cli-'))
    tracking = await startTestServer()
    const { x, y } = trainingData()
    lr = LogisticRegression.fit(x, y)
    const example = x.slice(0, 3).map((row) => Object.fromEntries(F.map((f, i) => [f, row[i]!])))
    const client = sdk(tracking.url)
    for (const source of [{ flavor: 'onnx' as const, onnx: lr.toOnnx() }, toJsModel(lr, F)]) {
      const run = await client.startRun({ experimentName: 'serve-cli' })
      await run.logModel('model', source, {
        inputExample: example,
        registeredModelName: 'sp500',
        registration: { wait: true },
      })
      await run.endRun()
    }
    await registerFolders(tracking.url, 'sp500', [copyGoldenModel(join(tmp, 'golden'))])
    await setAlias(tracking.url, 'sp500', 'champion', '1')
  })
  afterAll(async () => {
    await tracking.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  it('serves the TS onnx, TS js and MLflow-layout onnx versions in turn as the alias moves under load, with no failed request', async () => {
    const home = join(tmp, 'home')
    const serve = await startCli(
      [
        'serve',
        'models:/sp500@champion',
        '--tracking-uri',
        tracking.url,
        '--port',
        '0',
        '--poll-interval',
        '0.05',
      ],
      { CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'info' },
    )
    const body = JSON.stringify({ dataframe_split: { columns: F, data: [ROW] } })
    let n = 0
    let stop = false
    const results: Scored[][] = Array.from({ length: 8 }, () => [])
    const score = async (): Promise<Scored> => {
      const id = `req-${n++}`
      const res = await fetch(`${serve.url}/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': id },
        body,
      })
      const json = (await res.json()) as { predictions?: unknown[] }
      const p = json.predictions?.[0]
      return {
        id,
        status: res.status,
        version: res.headers.get('x-model-version'),
        // onnx and js exports answer {label, probabilities}; the golden model a bare label.
        label: typeof p === 'object' && p !== null ? (p as { label: unknown }).label : p,
      }
    }
    const clients = results.map(async (mine) => {
      while (!stop) mine.push(await score())
    })
    const seen = (v: string): boolean =>
      results.every((r) => r.length >= 3 && r.slice(-3).every((s) => s.version === v))
    try {
      await eventually(() => seen('1'))
      await setAlias(tracking.url, 'sp500', 'champion', '2')
      await eventually(() => seen('2'))
      await setAlias(tracking.url, 'sp500', 'champion', '3')
      await eventually(() => seen('3'))
    } finally {
      stop = true
      await Promise.all(clients)
    }
    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)

    const all = results.flat()
    expect(all.filter((r) => r.status !== 200)).toEqual([])
    expect(new Set(all.map((r) => r.version))).toEqual(new Set(['1', '2', '3']))
    const expected = {
      '1': lr.predict([ROW])[0],
      '2': lr.predict([ROW])[0],
      '3': goldenCase.response.predictions[0],
    }
    for (const r of all) expect(r.label, `version ${r.version}`).toBe(expected[r.version as '1' | '2' | '3'])
    for (const mine of results) {
      const versions = mine.map((r) => Number(r.version))
      expect(versions).toEqual([...versions].sort((a, b) => a - b))
    }

    const logs = serve
      .stdout()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(
      logs.filter((l) => l['msg'] === 'model swapped').map((l) => [l['from'], l['to'], l['flavor']]),
    ).toEqual([
      ['1', '2', 'js'],
      ['2', '3', 'onnx'],
    ])
    const dir = join(home, 'predictions', 'sp500')
    const logged = new Set(
      readdirSync(dir)
        .filter((f) => f.startsWith('predictions-'))
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { request_id: string }).request_id),
    )
    expect(all.filter((r) => !logged.has(r.id))).toEqual([])
  })
})
