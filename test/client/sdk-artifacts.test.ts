import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnClient, type ActiveRun } from '../../src/index.js'
import { startTestServer, type TestServer } from '../../src/server/test-support/test-server.js'

let server: TestServer
let client: CairnClient
let dir: string
let run: ActiveRun

beforeAll(async () => {
  server = await startTestServer()
  client = new CairnClient({ trackingUri: server.url, env: {}, handleExit: false })
  dir = mkdtempSync(join(tmpdir(), 'cairn-sdk-artifacts-'))
  run = await client.startRun({ experimentName: 'sdk-artifacts' })
})
afterAll(async () => {
  await run.endRun()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Downloads one artifact of the run through the proxy, as MLflow's clients do. */
async function download(path: string): Promise<Buffer> {
  const base = run.info.artifactUri.replace(/^mlflow-artifacts:/, '/api/2.0/mlflow-artifacts/artifacts')
  const res = await server.fetch(`${base}/${path.split('/').map(encodeURIComponent).join('/')}`)
  expect(res.status).toBe(200)
  return Buffer.from(await res.arrayBuffer())
}

describe('SDK artifacts (mlflow-artifacts proxy)', () => {
  it('uploads one file to the run root and to a folder', async () => {
    expect(run.info.artifactUri).toMatch(/^mlflow-artifacts:\//)
    const file = join(dir, 'notes.txt')
    writeFileSync(file, 'hello artifacts')
    await run.logArtifact(file)
    await run.logArtifact(file, 'docs/v1')
    expect((await download('notes.txt')).toString()).toBe('hello artifacts')
    expect((await download('docs/v1/notes.txt')).toString()).toBe('hello artifacts')
    const root = await client.listArtifacts(run.runId)
    expect(root).toEqual(expect.arrayContaining([{ path: 'notes.txt', isDir: false, fileSize: 15 }]))
    expect(root.find((f) => f.path === 'docs')).toMatchObject({ isDir: true })
  })

  it('uploads a folder tree, keeping its layout, including empty files and spaces in names', async () => {
    const tree = join(dir, 'model')
    mkdirSync(join(tree, 'weights', 'layer 1'), { recursive: true })
    writeFileSync(join(tree, 'MLmodel'), 'flavors: {}\n')
    writeFileSync(join(tree, 'weights', 'layer 1', 'w.bin'), Buffer.from([0, 1, 2, 255]))
    writeFileSync(join(tree, 'weights', 'empty.txt'), '')
    await run.logArtifacts(tree, 'model')
    expect((await download('model/MLmodel')).toString()).toBe('flavors: {}\n')
    expect([...(await download('model/weights/layer 1/w.bin'))]).toEqual([0, 1, 2, 255])
    expect((await download('model/weights/empty.txt')).length).toBe(0)
    const weights = await client.listArtifacts(run.runId, 'model/weights')
    expect(weights.map((f) => f.path).sort()).toEqual(['model/weights/empty.txt', 'model/weights/layer 1'])
  })

  it('streams a large file intact', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024 + 123)
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251
    const file = join(dir, 'big.bin')
    writeFileSync(file, big)
    await run.logArtifact(file, 'data')
    const listed = await client.listArtifacts(run.runId, 'data')
    expect(listed).toEqual([{ path: 'data/big.bin', isDir: false, fileSize: big.length }])
    expect((await download('data/big.bin')).equals(big)).toBe(true)
  })

  it('refuses an artifact path that climbs out of the run folder, before sending anything', async () => {
    const file = join(dir, 'notes.txt')
    await expect(run.logArtifact(file, '../escape')).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    })
  })

  it('reports a missing local file', async () => {
    await expect(run.logArtifact(join(dir, 'missing.txt'))).rejects.toThrow(/ENOENT/)
  })
})
