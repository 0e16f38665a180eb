import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { JsonlLog } from './jsonl-log.js'

const lines = (dir: string, prefix: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    )

describe('JSON Lines logs', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-jsonl-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('writes every appended entry, in order, by the time close() resolves', async () => {
    const log = new JsonlLog({
      dir,
      prefix: 'p',
      maxFileBytes: 1 << 20,
      maxTotalBytes: 1 << 24,
      flushIntervalMs: 60_000,
    })
    for (let i = 0; i < 1000; i++) log.append(() => JSON.stringify({ i }))
    await log.close()
    expect(lines(dir, 'p-').map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    )
  })

  it('rotates past maxFileBytes and keeps the folder within maxTotalBytes, oldest files deleted first', async () => {
    const log = new JsonlLog({ dir, prefix: 'p', maxFileBytes: 2000, maxTotalBytes: 8000 })
    const entry = 'x'.repeat(90)
    for (let i = 0; i < 400; i++) {
      log.append(() => JSON.stringify({ i, entry }))
      if (i % 10 === 9) await log.flush()
    }
    await log.close()
    const files = readdirSync(dir).filter((f) => f.startsWith('p-'))
    expect(files.length).toBeGreaterThan(1)
    const total = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0)
    expect(total).toBeLessThanOrEqual(8000)
    const kept = lines(dir, 'p-').map((l) => (JSON.parse(l) as { i: number }).i)
    expect(kept.at(-1)).toBe(399)
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => 400 - kept.length + k))
  })

  it('leaves files of other prefixes alone', async () => {
    writeFileSync(join(dir, 'feedback-old.jsonl'), 'y'.repeat(10_000))
    const log = new JsonlLog({ dir, prefix: 'p', maxFileBytes: 100, maxTotalBytes: 200 })
    log.append(() => '{}')
    await log.close()
    expect(readdirSync(dir)).toContain('feedback-old.jsonl')
  })

  it('drops entries past maxQueued and says how many', async () => {
    let dropped = 0
    const log = new JsonlLog({
      dir,
      prefix: 'p',
      maxFileBytes: 1 << 20,
      maxTotalBytes: 1 << 24,
      maxQueued: 5,
      flushIntervalMs: 60_000,
      onDrop: (n) => (dropped += n),
    })
    for (let i = 0; i < 8; i++) log.append(() => '{}')
    await log.close()
    expect(dropped).toBe(3)
    expect(lines(dir, 'p-')).toHaveLength(5)
  })
})
