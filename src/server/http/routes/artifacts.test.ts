import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest } from '../../test-support/raw-request.js'
import { startTestServer, type TestServer } from '../../test-support/test-server.js'

let s: TestServer
let runId: string
let base: string

const put = (path: string, body: string, headers: Record<string, string> = {}) =>
  rawRequest(s.url, 'PUT', `/api/2.0/mlflow-artifacts/artifacts/${path}`, { body, headers })

beforeAll(async () => {
  s = await startTestServer()
  const created = await s.post('/api/2.0/mlflow/runs/create', { experiment_id: '0', run_name: 'art-run' })
  runId = created.json.run.info.run_id
  base = `0/${runId}/artifacts`
  for (const [path, body] of [
    ['hello.txt', 'hello golden\n'],
    ['sub/data.json', '{"a": 1}\n'],
    ['sub/nested/deep.csv', 'x,y\n1,2\n'],
    ['noctype.bin', '\u0000\u0001\u0002'],
    ['empty.txt', ''],
    ['with%20space.txt', 'sp\n'],
  ] as const) {
    const res = await put(`${base}/${path}`, body, { 'Content-Type': 'application/octet-stream' })
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({})
  }
})

afterAll(async () => {
  await s.close()
})

const ROOT_LISTING = [
  { path: 'empty.txt', is_dir: false },
  { path: 'hello.txt', is_dir: false, file_size: 13 },
  { path: 'noctype.bin', is_dir: false, file_size: 3 },
  { path: 'sub', is_dir: true },
  { path: 'with space.txt', is_dir: false, file_size: 3 },
]

