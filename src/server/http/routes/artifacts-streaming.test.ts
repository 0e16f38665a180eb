import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest } from '../../test-support/raw-request.js'
import { startTestServer, type TestServer } from '../../test-support/test-server.js'

const MiB = 1024 * 1024

/** `count` chunks of 1 MiB made as they are read, so the test never holds the whole body. */
function generated(count: number, seed = 7): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256')
  function* chunks(): Generator<Buffer> {
    for (let i = 0; i < count; i++) {
      const chunk = Buffer.alloc(MiB, (i * seed) % 251)
      chunk.writeUInt32BE(i, 0)
      hash.update(chunk)
      yield chunk
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), digest: () => hash.digest('hex') }
}

function tree(path: string): string[] {
  return readdirSync(path, { recursive: true }).map(String).sort()
}

describe('streamed artifact uploads and downloads', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
  })
  afterAll(async () => {
    await s.close()
  })

  it('round-trips a 50 MiB upload sent chunked, byte for byte', async () => {
    const body = generated(50)
    const path = '/api/2.0/mlflow-artifacts/artifacts/big/data.bin'
    const up = await rawRequest(s.url, 'PUT', path, { body: body.stream })
    expect(up.status).toBe(200)
    const sent = body.digest()

    const received = createHash('sha256')
    let size = 0
    const down = await rawRequest(s.url, 'GET', path, {
      onData: (chunk) => {
        size += chunk.length
        received.update(chunk)
      },
    })
    expect(down.status).toBe(200)
    expect(size).toBe(50 * MiB)
    expect(received.digest('hex')).toBe(sent)
    expect((await s.get('/api/2.0/mlflow-artifacts/artifacts', { path: 'big' })).json).toEqual({
      files: [{ path: 'data.bin', is_dir: false, file_size: 50 * MiB }],
    })
  })
})

describe('the artifact upload limit', () => {
  let s: TestServer
  let artifacts: string
  beforeAll(async () => {
    s = await startTestServer({ maxArtifactBytes: 64 * 1024 })
    artifacts = join(s.dir, 'artifacts')
  })
  afterAll(async () => {
    await s.close()
  })

  const url = (path: string) => `/api/2.0/mlflow-artifacts/artifacts/${path}`

  it('refuses a chunked body over the limit with 413, leaves nothing behind and keeps serving', async () => {
    const res = await rawRequest(s.url, 'PUT', url('new/folder/too-big.bin'), { body: generated(2).stream })
    expect(res.status).toBe(413)
    expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE')
    expect(tree(artifacts)).toEqual([])
    const ok = await rawRequest(s.url, 'PUT', url('small.txt'), { body: 'fits' })
    expect(ok.status).toBe(200)
  })

  it('refuses a declared Content-Length over the limit with 413', async () => {
    const res = await rawRequest(s.url, 'PUT', url('declared.bin'), {
      body: Buffer.alloc(64 * 1024 + 1),
      headers: { 'Content-Length': 64 * 1024 + 1 },
    })
    expect(res.status).toBe(413)
    expect(tree(artifacts)).not.toContain('declared.bin')
  })

  it('keeps the previous file when a replacement is over the limit', async () => {
    expect((await rawRequest(s.url, 'PUT', url('keep.txt'), { body: 'previous' })).status).toBe(200)
    const res = await rawRequest(s.url, 'PUT', url('keep.txt'), { body: generated(1).stream })
    expect(res.status).toBe(413)
    expect(readFileSync(join(artifacts, 'keep.txt'), 'utf8')).toBe('previous')
    expect(tree(artifacts).filter((n) => n.includes('.cairn-upload-'))).toEqual([])
  })

  it('accepts a body of exactly the limit', async () => {
    const res = await rawRequest(s.url, 'PUT', url('exact.bin'), { body: Buffer.alloc(64 * 1024, 1) })
    expect(res.status).toBe(200)
    expect(readFileSync(join(artifacts, 'exact.bin')).length).toBe(64 * 1024)
  })
})
