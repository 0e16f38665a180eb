/**
 * Parquet files read with hyparquet (pure JS, any Node ≥ 18) and hyparquet-compressors (ZSTD,
 * Snappy, Brotli, LZ4, gzip). Flat schemas only. Integers, floats and timestamps become numeric
 * columns (timestamps and dates as epoch milliseconds), strings and booleans categorical ones.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, type FileMetaData } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { invalidParameter } from '../../protocol/errors.js'
import { categoricalColumn, makeTable, numericColumn, type Column, type Table } from './table.js'

export interface ParquetOptions {
  columns?: readonly string[]
  /** First row to read (inclusive). */
  rowStart?: number
  /** Last row to read (exclusive); default the end of the file. */
  rowEnd?: number
  /** Refuse to read more rows than this. */
  maxRows?: number
}

type Leaf = { name: string; numeric: boolean }

function leaves(md: FileMetaData, file: string): Leaf[] {
  const [root, ...rest] = md.schema
  if (!root) return []
  if (rest.length !== (root.num_children ?? 0) || rest.some((e) => (e.num_children ?? 0) > 0)) {
    throw invalidParameter(`${file}: nested Parquet columns are not supported; flatten the file first`)
  }
  return rest.map((e) => ({
    name: e.name,
    numeric:
      e.type !== undefined &&
      e.type !== 'BYTE_ARRAY' &&
      e.type !== 'FIXED_LEN_BYTE_ARRAY' &&
      e.type !== 'BOOLEAN',
  }))
}

const millis = {
  timestampFromMilliseconds: (v: bigint): number => Number(v),
  timestampFromMicroseconds: (v: bigint): number => Number(v / 1000n) + Number(v % 1000n) / 1000,
  timestampFromNanoseconds: (v: bigint): number => Number(v / 1_000_000n) + Number(v % 1_000_000n) / 1e6,
  dateFromDays: (d: number): number => d * 86_400_000,
}

function cellText(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') return String(v)
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  return JSON.stringify(v)
}

export async function parquetRowCount(path: string): Promise<number> {
  const md = await parquetMetadataAsync(await asyncBufferFromFile(path))
  return Number(md.num_rows)
}

export async function readParquet(path: string, opts: ParquetOptions = {}): Promise<Table> {
  const file = await asyncBufferFromFile(path)
  const metadata = await parquetMetadataAsync(file, { parsers: millis })
  const total = Number(metadata.num_rows)
  const all = leaves(metadata, path)
  const want = opts.columns ? new Set(opts.columns) : undefined
  for (const c of want ?? [])
    if (!all.some((l) => l.name === c)) throw invalidParameter(`${path}: no column '${c}'`)
  const chosen = want ? all.filter((l) => want.has(l.name)) : all
  const rowStart = Math.max(0, opts.rowStart ?? 0)
  const rowEnd = Math.min(total, opts.rowEnd ?? total)
  const rows = Math.max(0, rowEnd - rowStart)
  if (opts.maxRows !== undefined && rows > opts.maxRows) {
    throw invalidParameter(`${path}: ${rows} rows exceed the limit of ${opts.maxRows}`)
  }
  const numbers = new Map<string, Float64Array>()
  const texts = new Map<string, (string | undefined)[]>()
  for (const l of chosen) {
    if (l.numeric) numbers.set(l.name, new Float64Array(rows).fill(NaN))
    else texts.set(l.name, new Array<string | undefined>(rows))
  }
  await parquetRead({
    file,
    metadata,
    compressors,
    columns: chosen.map((l) => l.name),
    rowStart,
    rowEnd,
    onChunk: ({ columnName, columnData, rowStart: s }) => {
      const from = Math.max(s, rowStart)
      const to = Math.min(s + columnData.length, rowEnd)
      const num = numbers.get(columnName)
      if (num) {
        for (let r = from; r < to; r++) {
          const v: unknown = columnData[r - s]
          num[r - rowStart] =
            typeof v === 'number'
              ? v
              : typeof v === 'bigint'
                ? Number(v)
                : v instanceof Date
                  ? v.getTime()
                  : NaN
        }
        return
      }
      const txt = texts.get(columnName)
      if (!txt) return
      for (let r = from; r < to; r++) {
        const v: unknown = columnData[r - s]
        txt[r - rowStart] = v === null || v === undefined ? undefined : cellText(v)
      }
    },
  })
  const columns: Column[] = chosen.map((l) =>
    l.numeric ? numericColumn(l.name, numbers.get(l.name)!) : categoricalColumn(l.name, texts.get(l.name)!),
  )
  return makeTable(columns)
}