describe('GET mlflow/artifacts/list', () => {
  it("lists the run's root with root_uri, sorted, without file_size for folders and empty files", async () => {
    const { status, json } = await s.get('/api/2.0/mlflow/artifacts/list', { run_id: runId })
    expect(status).toBe(200)
    expect(json).toEqual({ root_uri: `mlflow-artifacts:/${base}`, files: ROOT_LISTING })
  })

  it('accepts the legacy run_uuid and the /ajax-api prefix', async () => {
    expect((await s.get('/api/2.0/mlflow/artifacts/list', { run_uuid: runId })).json.files).toEqual(
      ROOT_LISTING,
    )
    expect((await s.get('/ajax-api/2.0/mlflow/artifacts/list', { run_id: runId })).json.files).toEqual(
      ROOT_LISTING,
    )
  })

  it('prefixes entries with the requested path as MLflow does (sub, sub/ and .)', async () => {
    const sub = [
      { path: 'sub/data.json', is_dir: false, file_size: 9 },
      { path: 'sub/nested', is_dir: true },
    ]
    expect(
      (await s.get('/api/2.0/mlflow/artifacts/list', { run_id: runId, path: 'sub' })).json.files,
    ).toEqual(sub)
    expect(
      (await s.get('/api/2.0/mlflow/artifacts/list', { run_id: runId, path: 'sub/' })).json.files,
    ).toEqual(sub)
    const dot = (await s.get('/api/2.0/mlflow/artifacts/list', { run_id: runId, path: '.' })).json.files
    expect(dot.map((f: { path: string }) => f.path)).toEqual(ROOT_LISTING.map((f) => `./${f.path}`))
  })

  it('answers only root_uri for a file, a missing path and a run without artifacts', async () => {
    const rootUri = `mlflow-artifacts:/${base}`
    expect(
      (await s.get('/api/2.0/mlflow/artifacts/list', { run_id: runId, path: 'hello.txt' })).json,
    ).toEqual({ root_uri: rootUri })
    expect((await s.get('/api/2.0/mlflow/artifacts/list', { run_id: runId, path: 'nope' })).json).toEqual({
      root_uri: rootUri,
    })
    const other = (await s.post('/api/2.0/mlflow/runs/create', { experiment_id: '0' })).json.run.info
    expect((await s.get('/api/2.0/mlflow/artifacts/list', { run_id: other.run_id })).json).toEqual({
      root_uri: other.artifact_uri,
    })
  })

  it('answers RESOURCE_DOES_NOT_EXIST for an unknown or missing run id', async () => {
    const unknown = await s.get('/api/2.0/mlflow/artifacts/list', {
      run_id: '00000000000000000000000000000001',
    })
    expect(unknown.status).toBe(404)
    expect(unknown.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST')
    const missing = await s.get('/api/2.0/mlflow/artifacts/list', { path: 'sub' })
    expect(missing.status).toBe(404)
    expect(missing.json).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id= not found' })
  })
})

describe('mlflow-artifacts proxy', () => {
  it('downloads as an attachment with nosniff and MLflow content types, streamed chunked', async () => {
    for (const [path, type, body] of [
      ['hello.txt', 'text/plain', 'hello golden\n'],
      ['sub/data.json', 'text/plain', '{"a": 1}\n'],
      ['sub/nested/deep.csv', 'text/plain', 'x,y\n1,2\n'],
      ['noctype.bin', 'application/octet-stream', '\u0000\u0001\u0002'],
      ['empty.txt', 'text/plain', ''],
    ]) {
      const res = await rawRequest(s.url, 'GET', `/api/2.0/mlflow-artifacts/artifacts/${base}/${path}`)
      expect(res.status).toBe(200)
      expect(res.body.toString('utf8')).toBe(body)
      expect(res.headers['content-type']).toBe(type)
      expect(res.headers['content-disposition']).toBe(`attachment; filename=${path!.split('/').pop()}`)
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['transfer-encoding']).toBe('chunked')
    }
  })

  it('decodes the URL path once (spaces)', async () => {
    const res = await rawRequest(s.url, 'GET', `/api/2.0/mlflow-artifacts/artifacts/${base}/with%20space.txt`)
    expect(res.body.toString()).toBe('sp\n')
    expect(res.headers['content-disposition']).toBe('attachment; filename=with space.txt')
  })

  it('answers HEAD with the headers and no body', async () => {
    const res = await rawRequest(s.url, 'HEAD', `/api/2.0/mlflow-artifacts/artifacts/${base}/hello.txt`)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/plain')
    expect(res.body.length).toBe(0)
  })

  it('answers a JSON 404 for a missing file and a JSON 400 for a folder (MLflow: 500)', async () => {
    const missing = await rawRequest(s.url, 'GET', `/api/2.0/mlflow-artifacts/artifacts/${base}/nope.txt`)
    expect(missing.status).toBe(404)
    expect(missing.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST')
    expect(missing.json().message).not.toContain(s.dir)
    const folder = await rawRequest(s.url, 'GET', `/api/2.0/mlflow-artifacts/artifacts/${base}/sub`)
    expect(folder.status).toBe(400)
    expect(folder.json().error_code).toBe('INVALID_PARAMETER_VALUE')
  })

  it('lists the proxied store by names under ?path=, answering {} for a file or a missing path', async () => {
    const list = (path: string) => s.get('/api/2.0/mlflow-artifacts/artifacts', { path })
    expect((await list(base)).json).toEqual({ files: ROOT_LISTING })
    expect((await list(`${base}/sub`)).json).toEqual({
      files: [
        { path: 'data.json', is_dir: false, file_size: 9 },
        { path: 'nested', is_dir: true },
      ],
    })
    expect((await list(`${base}/nope`)).json).toEqual({})
    expect((await list(`${base}/hello.txt`)).json).toEqual({})
    expect((await s.get('/api/2.0/mlflow-artifacts/artifacts')).json).toEqual({
      files: [{ path: '0', is_dir: true }],
    })
  })

  it('overwrites a file on a second upload', async () => {
    await put(`${base}/over.txt`, 'one')
    await put(`${base}/over.txt`, 'two')
    expect(
      (
        await rawRequest(s.url, 'GET', `/api/2.0/mlflow-artifacts/artifacts/${base}/over.txt`)
      ).body.toString(),
    ).toBe('two')
  })

  it('refuses an upload to a folder name', async () => {
    const res = await put(`${base}/sub/`, 'x')
    expect(res.status).toBe(400)
    expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE')
  })

  it('deletes a single file (MLflow: 500, file kept), a folder tree, and accepts a missing path', async () => {
    await put(`${base}/del/a.txt`, 'a')
    await put(`${base}/del/deeper/b.txt`, 'b')
    const del = (path: string) => rawRequest(s.url, 'DELETE', `/api/2.0/mlflow-artifacts/artifacts/${path}`)
    expect((await del(`${base}/del/a.txt`)).status).toBe(200)
    expect(
      (await s.get('/api/2.0/mlflow/artifacts/list', { run_id: runId, path: 'del' })).json.files,
    ).toEqual([{ path: 'del/deeper', is_dir: true }])
    expect((await del(`${base}/del`)).status).toBe(200)
    expect(
      (await s.get('/api/2.0/mlflow/artifacts/list', { run_id: runId, path: 'del' })).json.files,
    ).toBeUndefined()
    const missing = await del(`${base}/does/not/exist`)
    expect(missing.status).toBe(200)
    expect(missing.json()).toEqual({})
  })

  it('serves the proxy under /ajax-api/2.0 too', async () => {
    await rawRequest(s.url, 'PUT', `/ajax-api/2.0/mlflow-artifacts/artifacts/${base}/ajax.txt`, {
      body: 'aj',
    })
    const res = await rawRequest(s.url, 'GET', `/ajax-api/2.0/mlflow-artifacts/artifacts/${base}/ajax.txt`)
    expect(res.body.toString()).toBe('aj')
  })

  it.each(['create', 'complete', 'abort'])(
    'answers multipart %s with 501 NOT_IMPLEMENTED, as MLflow does for local stores',
    async (action) => {
      const res = await rawRequest(s.url, 'POST', `/api/2.0/mlflow-artifacts/mpu/${action}/${base}/big.bin`, {
        body: JSON.stringify({ path: 'big.bin', num_parts: 2 }),
        headers: { 'Content-Type': 'application/json' },
      })
      expect(res.status).toBe(501)
      expect(res.json()).toEqual({
        error_code: 'NOT_IMPLEMENTED',
        message: 'Multipart upload is not supported for the current artifact repository',
      })
    },
  )
})

describe('GET /get-artifact', () => {
  it('downloads a run artifact with a Content-Length, as Flask send_file does', async () => {
    const res = await rawRequest(s.url, 'GET', `/get-artifact?run_id=${runId}&path=hello.txt`)
    expect(res.status).toBe(200)
    expect(res.body.toString()).toBe('hello golden\n')
    expect(res.headers['content-length']).toBe('13')
    expect(res.headers['content-disposition']).toBe('attachment; filename=hello.txt')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
  })

  it('answers JSON errors for a missing file, a missing path parameter and an unknown run (MLflow: HTML 500)', async () => {
    const missing = await s.get('/get-artifact', { run_id: runId, path: 'nope.txt' })
    expect([missing.status, missing.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST'])
    const noPath = await s.get('/get-artifact', { run_id: runId })
    expect([noPath.status, noPath.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE'])
    const noRun = await s.get('/get-artifact', { run_id: 'f'.repeat(32), path: 'hello.txt' })
    expect([noRun.status, noRun.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST'])
  })
})

describe('runs whose artifacts are not proxied', () => {
  it('lists and downloads artifacts of a run stored under a file: location', async () => {
    const location = pathToFileURL(join(s.dir, 'direct')).href
    const exp = await s.post('/api/2.0/mlflow/experiments/create', {
      name: 'direct-files',
      artifact_location: location,
    })
    expect(exp.status).toBe(200)
    const run = (await s.post('/api/2.0/mlflow/runs/create', { experiment_id: exp.json.experiment_id })).json
      .run.info
    const dir = join(s.dir, 'direct', run.run_id, 'artifacts')
    mkdirSync(join(dir, 'model'), { recursive: true })
    writeFileSync(join(dir, 'model', 'MLmodel'), 'flavors: {}\n')
    const list = await s.get('/api/2.0/mlflow/artifacts/list', { run_id: run.run_id, path: './model/' })
    expect(list.json).toEqual({
      root_uri: run.artifact_uri,
      files: [{ path: 'model/MLmodel', is_dir: false, file_size: 12 }],
    })
    const res = await rawRequest(s.url, 'GET', `/get-artifact?run_id=${run.run_id}&path=model/MLmodel`)
    expect([res.status, res.headers['content-type'], res.body.toString()]).toEqual([
      200,
      'text/plain',
      'flavors: {}\n',
    ])
  })

  it('answers NOT_IMPLEMENTED for a run stored under a scheme this server has no backend for', async () => {
    const exp = await s.post('/api/2.0/mlflow/experiments/create', {
      name: 'on-s3',
      artifact_location: 's3://bucket/prefix',
    })
    const run = (await s.post('/api/2.0/mlflow/runs/create', { experiment_id: exp.json.experiment_id })).json
      .run.info
    const list = await s.get('/api/2.0/mlflow/artifacts/list', { run_id: run.run_id })
    expect([list.status, list.json.error_code]).toEqual([501, 'NOT_IMPLEMENTED'])
  })

  it("refuses an experiment artifact_location with '..' in its query string, as MLflow does", async () => {
    const res = await s.post('/api/2.0/mlflow/experiments/create', {
      name: 'never',
      artifact_location: 's3://bucket/path?x=../../etc',
    })
    expect(res.status).toBe(400)
    expect(res.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid query string' })
  })
})
