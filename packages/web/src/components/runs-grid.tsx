/**
 * The runs table: a grid virtualized in both directions. Only the rows and columns in view (plus
 * a small margin) are in the DOM, so 100,000 runs × 1,000 columns cost the same as 40 × 15.
 * The selection box and run name stay pinned on the left; the header stays on top. Keyboard:
 * arrows, Page Up/Down, Home/End move the active cell; Enter opens the run (or, on the header
 * row, sorts by the column); Space selects the run.
 */
import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react'
import { navigate } from '../router.js'
import { cellValue, columnLabel, splitColumn, type RunRow } from '../state/columns.js'
import { formatNumber, formatTime } from '../state/format.js'

export const ROW_HEIGHT = 30
const HEADER_HEIGHT = 34
const SELECT_WIDTH = 36
const NAME_WIDTH = 220
const OVERSCAN_ROWS = 8
const OVERSCAN_PX = 300
/** More than the rows that can be in view at once (a 4K-tall grid shows ~140). */
const ROW_SLOTS = 512

export interface GridProps {
  rowCount: number
  row: (index: number) => RunRow | undefined
  /** Scrollable columns (the run name is pinned separately). */
  columns: string[]
  widths: Map<string, number>
  sort: { column: string; ascending: boolean } | null
  onSort: (column: string) => void
  selected: ReadonlySet<string>
  onToggle: (runId: string) => void
  onVisible: (first: number, last: number) => void
  /** Bumped when rows arrive, so visible placeholders re-render. */
  version: number
}

export function columnWidth(id: string, widths: Map<string, number>): number {
  return widths.get(id) ?? (splitColumn(id).kind === 'attributes' ? 160 : 130)
}

function renderValue(row: RunRow, id: string): ReactNode {
  const v = cellValue(row, id)
  if (v === undefined) return ''
  if (id === 'attributes.start_time' || id === 'attributes.end_time') return formatTime(v as number)
  if (id === 'attributes.status')
    return <span className={`status status-${String(v).toLowerCase()}`}>{v}</span>
  return typeof v === 'number' ? formatNumber(v) : v
}

interface RowProps {
  index: number
  row: RunRow | undefined
  top: number
  cols: { id: string; left: number; width: number; index: number }[]
  selected: boolean
  active: number | null
  onToggle: (runId: string) => void
  totalWidth: number
}

const GridRow = memo(function GridRow({
  index,
  row,
  top,
  cols,
  selected,
  active,
  onToggle,
  totalWidth,
}: RowProps) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`grid-row${selected ? ' selected' : ''}${index % 2 ? ' odd' : ''}`}
      style={{ transform: `translateY(${top}px)`, width: totalWidth }}
    >
      <div
        role="gridcell"
        aria-colindex={1}
        className={`cell pin select${active === 0 ? ' active' : ''}`}
        id={active === 0 ? 'grid-active' : undefined}
        style={{ width: SELECT_WIDTH }}
      >
        {row && (
          <input
            type="checkbox"
            tabIndex={-1}
            aria-label={`Select run ${row.name || row.id}`}
            checked={selected}
            onChange={() => onToggle(row.id)}
          />
        )}
      </div>
      <div
        role="gridcell"
        aria-colindex={2}
        className={`cell pin name${active === 1 ? ' active' : ''}`}
        id={active === 1 ? 'grid-active' : undefined}
        style={{ left: SELECT_WIDTH, width: NAME_WIDTH }}
      >
        {row ? (
          <a
            href={`/runs/${row.id}`}
            tabIndex={-1}
            onClick={(e) => {
              e.preventDefault()
              navigate(`/runs/${row.id}`)
            }}
          >
            {row.name || row.id.slice(0, 8)}
          </a>
        ) : (
          <span className="placeholder" aria-hidden="true" />
        )}
      </div>
      {cols.map((c) => (
        <div
          key={c.id}
          role="gridcell"
          aria-colindex={c.index + 3}
          id={active === c.index + 2 ? 'grid-active' : undefined}
          className={`cell${splitColumn(c.id).kind === 'metrics' ? ' num' : ''}${active === c.index + 2 ? ' active' : ''}`}
          style={{ left: c.left, width: c.width }}
        >
          {row ? renderValue(row, c.id) : null}
        </div>
      ))}
    </div>
  )
})

