/**
 * CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM) read as a stream into a
 * Table. The first record is the header. Cells are typed by builder.ts's text rules.
 */
import { invalidParameter } from '../../protocol/errors.js'
import { TableBuilder, type BuildLimits } from './builder.js'
import type { Table } from './table.js'

export interface CsvOptions {
  delimiter?: string
  limits?: BuildLimits
  source?: string
}

/** An incremental CSV record splitter: feed text chunks, receive records. */
export class CsvParser {
  private field = ''
  private record: string[] = []
  private quoted = false
  /** Inside quotes, a quote was just seen: it ends the field or starts a doubled quote. */
  private quotePending = false
  private started = false
  line = 1

  constructor(
    private readonly onRecord: (cells: string[]) => void,
    private readonly delimiter = ',',
  ) {}

  feed(chunk: string): void {
    let s = chunk
    if (!this.started) {
      this.started = true
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1)
    }
    const d = this.delimiter
    let i = 0
    while (i < s.length) {
      if (this.quoted) {
        if (this.quotePending) {
          this.quotePending = false
          if (s[i] === '"') {
            this.field += '"'
            i++
            continue
          }
          this.quoted = false
          continue
        }
        const q = s.indexOf('"', i)
        if (q < 0) {
          this.countLines(s, i, s.length)
          this.field += s.slice(i)
          return
        }
        this.countLines(s, i, q)
        this.field += s.slice(i, q)
        this.quotePending = true
        i = q + 1
        continue
      }
      const ch = s[i]!
      if (ch === '"' && this.field === '') {
        this.quoted = true
        i++
      } else if (ch === d) {
        this.record.push(this.field)
        this.field = ''
        i++
      } else if (ch === '\n') {
        this.endRecord()
        this.line++
        i++
      } else if (ch === '\r') {
        i++
      } else {
        let j = i
        while (j < s.length) {
          const c = s[j]!
          if (c === d || c === '\n' || c === '\r' || c === '"') break
          j++
        }
        if (j === i) {
          // A quote inside an unquoted field is kept as text (lenient, as pandas).
          this.field += ch
          j = i + 1
        } else this.field += s.slice(i, j)
        i = j
      }
    }
  }

  private countLines(s: string, from: number, to: number): void {
    for (let k = from; k < to; k++) if (s.charCodeAt(k) === 10) this.line++
  }

  private endRecord(): void {
    this.record.push(this.field)
    this.field = ''
    const r = this.record
    this.record = []
    // A blank line is no record.
    if (r.length === 1 && r[0] === '') return
    this.onRecord(r)
  }

  end(): void {
    if (this.quoted && !this.quotePending)
      throw invalidParameter(`unterminated quoted field at line ${this.line}`)
    this.quoted = false
    this.quotePending = false
    if (this.field !== '' || this.record.length > 0) this.endRecord()
  }
}

/** Reads CSV text chunks into a Table. */
export async function readCsvChunks(
  chunks: AsyncIterable<string> | Iterable<string>,
  opts: CsvOptions = {},
): Promise<Table> {
  const source = opts.source ?? 'CSV'
  const builder = new TableBuilder('text', opts.limits, source)
  let header: string[] | undefined
  const parser = new CsvParser((cells) => {
    if (!header) {
      header = cells.map((c, i) => (c.trim() === '' ? `column_${i}` : c.trim()))
      const dup = header.find((h, i) => header!.indexOf(h) !== i)
      if (dup !== undefined) throw invalidParameter(`${source}: duplicate column '${dup}' in the header`)
      builder.declare(header)
      return
    }
    if (cells.length > header.length) {
      throw invalidParameter(
        `${source}: line ${parser.line} has ${cells.length} fields, the header has ${header.length}`,
      )
    }
    builder.addCells(header, cells)
  }, opts.delimiter)
  for await (const chunk of chunks) parser.feed(chunk)
  parser.end()
  return builder.build()
}

export function parseCsv(text: string, opts: CsvOptions = {}): Promise<Table> {
  return readCsvChunks([text], opts)
}
