/**
 * Parallel coordinates: one vertical axis per column (params, then the metric last), one line
 * per run, colored by the last axis. Text params become categorical axes.
 */
import { useEffect, useMemo } from 'react'
import { cellValue, columnLabel, type RunRow } from '../state/columns.js'
import { formatNumber } from '../state/format.js'
import { prepare, themeColors, useCanvasSize } from './canvas.js'
import { extent, linearScale } from './scale.js'

const PAD = { left: 40, right: 60, top: 30, bottom: 20 }

interface Axis {
  id: string
  /** Position in [0, 1] of a run's value, or null when it has none. */
  pos: (r: RunRow) => number | null
  labels: [string, string]
}

function axisFor(rows: RunRow[], id: string): Axis {
  const nums = rows
    .map((r) => cellValue(r, id))
    .map((v) => (typeof v === 'number' ? v : v === undefined ? Number.NaN : Number(v)))
  const numeric =
    nums.filter((v) => !Number.isNaN(v)).length >=
    rows.filter((r) => cellValue(r, id) !== undefined).length * 0.9
  if (numeric) {
    const [lo, hi] = extent([nums], 0)
    return {
      id,
      pos: (r) => {
        const v = Number(cellValue(r, id))
        return Number.isFinite(v) ? (v - lo) / (hi - lo || 1) : null
      },
      labels: [formatNumber(lo), formatNumber(hi)],
    }
  }
  const cats = [
    ...new Set(
      rows
        .map((r) => cellValue(r, id))
        .filter((v) => v !== undefined)
        .map(String),
    ),
  ].sort()
  const index = new Map(cats.map((c, i) => [c, i]))
  return {
    id,
    pos: (r) => {
      const v = cellValue(r, id)
      return v === undefined ? null : (index.get(String(v))! + 0.5) / cats.length
    },
    labels: [cats[0] ?? '', cats[cats.length - 1] ?? ''],
  }
}

export function ParallelCoordinates(props: { rows: RunRow[]; columns: string[] }): React.JSX.Element {
  const [ref, size] = useCanvasSize()
  const axes = useMemo(() => props.columns.map((c) => axisFor(props.rows, c)), [props.rows, props.columns])
  useEffect(() => {
    const ctx = prepare(ref.current, size)
    if (!ctx || axes.length < 2) return
    const c = themeColors()
    const ax = linearScale(0, axes.length - 1, PAD.left, size.width - PAD.right)
    const ay = linearScale(0, 1, size.height - PAD.bottom, PAD.top)
    const color = axes[axes.length - 1]!
    ctx.lineWidth = 1
    for (const r of props.rows) {
      const t = color.pos(r)
      if (t === null) continue
      ctx.strokeStyle = `hsl(${220 - 200 * t}, 70%, 50%)`
      ctx.globalAlpha = 0.35
      ctx.beginPath()
      let pen = false
      axes.forEach((a, i) => {
        const p = a.pos(r)
        if (p === null) return void (pen = false)
        if (pen) ctx.lineTo(ax(i), ay(p))
        else {
          ctx.moveTo(ax(i), ay(p))
          pen = true
        }
      })
      ctx.stroke()
    }
    ctx.globalAlpha = 1
    ctx.strokeStyle = c.fg
    ctx.fillStyle = c.fg
    ctx.font = '11px system-ui, sans-serif'
    ctx.textAlign = 'center'
    axes.forEach((a, i) => {
      ctx.beginPath()
      ctx.moveTo(ax(i), ay(0))
      ctx.lineTo(ax(i), ay(1))
      ctx.stroke()
      ctx.fillText(columnLabel(a.id), ax(i), PAD.top - 16)
      ctx.fillStyle = c.muted
      ctx.fillText(a.labels[1], ax(i), PAD.top - 4)
      ctx.fillText(a.labels[0], ax(i), size.height - 6)
      ctx.fillStyle = c.fg
    })
  }, [axes, size, props.rows])
  return (
    <figure className="chart">
      <figcaption>
        Parallel coordinates of {props.rows.length.toLocaleString()} runs, colored by{' '}
        {columnLabel(props.columns[props.columns.length - 1] ?? '')}
      </figcaption>
      <div className="chart-body" style={{ height: 380 }}>
        <canvas
          ref={ref}
          role="img"
          aria-label={`Parallel coordinates of ${props.columns.join(', ')}`}
          style={{ width: '100%', height: '100%' }}
        />
      </div>
    </figure>
  )
}