export function RunsGrid(props: GridProps): React.JSX.Element {
  const { rowCount, columns, widths, onVisible } = props
  const scroller = useRef<HTMLDivElement>(null)
  const [view, setView] = useState({ top: 0, left: 0, height: 600, width: 1200 })
  const [active, setActive] = useState<{ row: number; col: number } | null>(null)
  const frame = useRef(0)

  const [offsets, totalWidth] = useMemo(() => {
    const out: number[] = []
    let x = SELECT_WIDTH + NAME_WIDTH
    for (const id of columns) {
      out.push(x)
      x += columnWidth(id, widths)
    }
    return [out, x] as const
  }, [columns, widths])

  const onScroll = useCallback(() => {
    if (frame.current) return
    frame.current = requestAnimationFrame(() => {
      frame.current = 0
      const el = scroller.current
      if (!el) return
      setView({ top: el.scrollTop, left: el.scrollLeft, height: el.clientHeight, width: el.clientWidth })
    })
  }, [])

  useLayoutEffect(() => {
    const el = scroller.current
    if (!el) return
    const ro = new ResizeObserver(onScroll)
    ro.observe(el)
    onScroll()
    return () => ro.disconnect()
  }, [onScroll])
  useEffect(() => () => cancelAnimationFrame(frame.current), [])

  const bodyTop = Math.max(0, view.top)
  const first = Math.max(0, Math.floor(bodyTop / ROW_HEIGHT) - OVERSCAN_ROWS)
  const last = Math.min(rowCount - 1, Math.ceil((bodyTop + view.height) / ROW_HEIGHT) + OVERSCAN_ROWS)
  useEffect(() => onVisible(first, last), [first, last, onVisible])

  // Columns whose span meets the horizontal window (binary search over the offsets).
  const leftEdge = view.left - OVERSCAN_PX
  const rightEdge = view.left + view.width + OVERSCAN_PX
  let c0 = 0
  let hi = columns.length
  while (c0 < hi) {
    const mid = (c0 + hi) >> 1
    if (offsets[mid]! + columnWidth(columns[mid]!, widths) < leftEdge) c0 = mid + 1
    else hi = mid
  }
  let c1 = c0
  while (c1 < columns.length && offsets[c1]! < rightEdge) c1++
  // The same array while the same columns are in view, so rows that stay in view skip rendering.
  const visibleCols = useMemo(
    () =>
      columns
        .slice(c0, c1)
        .map((id, k) => ({ id, left: offsets[c0 + k]!, width: columnWidth(id, widths), index: c0 + k })),
    [c0, c1, columns, offsets, widths],
  )

  const scrollIntoView = (row: number, col: number): void => {
    const el = scroller.current
    if (!el) return
    const top = Math.max(0, row) * ROW_HEIGHT
    if (top < el.scrollTop) el.scrollTop = top
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight - HEADER_HEIGHT)
      el.scrollTop = top + ROW_HEIGHT - el.clientHeight + HEADER_HEIGHT
    if (col >= 2) {
      const left = offsets[col - 2]!
      const w = columnWidth(columns[col - 2]!, widths)
      const pinned = SELECT_WIDTH + NAME_WIDTH
      if (left - pinned < el.scrollLeft) el.scrollLeft = left - pinned
      else if (left + w > el.scrollLeft + el.clientWidth) el.scrollLeft = left + w - el.clientWidth
    }
  }

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (rowCount === 0) return
    const cur = active ?? { row: 0, col: 1 }
    const page = Math.max(1, Math.floor(view.height / ROW_HEIGHT) - 1)
    const maxCol = columns.length + 1
    let next = cur
    switch (e.key) {
      case 'ArrowDown':
        next = { ...cur, row: Math.min(rowCount - 1, cur.row + 1) }
        break
      case 'ArrowUp':
        // Row -1 is the header: Enter there sorts by the column.
        next = { ...cur, row: Math.max(-1, cur.row - 1) }
        break
      case 'ArrowRight':
        next = { ...cur, col: Math.min(maxCol, cur.col + 1) }
        break
      case 'ArrowLeft':
        next = { ...cur, col: Math.max(0, cur.col - 1) }
        break
      case 'PageDown':
        next = { ...cur, row: Math.min(rowCount - 1, cur.row + page) }
        break
      case 'PageUp':
        next = { ...cur, row: Math.max(0, cur.row - page) }
        break
      case 'Home':
        next = e.ctrlKey ? { row: 0, col: cur.col } : { ...cur, col: 0 }
        break
      case 'End':
        next = e.ctrlKey ? { row: rowCount - 1, col: cur.col } : { ...cur, col: maxCol }
        break
      case 'Enter': {
        if (cur.row === -1) {
          const column = cur.col === 1 ? 'attributes.run_name' : columns[cur.col - 2]
          if (column) props.onSort(column)
          break
        }
        const r = props.row(cur.row)
        if (r) navigate(`/runs/${r.id}`)
        break
      }
      case ' ': {
        const r = props.row(cur.row)
        if (r) props.onToggle(r.id)
        break
      }
      default:
        return
    }
    e.preventDefault()
    setActive(next)
    scrollIntoView(next.row, next.col)
  }

  const rows: ReactNode[] = []
  for (let i = first; i <= last; i++) {
    const row = props.row(i)
    rows.push(
      <GridRow
        // Keyed by slot, not by run: a row scrolled out hands its DOM to the row scrolled in,
        // so fast scrolling updates text instead of creating and removing elements.
        key={i % ROW_SLOTS}
        index={i}
        row={row}
        top={i * ROW_HEIGHT}
        cols={visibleCols}
        selected={row ? props.selected.has(row.id) : false}
        active={active && active.row === i ? active.col : null}
        onToggle={props.onToggle}
        totalWidth={totalWidth}
      />,
    )
  }

  const sortMark = (id: string): string =>
    props.sort?.column === id ? (props.sort.ascending ? ' ▲' : ' ▼') : ''
  const headerActive = (col: number): { id?: string; active: string } =>
    active?.row === -1 && active.col === col ? { id: 'grid-active', active: ' active' } : { active: '' }
  const ariaSort = (id: string): 'ascending' | 'descending' | 'none' =>
    props.sort?.column === id ? (props.sort.ascending ? 'ascending' : 'descending') : 'none'

  return (
    <div
      ref={scroller}
      className="grid-scroller"
      role="grid"
      aria-label="Runs"
      aria-rowcount={rowCount + 1}
      aria-colcount={columns.length + 2}
      aria-activedescendant={active ? 'grid-active' : undefined}
      tabIndex={0}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
      onFocus={() =>
        active === null && rowCount > 0 && setActive({ row: Math.floor(bodyTop / ROW_HEIGHT), col: 1 })
      }
      data-testid="runs-grid"
    >
      <div
        className="grid-header"
        role="row"
        aria-rowindex={1}
        style={{ width: totalWidth, height: HEADER_HEIGHT }}
      >
        <div
          role="columnheader"
          aria-colindex={1}
          className="cell pin select"
          style={{ width: SELECT_WIDTH }}
        >
          <span className="sr-only">Select</span>
        </div>
        <div
          role="columnheader"
          aria-colindex={2}
          aria-sort={ariaSort('attributes.run_name')}
          id={headerActive(1).id}
          className={`cell pin name sortable${headerActive(1).active}`}
          style={{ left: SELECT_WIDTH, width: NAME_WIDTH }}
          onClick={() => props.onSort('attributes.run_name')}
        >
          Run{sortMark('attributes.run_name')}
        </div>
        {visibleCols.map((c) => (
          <div
            key={c.id}
            role="columnheader"
            aria-colindex={c.index + 3}
            aria-sort={ariaSort(c.id)}
            title={`${c.id} — click (or Enter) to sort`}
            id={headerActive(c.index + 2).id}
            className={`cell sortable kind-${splitColumn(c.id).kind}${headerActive(c.index + 2).active}`}
            style={{ left: c.left, width: c.width }}
            onClick={() => props.onSort(c.id)}
          >
            <span className="kind-dot" aria-hidden="true" />
            {columnLabel(c.id)}
            {sortMark(c.id)}
          </div>
        ))}
      </div>
      <div className="grid-body" style={{ height: rowCount * ROW_HEIGHT, width: totalWidth }}>
        {rows}
      </div>
    </div>
  )
}
