import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { JsonlLog } from './jsonl-log.js'

const files = (dir: string, prefix: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .sort()

const lines = (dir: string, prefix: string): string[] =>
  files(dir, prefix).flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
  )

const entries = (from: number, to: number, pad = ''): Buffer =>
  Buffer.from(
    Array.from({ length: to - from }, (_, k) => JSON.stringify({ i: from + k, pad }) + '\n').join(''),
  )

describe('JSON Lines logs', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-jsonl-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('writes every queued buffer, in order, by the time close() resolves, and says each was written', async () => {
    const log = new JsonlLog({ dir, prefix: 'p', maxFileBytes: 1 << 20, maxTotalBytes: 1 << 24 })
    const written: boolean[] = []
    for (let i = 0; i < 1000; i += 10) log.write(entries(i, i + 10), (ok) => written.push(ok))
    await log.close()
    expect(lines(dir, 'p-').map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    )
    expect(written).toEqual(new Array<boolean>(100).fill(true))
    log.write(entries(0, 1), (ok) => written.push(ok))
    expect(written.at(-1)).toBe(false)
  })

  it('rotates before a file would pass maxFileBytes, splitting a buffer at a line break, and keeps the folder within maxTotalBytes, oldest files deleted first', async () => {
    const log = new JsonlLog({ dir, prefix: 'p', maxFileBytes: 2000, maxTotalBytes: 8000 })
    const pad = 'x'.repeat(90)
    // 25 lines of ~110 bytes per buffer: more than a whole file each.
    for (let i = 0; i < 400; i += 25) log.write(entries(i, i + 25, pad))
    await log.close()
    const names = files(dir, 'p-')
    expect(names.length).toBeGreaterThan(1)
    for (const f of names) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(2000)
    const total = names.reduce((n, f) => n + statSync(join(dir, f)).size, 0)
    expect(total).toBeLessThanOrEqual(8000)
    const kept = lines(dir, 'p-').map((l) => (JSON.parse(l) as { i: number }).i)
    expect(kept.at(-1)).toBe(399)
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => 400 - kept.length + k))
  })

  it('gives a line longer than a whole file a file of its own', async () => {
    const log = new JsonlLog({ dir, prefix: 'p', maxFileBytes: 100, maxTotalBytes: 10_000 })
    log.write(Buffer.from(`{"a":1}\n{"long":"${'y'.repeat(300)}"}\n{"b":2}\n`))
    await log.close()
    expect(files(dir, 'p-').map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual([
      '{"a":1}\n',
      `{"long":"${'y'.repeat(300)}"}\n`,
      '{"b":2}\n',
    ])
  })

  it('leaves files of other prefixes alone', async () => {
    writeFileSync(join(dir, 'feedback-old.jsonl'), 'y'.repeat(10_000))
    const log = new JsonlLog({ dir, prefix: 'p', maxFileBytes: 100, maxTotalBytes: 200 })
    log.write(Buffer.from('{}\n'))
    await log.close()
    expect(readdirSync(dir)).toContain('feedback-old.jsonl')
  })

  it('reports a failed write and goes on with the next buffers', async () => {
    const errors: unknown[] = []
    writeFileSync(join(dir, 'file-not-folder'), '')
    const log = new JsonlLog({
      dir: join(dir, 'file-not-folder'),
      prefix: 'p',
      maxFileBytes: 100,
      maxTotalBytes: 200,
      onError: (e) => errors.push(e),
    })
    const written: boolean[] = []
    log.write(Buffer.from('{}\n'), (ok) => written.push(ok))
    log.write(Buffer.from('{}\n'), (ok) => written.push(ok))
    await log.close()
    expect(written).toEqual([false, false])
    expect(errors.length).toBeGreaterThan(0)
  })
})
