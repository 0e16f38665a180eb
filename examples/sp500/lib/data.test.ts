import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DataValidationError, parsePriceCsv, readSource, sha256, toCanonicalCsv } from './data.js'

const HEADER = 'date,open,high,low,close,adjclose,volume'
const GOOD = [
  HEADER,
  '2000-01-03,1469.25,1478,1438.359985,1455.219971,1455.219971,931800000',
  '2000-01-04,1455.219971,1455.219971,1397.430054,1399.420044,1399.420044,1009000000',
  '2000-01-05,1399.420044,1413.27002,1377.680054,1402.109985,1402.109985,1085500000',
].join('\n')

/** The problems a CSV is refused for. */
function problems(text: string, minRows = 1): string[] {
  try {
    parsePriceCsv(text, { source: 'test.csv', minRows })
  } catch (err) {
    expect(err).toBeInstanceOf(DataValidationError)
    expect((err as Error).message).toMatch(/^test\.csv is not usable price data:/)
    return (err as DataValidationError).problems
  }
  throw new Error('the CSV was accepted')
}

const withLine = (n: number, line: string): string => {
  const lines = GOOD.split('\n')
  lines[n - 1] = line
  return lines.join('\n')
}

describe('reading price CSVs', () => {
  it('reads the columns it knows and keeps the optional ones it found', () => {
    const t = parsePriceCsv(GOOD)
    expect(t.columns).toEqual({ open: true, high: true, low: true, volume: true })
    expect(t.rows[0]).toEqual({
      date: '2000-01-03',
      open: 1469.25,
      high: 1478,
      low: 1438.359985,
      close: 1455.219971,
      volume: 931800000,
    })
  })

  it('accepts a BOM, CRLF line ends, quoted fields, trailing blank lines and a price column for close', () => {
    const t = parsePriceCsv(`\uFEFFDate,"Price"\r\n2000-01-03,"1455.5"\r\n2000-01-04,1399\r\n\r\n`)
    expect(t.rows.map((r) => [r.date, r.close])).toEqual([
      ['2000-01-03', 1455.5],
      ['2000-01-04', 1399],
    ])
    expect(t.columns).toEqual({ open: false, high: false, low: false, volume: false })
  })

  it('writes one canonical CSV for the same prices, whatever their spelling, so the digest is the version', () => {
    const a = toCanonicalCsv(parsePriceCsv(GOOD))
    const b = toCanonicalCsv(parsePriceCsv(GOOD.replace(/\n/g, '\r\n').replace('1469.25', '1469.250000')))
    expect(b).toBe(a)
    expect(a.split('\n')[0]).toBe('date,open,high,low,close,volume')
    expect(sha256(a)).toMatch(/^[0-9a-f]{64}$/)
    expect(toCanonicalCsv(parsePriceCsv(GOOD.replace('1399.420044,1399', '1399.5,1399')))).not.toBe(a)
  })
})

