/**
 * Aligned text tables. Widths are measured without color codes; on a TTY, long cells are cut
 * with an ellipsis so a row stays on one line, while pipes and files get every character.
 */
import { PLAIN, visibleWidth, type Style } from './style.js'

export interface Column {
  header: string
  align?: 'left' | 'right'
}

/** A cell: plain text, or text with a style applied after padding. */
export type Cell = string | { text: string; paint?: (s: string) => string }

/** A row of cells, or a section title spanning the table. */
export type Row = Cell[] | { section: string }

export interface TableOptions {
  style?: Style
  /** Longest cell, in characters; longer ones end in '…'. Default: no limit. */
  maxCellWidth?: number
  /** Column separator. */
  gap?: string
}

const textOf = (c: Cell | undefined): string => (c === undefined ? '' : typeof c === 'string' ? c : c.text)

function truncate(s: string, max: number | undefined): string {
  if (max === undefined || visibleWidth(s) <= max) return s
  return [...s].slice(0, Math.max(1, max - 1)).join('') + '…'
}

function pad(s: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(s)))
  return align === 'right' ? fill + s : s + fill
}

export function renderTable(columns: Column[], rows: Row[], opts: TableOptions = {}): string {
  const style = opts.style ?? PLAIN
  const gap = opts.gap ?? '  '
  const data = rows.filter((r): r is Cell[] => Array.isArray(r))
  const widths = columns.map((col, i) =>
    Math.max(
      visibleWidth(col.header),
      ...data.map((r) => visibleWidth(truncate(textOf(r[i]), opts.maxCellWidth))),
    ),
  )
  const line = (cells: string[]): string => cells.join(gap).trimEnd()
  const out: string[] = []
  out.push(
    line(columns.map((col, i) => style.bold(pad(col.header, widths[i]!, col.align ?? 'left')))),
    line(widths.map((w) => '-'.repeat(w))),
  )
  for (const row of rows) {
    if (!Array.isArray(row)) {
      out.push('', style.bold(row.section))
      continue
    }
    out.push(
      line(
        columns.map((col, i) => {
          const cell = row[i]
          const padded = pad(truncate(textOf(cell), opts.maxCellWidth), widths[i]!, col.align ?? 'left')
          return typeof cell === 'object' && cell.paint ? cell.paint(padded) : padded
        }),
      ),
    )
  }
  return out.join('\n') + '\n'
}
