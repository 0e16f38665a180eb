import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { flightsParquetPath } from '../test-support/flights.js'
import { parseCsv } from './csv.js'
import { parseJsonDocument, readJsonLines } from './json.js'
import { readParquet } from './parquet.js'
import { readTable } from './read.js'
import { getColumn, type CategoricalColumn, type NumericColumn } from './table.js'

const dir = mkdtempSync(join(tmpdir(), 'cairn-mon-read-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
const num = (t: { columns: readonly unknown[] } & Parameters<typeof getColumn>[0], n: string): number[] =>
  Array.from((getColumn(t, n) as NumericColumn).values)
const cat = (t: Parameters<typeof getColumn>[0], n: string): (string | undefined)[] => {
  const c = getColumn(t, n) as CategoricalColumn
  return Array.from(c.codes, (k) => (k < 0 ? undefined : c.dictionary[k]))
}

describe('CSV', () => {
  it('types columns: numbers (with missing markers) numeric, anything else categorical', async () => {
    const t = await parseCsv(
      '\uFEFFx,label,note\r\n1.5,a,"hello, ""world"""\n,b,"two\nlines"\nNA,a,\n-2e3,,x\n',
    )
    expect(t.rowCount).toBe(4)
    expect(getColumn(t, 'x')!.kind).toBe('numeric')
    expect(num(t, 'x')).toEqual([1.5, NaN, NaN, -2000])
    expect(cat(t, 'label')).toEqual(['a', 'b', 'a', undefined])
    expect(cat(t, 'note')).toEqual(['hello, "world"', 'two\nlines', undefined, 'x'])
  })

  it('keeps a column numeric only when every value parses', async () => {
    const t = await parseCsv('v\n1\n2\nthree\n')
    expect(getColumn(t, 'v')!.kind).toBe('categorical')
  })

  it('names the line of a row with too many fields', async () => {
    await expect(parseCsv('a,b\n1,2\n1,2,3\n')).rejects.toThrow(/line 3 has 3 fields, the header has 2/)
  })

  it('refuses an unterminated quote', async () => {
    await expect(parseCsv('a\n"open\n')).rejects.toThrow(/unterminated quoted field/)
  })
})

describe('JSON', () => {
  it('reads JSON Lines records, filling absent keys with missing values', async () => {
    const t = await readJsonLines(['{"a": 1, "b": "x"}', '', '{"a": null, "c": true}', '{"a": 3}'])
    expect(t.rowCount).toBe(3)
    expect(num(t, 'a')).toEqual([1, NaN, 3])
    expect(cat(t, 'b')).toEqual(['x', undefined, undefined])
    expect(cat(t, 'c')).toEqual([undefined, 'true', undefined])
  })

  it('reads prediction-log lines: inputs as rows, outputs as columns, list outputs spread', async () => {
    const lines = [
      JSON.stringify({
        ts: '2024-01-01T00:00:00.000Z',
        request_id: 'r1',
        model: 'm',
        model_uri: 'models:/m/1',
        model_version: '1',
        role: 'primary',
        protocol: 'mlflow',
        latency_ms: 1.2,
        rows: 2,
        inputs: { x: [1, 2], city: ['a', 'b'] },
        outputs: {
          label: [0, 1],
          probabilities: [
            [0.9, 0.1],
            [0.2, 0.8],
          ],
        },
      }),
      JSON.stringify({
        ts: '2024-01-01T00:00:01.000Z',
        request_id: 'r2',
        model: 'm',
        rows: 1,
        inputs: { x: [3], city: ['c'] },
        error: 'boom',
      }),
    ]
    const t = await readJsonLines(lines)
    expect(t.rowCount).toBe(3)
    expect(num(t, 'x')).toEqual([1, 2, 3])
    expect(cat(t, 'city')).toEqual(['a', 'b', 'c'])
    expect(num(t, 'label')).toEqual([0, 1, NaN])
    expect(num(t, 'probabilities[1]')).toEqual([0.1, 0.8, NaN])
    expect(cat(t, 'request_id')).toEqual(['r1', 'r1', 'r2'])
    expect(num(t, 'ts')).toEqual([
      Date.parse('2024-01-01T00:00:00Z'),
      Date.parse('2024-01-01T00:00:00Z'),
      Date.parse('2024-01-01T00:00:01Z'),
    ])
  })

  it('reads prediction-log lines holding the request body and the answer as sent like lines of values', async () => {
    const head = {
      ts: '2024-01-01T00:00:00.000Z',
      model: 'm',
      model_version: '1',
      protocol: 'mlflow',
      rows: 2,
    }
    const asSent = {
      ...head,
      request_id: 'sent',
      columns: ['x', 'city'],
      request: {
        dataframe_records: [
          { city: 'a', x: 1, extra: 0 },
          { x: 2, city: 'b' },
        ],
      },
      output_names: ['label', 'probabilities'],
      answer: {
        predictions: [
          { label: 0, probabilities: [0.9, 0.1] },
          { label: 1, probabilities: [0.2, 0.8] },
        ],
      },
    }
    const asValues = {
      ...head,
      request_id: 'values',
      inputs: { x: [1, 2], city: ['a', 'b'] },
      outputs: {
        label: [0, 1],
        probabilities: [
          [0.9, 0.1],
          [0.2, 0.8],
        ],
      },
    }
    const sent = await readJsonLines([JSON.stringify(asSent)])
    const values = await readJsonLines([JSON.stringify(asValues)])
    for (const t of [sent, values]) {
      expect(t.rowCount).toBe(2)
      expect(num(t, 'x')).toEqual([1, 2])
      expect(cat(t, 'city')).toEqual(['a', 'b'])
      expect(num(t, 'label')).toEqual([0, 1])
      expect(num(t, 'probabilities[1]')).toEqual([0.1, 0.8])
    }
    expect(sent.columns.map((c) => c.name)).toEqual(values.columns.map((c) => c.name))
  })

  it('names a line that is not JSON', async () => {
    await expect(readJsonLines(['{"a":1}', '{oops'])).rejects.toThrow(/line 2 is not valid JSON/)
  })

  it('reads a JSON array of records and an object of columns', () => {
    expect(parseJsonDocument('[{"a":1},{"a":2}]').rowCount).toBe(2)
    const t = parseJsonDocument('{"a":[1,2,3],"b":["x","y",null]}')
    expect(cat(t, 'b')).toEqual(['x', 'y', undefined])
    expect(() => parseJsonDocument('{"a":[1,2],"b":[1]}')).toThrow(/column 'b' has 1 values for 2 rows/)
    expect(() => parseJsonDocument('42')).toThrow(/expected an array of records/)
  })
})

describe('readTable', () => {
  const flights = flightsParquetPath()

  it('reads Parquet row ranges with ZSTD pages: numbers, timestamps as epoch ms, strings', async () => {
    const t = await readParquet(flights, { rowStart: 10, rowEnd: 1010 })
    expect(t.rowCount).toBe(1000)
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
      ['date', 'numeric'],
      ['delay', 'numeric'],
      ['distance', 'numeric'],
      ['origin', 'categorical'],
      ['destination', 'categorical'],
    ])
    const date = num(t, 'date')
    expect(date.every((d) => d >= Date.UTC(2001, 0, 1) && d < Date.UTC(2002, 0, 1))).toBe(true)
    expect(cat(t, 'origin').every((o) => typeof o === 'string' && o.length === 3)).toBe(true)
  })

  it('refuses more Parquet rows than the limit', async () => {
    await expect(readTable(flights, { maxRows: 1000 })).rejects.toThrow(
      /3000000 rows exceed the limit of 1000/,
    )
  })

  it('chooses the reader by extension and bounds the file size', async () => {
    const csv = file('a.csv', 'a,b\n1,x\n2,y\n')
    expect((await readTable(csv)).rowCount).toBe(2)
    expect((await readTable(file('a.jsonl', '{"a":1}\n{"a":2}\n'))).rowCount).toBe(2)
    await expect(readTable(csv, { maxBytes: 4 })).rejects.toThrow(/more than the limit of 4/)
    await expect(readTable(file('a.txt', 'x'))).rejects.toThrow(/Cannot tell the format/)
    await expect(readTable(join(dir, 'nope.csv'))).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' })
  })

  it('stops at the row limit instead of reading on', async () => {
    const csv = file('big.csv', 'a\n' + '1\n'.repeat(50))
    await expect(readTable(csv, { maxRows: 10 })).rejects.toThrow(/more than 10 rows/)
  })
})
