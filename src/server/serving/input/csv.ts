/**
 * `text/csv` scoring bodies, read as pandas' `read_csv` reads what `DataFrame.to_csv()` writes:
 * the first line is the header (a headerless body's first row becomes the header, as in MLflow),
 * an empty header name is the index column `Unnamed: <i>` (then dropped as an extra column),
 * empty fields are missing values, double quotes quote fields. Values stay text; the signature
 * converts them.
 */
import { CairnError } from '../../../protocol/errors.js'
import type { Table } from './payload.js'

const bad = (why: string): CairnError =>
  new CairnError(
    'BAD_REQUEST',
    `Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame produced using the \`pandas.DataFrame.to_csv()\` method. Error: '${why}'`,
  )

/** Splits CSV text into records of fields (RFC 4180 quoting; CRLF or LF line ends). */
function records(text: string): (string | null)[][] {
  const out: (string | null)[][] = []
  let row: (string | null)[] = []
  let i = 0
  const n = text.length
  while (i < n) {
    let field: string | null
    if (text.charCodeAt(i) === 34 /* " */) {
      let value = ''
      i++
      for (;;) {
        const q = text.indexOf('"', i)
        if (q === -1) throw bad('EOF inside string: a quoted field is not closed')
        value += text.slice(i, q)
        if (text.charCodeAt(q + 1) === 34) {
          value += '"'
          i = q + 2
        } else {
          i = q + 1
          break
        }
      }
      field = value
    } else {
      let j = i
      while (j < n) {
        const c = text.charCodeAt(j)
        if (c === 44 /* , */ || c === 10 || c === 13) break
        j++
      }
      field = j === i ? null : text.slice(i, j)
      i = j
    }
    row.push(field)
    const c = text.charCodeAt(i)
    if (c === 44) {
      i++
      if (i === n) row.push(null)
      continue
    }
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++
    if (i < n && c !== 10 && c !== 13) throw bad(`unexpected character after a quoted field at offset ${i}`)
    i++
    // pandas skips blank lines.
    if (!(row.length === 1 && row[0] === null)) out.push(row)
    row = []
  }
  if (row.length > 0 && !(row.length === 1 && row[0] === null)) out.push(row)
  return out
}

export function parseCsv(text: string): Table {
  const rows = records(text)
  const header = rows[0]
  if (header === undefined) throw bad('No columns to parse from file')
  const names = header.map((h, i) => (h === null || h === '' ? `Unnamed: ${i}` : h))
  const count = rows.length - 1
  const columns: unknown[][] = names.map(() => new Array<unknown>(count))
  for (let r = 0; r < count; r++) {
    const row = rows[r + 1]!
    if (row.length !== names.length) {
      throw bad(`Error tokenizing data. Expected ${names.length} fields in line ${r + 2}, saw ${row.length}`)
    }
    for (let c = 0; c < row.length; c++) columns[c]![r] = row[c]
  }
  return { names, columns, rows: count }
}
