import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { LatestFeatures } from './latest.js'

const CSV = readFileSync(
  fileURLToPath(new URL('../../../node_modules/vega-datasets/data/sp500-2000.csv', import.meta.url)),
  'utf8',
)
const lines = CSV.trim().split('\n')

describe("the newest feature row ('tomorrow' is the day after it)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp500-latest-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'prices.csv')
  const write = (rows: string[], mtime: number): void => {
    writeFileSync(file, `${rows.join('\n')}\n`)
    utimesSync(file, mtime, mtime)
  }

  it('reads the last day of the file, and the new last day once the file changes', async () => {
    write(lines.slice(0, 1001), 1_000)
    const warnings: string[] = []
    const latest = new LatestFeatures('prices.csv', { cwd: dir, onWarning: (m) => warnings.push(m) })
    const first = await latest.latest()
    expect(first.date).toBe(lines[1000]!.split(',')[0])
    expect(Object.keys(first.features)).toContain('volume_z_20')
    write(lines.slice(0, 1002), 2_000)
    expect((await latest.latest()).date).toBe(lines[1001]!.split(',')[0])
    expect(warnings).toEqual([])
  })

  it('keeps answering from the last good data when the file turns bad, and says so', async () => {
    write(lines.slice(0, 200), 1_000)
    const warnings: string[] = []
    const latest = new LatestFeatures(file, { onWarning: (m) => warnings.push(m) })
    const good = await latest.latest()
    write([lines[0]!, '2000-01-04,1,1,1,-5,1,1'], 3_000)
    expect(await latest.latest()).toEqual(good)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`still answering from ${good.date}`)
  })

  it('refuses data that was never readable', async () => {
    await expect(new LatestFeatures(join(dir, 'none.csv')).latest()).rejects.toThrow('no such file')
    write(lines.slice(0, 40), 1_000)
    await expect(new LatestFeatures(file).latest()).rejects.toThrow('has too few days for features (39 rows)')
  })
})
