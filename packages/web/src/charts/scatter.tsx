/** Scatter of two columns across runs, on a canvas (thousands of points draw in a frame). */
import { useEffect, useMemo, useState, type MouseEvent } from 'react'
import { columnLabel, numericValue, type RunRow } from '../state/columns.js'
import { formatNumber } from '../state/format.js'
import { prepare, themeColors, useCanvasSize } from './canvas.js'
import { extent, formatTick, linearScale, niceTicks } from './scale.js'

const PAD = { left: 60, right: 16, top: 12, bottom: 36 }

export function Scatter(props: {
  rows: RunRow[]
  x: string
  y: string
  selected: ReadonlySet<string>
  onOpen: (id: string) => void
}): React.JSX.Element {
  const [ref, size] = useCanvasSize()
  const [hover, setHover] = useState<number | null>(null)
  const pts = useMemo(() => {
    const xs: number[] = []
    const ys: number[] = []
    const idx: number[] = []
    props.rows.forEach((r, i) => {
      const a = numericValue(r, props.x)
      const b = numericValue(r, props.y)
      if (Number.isFinite(a) && Number.isFinite(b)) {
        xs.push(a)
        ys.push(b)
        idx.push(i)
      }
    })
    return { xs, ys, idx }
  }, [props.rows, props.x, props.y])
  const sx = linearScale(...extent([pts.xs]), PAD.left, size.width - PAD.right)
  const sy = linearScale(...extent([pts.ys]), size.height - PAD.bottom, PAD.top)

  useEffect(() => {
    const ctx = prepare(ref.current, size)
    if (!ctx) return
    const c = themeColors()
    ctx.font = '11px system-ui, sans-serif'
    ctx.fillStyle = c.muted
    ctx.strokeStyle = c.grid
    ctx.textAlign = 'right'
    ctx.textBaseline = 'middle'
    for (const t of niceTicks(...sy.domain, 6)) {
      ctx.beginPath()
      ctx.moveTo(PAD.left, sy(t))
      ctx.lineTo(size.width - PAD.right, sy(t))
      ctx.stroke()
      ctx.fillText(formatTick(t, false), PAD.left - 6, sy(t))
    }
    ctx.textAlign = 'center'
    ctx.textBaseline = 'top'
    for (const t of niceTicks(...sx.domain, 8))
      ctx.fillText(formatTick(t, false), sx(t), size.height - PAD.bottom + 6)
    ctx.fillText(columnLabel(props.x), (PAD.left + size.width) / 2, size.height - 14)
    for (let i = 0; i < pts.xs.length; i++) {
      const sel = props.selected.has(props.rows[pts.idx[i]!]!.id)
      ctx.fillStyle = sel ? '#e15759' : '#4e79a7'
      ctx.globalAlpha = sel ? 1 : 0.6
      ctx.beginPath()
      ctx.arc(sx(pts.xs[i]!), sy(pts.ys[i]!), sel ? 4 : 2.5, 0, Math.PI * 2)
      ctx.fill()
    }
    ctx.globalAlpha = 1
    if (hover !== null) {
      ctx.strokeStyle = c.fg
      ctx.beginPath()
      ctx.arc(sx(pts.xs[hover]!), sy(pts.ys[hover]!), 6, 0, Math.PI * 2)
      ctx.stroke()
    }
  }, [pts, size, hover, props.selected])

  const nearest = (e: MouseEvent<HTMLCanvasElement>): number | null => {
    const r = e.currentTarget.getBoundingClientRect()
    const mx = e.clientX - r.left
    const my = e.clientY - r.top
    let best: number | null = null
    let d = 64
    for (let i = 0; i < pts.xs.length; i++) {
      const dd = (sx(pts.xs[i]!) - mx) ** 2 + (sy(pts.ys[i]!) - my) ** 2
      if (dd < d) {
        d = dd
        best = i
      }
    }
    return best
  }
  const hovered = hover === null ? null : props.rows[pts.idx[hover]!]
  return (
    <figure className="chart">
      <figcaption>
        <strong>{columnLabel(props.y)}</strong> against <strong>{columnLabel(props.x)}</strong>
        <span className="muted"> {pts.xs.length.toLocaleString()} runs with both</span>
      </figcaption>
      <div className="chart-body" style={{ height: 380 }}>
        <canvas
          ref={ref}
          role="img"
          aria-label={`Scatter of ${props.y} against ${props.x} for ${pts.xs.length} runs`}
          style={{ width: '100%', height: '100%', cursor: hover === null ? 'default' : 'pointer' }}
          onMouseMove={(e) => setHover(nearest(e))}
          onMouseLeave={() => setHover(null)}
          onClick={() => hovered && props.onOpen(hovered.id)}
        />
        {hovered && hover !== null && (
          <div
            className="chart-tip"
            style={{ left: Math.min(sx(pts.xs[hover]!) + 10, size.width - 200), top: sy(pts.ys[hover]!) }}
          >
            {hovered.name}: {formatNumber(pts.xs[hover])}, {formatNumber(pts.ys[hover])}
          </div>
        )}
      </div>
    </figure>
  )
}
