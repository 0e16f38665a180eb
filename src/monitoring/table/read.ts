/**
 * `readTable(path)`: CSV, JSON Lines (records or prediction-log lines), JSON (records or column
 * arrays) and Parquet, chosen by extension (or `format`). Reads are bounded: the file size, the
 * rows and the columns each have a limit, and a line of JSON Lines may not exceed 64 MiB.
 */
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { extname } from 'node:path'
import { CairnError, invalidParameter } from '../../protocol/errors.js'
import { DEFAULT_BUILD_LIMITS } from './builder.js'
import { readCsvChunks } from './csv.js'
import { parseJsonDocument, readJsonLines } from './json.js'
import { readParquet } from './parquet.js'
import type { Table } from './table.js'

export type TableFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet'

export interface ReadTableOptions {
  format?: TableFormat
  /** Default 2 GiB (JSON documents: 256 MiB, as they are parsed whole). */
  maxBytes?: number
  /** Default 20,000,000. */
  maxRows?: number
  /** Default 10,000. */
  maxColumns?: number
  /** Parquet only: read these columns. */
  columns?: readonly string[]
}

const EXTENSIONS: Record<string, TableFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.parquet': 'parquet',
  '.pq': 'parquet',
}

const MAX_JSON_DOCUMENT_BYTES = 256 * 1024 * 1024
const MAX_LINE_CHARS = 64 * 1024 * 1024

export function formatOf(path: string, format?: TableFormat): TableFormat {
  if (format) return format
  const f = EXTENSIONS[extname(path).toLowerCase()]
  if (!f) {
    throw invalidParameter(
      `Cannot tell the format of '${path}' from its extension; known: ${Object.keys(EXTENSIONS).join(', ')}`,
    )
  }
  return f
}

async function* linesOf(path: string): AsyncGenerator<string> {
  let rest = ''
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string)
    const parts = text.split('\n')
    rest = parts.pop()!
    if (rest.length > MAX_LINE_CHARS) throw invalidParameter(`${path}: a line is longer than 64 MiB`)
    yield* parts
  }
  if (rest !== '') yield rest
}

export async function readTable(path: string, opts: ReadTableOptions = {}): Promise<Table> {
  const format = formatOf(path, opts.format)
  let size: number
  try {
    size = (await stat(path)).size
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new CairnError('RESOURCE_DOES_NOT_EXIST', `No such file: ${path}`)
    throw err
  }
  const maxBytes = opts.maxBytes ?? (format === 'json' ? MAX_JSON_DOCUMENT_BYTES : 2 * 1024 ** 3)
  if (size > maxBytes) throw invalidParameter(`${path} is ${size} bytes, more than the limit of ${maxBytes}`)
  const limits = {
    maxRows: opts.maxRows ?? DEFAULT_BUILD_LIMITS.maxRows,
    maxColumns: opts.maxColumns ?? DEFAULT_BUILD_LIMITS.maxColumns,
  }
  switch (format) {
    case 'csv':
    case 'tsv':
      return readCsvChunks(
        createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>,
        {
          delimiter: format === 'tsv' ? '\t' : ',',
          limits,
          source: path,
        },
      )
    case 'jsonl':
      return readJsonLines(linesOf(path), { limits, source: path })
    case 'json':
      return parseJsonDocument(await readFile(path, 'utf8'), { limits, source: path })
    case 'parquet':
      return readParquet(path, {
        maxRows: limits.maxRows,
        ...(opts.columns ? { columns: opts.columns } : {}),
      })
  }
}
