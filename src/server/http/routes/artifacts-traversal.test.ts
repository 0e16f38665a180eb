import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest } from '../../test-support/raw-request.js'
import { startTestServer, type TestServer } from '../../test-support/test-server.js'

/**
 * Every way of naming a path outside the artifact root is refused with 400
 * INVALID_PARAMETER_VALUE, whichever route it arrives by, and nothing outside the root is read,
 * written or deleted.
 */
let s: TestServer
let runId: string
let outside: string

/** Names and contents of everything outside the artifact root (the SQLite files excepted). */
function outsideSnapshot(): string {
  const entries = readdirSync(s.dir, { recursive: true })
    .map(String)
    .filter((n) => !n.startsWith('artifacts') && !n.startsWith('cairn.db'))
    .sort()
  return entries
    .map((n) => {
      const path = join(s.dir, n)
      return statSync(path).isFile() ? `${n}=${readFileSync(path, 'utf8')}` : `${n}/`
    })
    .join('\n')
}

let before: string

beforeAll(async () => {
  s = await startTestServer()
  outside = join(s.dir, 'outside')
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.txt'), 'secret')
  runId = (await s.post('/api/2.0/mlflow/runs/create', { experiment_id: '0' })).json.run.info.run_id
  const root = join(s.dir, 'artifacts')
  // A run folder holding links that lead out of the root: to a folder and to a file.
  const runDir = join(root, '0', runId, 'artifacts')
  mkdirSync(runDir, { recursive: true })
  symlinkSync(outside, join(runDir, 'escape'))
  symlinkSync(join(outside, 'secret.txt'), join(runDir, 'secret-link.txt'))
  before = outsideSnapshot()
})

afterAll(async () => {
  await s.close()
})

async function expectRefused(method: string, path: string): Promise<void> {
  const res = await rawRequest(s.url, method, path, method === 'PUT' ? { body: 'evil' } : {})
  expect({ method, path, status: res.status, code: res.json().error_code }).toEqual({
    method,
    path,
    status: 400,
    code: 'INVALID_PARAMETER_VALUE',
  })
  expect(outsideSnapshot()).toBe(before)
}

const run = () => `0/${runId}/artifacts`

/** Tails of /mlflow-artifacts/artifacts/<tail>, sent verbatim. */
const PROXY_TAILS: [string, () => string][] = [
  ["'..' segments", () => `${run()}/../../../../outside/secret.txt`],
  ["a leading '..'", () => '../outside/secret.txt'],
  ["percent-encoded '..'", () => '%2e%2e/outside/secret.txt'],
  ["upper-case percent-encoded '..'", () => `${run()}/%2E%2E/%2E%2E/%2E%2E/%2E%2E/outside/secret.txt`],
  ["percent-encoded '/'", () => '..%2f..%2foutside%2fsecret.txt'],
  ['double percent-encoding', () => '%252e%252e/outside/secret.txt'],
  ['an absolute path (double slash)', () => `/${s.dir}/outside/secret.txt`],
  ['an encoded absolute path', () => `%2f${encodeURIComponent(s.dir.slice(1))}%2foutside%2fsecret.txt`],
  ['backslashes', () => '..\\..\\outside\\secret.txt'],
  ['encoded backslashes', () => '..%5c..%5coutside%5csecret.txt'],
  ['a NUL byte', () => `${run()}/hello.txt%00.png`],
  ['a symlinked folder leading outside', () => `${run()}/escape/secret.txt`],
  ['a symlinked file leading outside', () => `${run()}/secret-link.txt`],
]

describe('artifact path traversal over HTTP', () => {
  for (const method of ['GET', 'PUT', 'DELETE']) {
    it.each(PROXY_TAILS)(`refuses ${method} through the proxy with %s`, async (_kind, tail) => {
      await expectRefused(method, `/api/2.0/mlflow-artifacts/artifacts/${tail()}`)
    })
  }

  it('refuses uploads into a symlinked folder leading outside, even for new names', async () => {
    await expectRefused('PUT', `/api/2.0/mlflow-artifacts/artifacts/${run()}/escape/new.txt`)
    await expectRefused('PUT', `/api/2.0/mlflow-artifacts/artifacts/${run()}/escape/deeper/new.txt`)
  })

  const QUERY_PATHS: [string, string][] = [
    ["'..'", '../../outside'],
    ["'..' after a folder", 'sub/../..'],
    ['an absolute path', '/etc'],
    ["percent-encoded '..' (in a query, a second layer)", '%2e%2e/outside'],
    ['backslashes', '..\\..\\outside'],
    ['a NUL byte', 'a\0b'],
    ['a symlinked folder leading outside', 'escape'],
  ]

  it.each(QUERY_PATHS)('refuses mlflow/artifacts/list with %s', async (_kind, path) => {
    await expectRefused(
      'GET',
      `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=${encodeURIComponent(path)}`,
    )
  })

  it.each(QUERY_PATHS)('refuses the proxied listing with %s', async (_kind, path) => {
    const full = path === 'escape' ? `${run()}/escape` : path
    await expectRefused('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(full)}`)
  })

  it.each([...QUERY_PATHS, ['a symlinked file leading outside', 'secret-link.txt'] as [string, string]])(
    'refuses /get-artifact with %s',
    async (_kind, path) => {
      const target = path === 'escape' ? 'escape/secret.txt' : path
      await expectRefused('GET', `/get-artifact?run_id=${runId}&path=${encodeURIComponent(target)}`)
    },
  )

  it('hides links leading outside from listings', async () => {
    const list = await s.get('/api/2.0/mlflow/artifacts/list', { run_id: runId })
    expect(list.json).toEqual({ root_uri: `mlflow-artifacts:/${run()}` })
  })

  it('refuses traversal in multipart routes before answering NOT_IMPLEMENTED', async () => {
    await expectRefused('POST', '/api/2.0/mlflow-artifacts/mpu/create/../../outside/x')
  })

  it('never wrote anything outside the root', () => {
    expect(outsideSnapshot()).toBe(before)
    expect(readdirSync(outside)).toEqual(['secret.txt'])
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret')
  })
})