describe('refusing bad price data with clear messages', () => {
  it('refuses an empty file', () => {
    expect(problems('')).toEqual(['the file is empty'])
    expect(problems('\n\n')).toEqual(['the file is empty'])
  })

  it('refuses a header without date or close', () => {
    expect(problems('day,open,close\n2000-01-03,1,2')).toEqual([
      "the header (line 1: 'day,open,close') has no column 'date'",
    ])
    expect(problems('date,open,volume\n2000-01-03,1,2')).toEqual([
      "the header (line 1: 'date,open,volume') has no column 'close' (or adjclose, price)",
    ])
  })

  it('refuses dates that are not YYYY-MM-DD calendar dates', () => {
    expect(problems(withLine(3, '01/04/2000,1,1,1,1,1,1'))).toEqual([
      "line 3: date '01/04/2000' is not a calendar date written YYYY-MM-DD",
    ])
    expect(problems(withLine(3, '2000-02-30,1,1,1,1,1,1'))).toEqual([
      "line 3: date '2000-02-30' is not a calendar date written YYYY-MM-DD",
    ])
  })

  it('refuses dates out of order and repeated dates, naming both lines', () => {
    expect(problems(withLine(4, '2000-01-02,1,1,1,1,1,1'))).toEqual([
      'line 4: date 2000-01-02 comes after 2000-01-04 (line 3); dates must be in ascending order',
    ])
    expect(problems(withLine(4, '2000-01-04,1,1,1,1,1,1'))).toEqual([
      'line 4: date 2000-01-04 repeats line 3 (dates must be unique)',
    ])
  })

  it('refuses prices that are not positive finite numbers and negative volumes', () => {
    expect(problems(withLine(2, '2000-01-03,1,1,1,0,1,5'))).toEqual([
      "line 2 (2000-01-03): close '0' is not a positive finite number",
    ])
    expect(problems(withLine(2, '2000-01-03,-1,1,1,abc,1,5'))).toEqual([
      "line 2 (2000-01-03): close 'abc' is not a positive finite number",
      "line 2 (2000-01-03): open '-1' is not a positive finite number",
    ])
    expect(problems(withLine(2, '2000-01-03,1,Infinity,1,2,1,5'))).toEqual([
      "line 2 (2000-01-03): high 'Infinity' is not a positive finite number",
    ])
    expect(problems(withLine(2, '2000-01-03,1,1,1,2,1,-5'))).toEqual([
      "line 2 (2000-01-03): volume '-5' is not a non-negative finite number",
    ])
    expect(problems(withLine(2, '2000-01-03,1,1,1,,1,5'))).toEqual([
      "line 2 (2000-01-03): close '' is not a positive finite number",
    ])
  })

  it('refuses rows with the wrong number of fields and empty lines inside the data', () => {
    expect(problems(withLine(2, '2000-01-03,1,1'))).toEqual(['line 2 has 3 fields, the header has 7'])
    expect(problems(withLine(3, ''))).toEqual(['line 3 is empty'])
  })

  it('refuses too few rows', () => {
    expect(problems(GOOD, 250)).toEqual(['it has 3 data rows; at least 250 are needed'])
  })

  it('reports every problem at once, up to ten', () => {
    const lines = [HEADER, ...Array.from({ length: 15 }, (_, i) => `2000-01-${String(i + 10)},1,1,1,-1,1,1`)]
    const p = problems(lines.join('\n'))
    expect(p).toHaveLength(11)
    expect(p[0]).toBe("line 2 (2000-01-10): close '-1' is not a positive finite number")
    expect(p[10]).toBe('… more problems not shown')
  })
})

describe('reading the data source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp500-data-'))
  let server: Server
  let base = ''
  beforeAll(async () => {
    writeFileSync(join(dir, 'prices.csv'), GOOD)
    server = createServer((req, res) => {
      if (req.url === '/prices.csv') {
        res.writeHead(200, { 'Content-Type': 'text/csv' })
        res.end(GOOD)
      } else {
        res.writeHead(404)
        res.end('not here')
      }
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((r) => server.close(r))
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads a path relative to the working folder, and an http URL', async () => {
    const local = await readSource('prices.csv', dir)
    expect(local).toEqual({ text: GOOD, sourceType: 'local', uri: join(dir, 'prices.csv') })
    const remote = await readSource(`${base}/prices.csv`)
    expect(remote).toEqual({ text: GOOD, sourceType: 'http', uri: `${base}/prices.csv` })
  })

  it('says why a source cannot be read', async () => {
    await expect(readSource('missing.csv', dir)).rejects.toThrow(
      `Cannot read ${join(dir, 'missing.csv')}: no such file`,
    )
    await expect(readSource('.', dir)).rejects.toThrow('it is a folder')
    await expect(readSource(`${base}/nope.csv`)).rejects.toThrow(`Cannot download ${base}/nope.csv: HTTP 404`)
  })
})
