/**
 * One metric's history for several runs, drawn on a canvas from the server's downsampled
 * buckets (`/api/2.0/cairn/metrics/downsample`): each run's min–max as a band, so a spike is
 * never lost, and its last value per bucket as a line (optionally smoothed). Dragging across the
 * chart zooms into that x range and asks the server for finer buckets; double-click zooms out.
 */
import { useEffect, useRef, useState, type MouseEvent } from 'react'
import {
  METRIC_DOWNSAMPLE_API,
  type WireDownsampledSeries,
} from '../../../../src/protocol/metric-downsample.js'
import { call, errorMessage } from '../api/client.js'
import { formatNumber } from '../state/format.js'
import { prepare, themeColors, useCanvasSize } from './canvas.js'
import { extent, formatTick, linearScale, niceTicks, smooth } from './scale.js'

export interface ChartRun {
  id: string
  label: string
  color: string
}

export interface MetricChartProps {
  metricKey: string
  runs: ChartRun[]
  x: 'step' | 'time'
  smoothing: number
  height?: number
}

interface Series {
  run: ChartRun
  xMid: Float64Array
  min: Float64Array
  max: Float64Array
  lastX: Float64Array
  last: Float64Array
  count: number
}

const num = (v: number | string): number =>
  typeof v === 'number' ? v : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number.NaN

function toSeries(w: WireDownsampledSeries, run: ChartRun): Series {
  const n = w.x_start.length
  const s: Series = {
    run,
    xMid: new Float64Array(n),
    min: new Float64Array(n),
    max: new Float64Array(n),
    lastX: new Float64Array(n),
    last: new Float64Array(n),
    count: w.count,
  }
  for (let i = 0; i < n; i++) {
    s.xMid[i] = (w.x_start[i]! + w.x_end[i]!) / 2
    s.min[i] = num(w.min[i]!)
    s.max[i] = num(w.max[i]!)
    s.lastX[i] = w.last_x[i]!
    s.last[i] = num(w.last[i]!)
  }
  return s
}

const PAD = { left: 56, right: 12, top: 10, bottom: 26 }

export function MetricChart(props: MetricChartProps): React.JSX.Element {
  const { metricKey, runs, x, smoothing } = props
  const [canvasRef, size] = useCanvasSize()
  const [zoom, setZoom] = useState<[number, number] | null>(null)
  const [series, setSeries] = useState<Series[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [drag, setDrag] = useState<[number, number] | null>(null)
  const [hover, setHover] = useState<number | null>(null)
  const runKey = runs.map((r) => r.id).join(',')
  const buckets = Math.max(50, Math.min(2000, Math.round((size.width - PAD.left - PAD.right) / 2)))
  const started = useRef(0)
  const markedSeries = useRef<Series[] | null>(null)

  useEffect(() => setZoom(null), [x, runKey])

  useEffect(() => {
    if (size.width === 0 || runs.length === 0) return
    let live = true
    started.current = performance.now()
    call(METRIC_DOWNSAMPLE_API.downsampleMetric, {
      run_id: runs.map((r) => r.id),
      metric_key: metricKey,
      x,
      buckets,
      ...(zoom ? { start: Math.floor(zoom[0]), end: Math.ceil(zoom[1]) } : {}),
    }).then(
      (answer) => {
        if (!live) return
        const byId = new Map(runs.map((r) => [r.id, r]))
        setSeries(answer.series.map((w) => toSeries(w, byId.get(w.run_id)!)))
        setError(null)
      },
      (err: unknown) => live && setError(errorMessage(err)),
    )
    return () => {
      live = false
    }
    // runKey stands for runs; a new array of the same runs must not refetch.
  }, [metricKey, runKey, x, buckets, zoom, size.width === 0])

  const [x0, x1] = zoom ?? extent(series?.map((s) => s.lastX) ?? [], 0)
  const [y0, y1] = extent(series?.flatMap((s) => [s.min, s.max]) ?? [])
  const sx = linearScale(x0, x1, PAD.left, size.width - PAD.right)
  const sy = linearScale(y0, y1, size.height - PAD.bottom, PAD.top)

  useEffect(() => {
    const ctx = prepare(canvasRef.current, size)
    if (!ctx || !series) return
    const colors = themeColors()
    ctx.font = '11px system-ui, sans-serif'
    ctx.strokeStyle = colors.grid
    ctx.fillStyle = colors.muted
    ctx.lineWidth = 1
    ctx.textAlign = 'right'
    ctx.textBaseline = 'middle'
    for (const t of niceTicks(y0, y1, Math.max(2, Math.floor(size.height / 50)))) {
      const py = Math.round(sy(t)) + 0.5
      ctx.beginPath()
      ctx.moveTo(PAD.left, py)
      ctx.lineTo(size.width - PAD.right, py)
      ctx.stroke()
      ctx.fillText(formatTick(t, false), PAD.left - 6, py)
    }
    ctx.textAlign = 'center'
    ctx.textBaseline = 'top'
    for (const t of niceTicks(x0, x1, Math.max(2, Math.floor(size.width / 110)))) {
      ctx.fillText(formatTick(t, x === 'time'), sx(t), size.height - PAD.bottom + 6)
    }
    ctx.save()
    ctx.beginPath()
    ctx.rect(PAD.left, PAD.top, size.width - PAD.left - PAD.right, size.height - PAD.top - PAD.bottom)
    ctx.clip()
    for (const s of series) {
      const n = s.xMid.length
      // Band: max along the buckets, then min back.
      ctx.globalAlpha = 0.22
      ctx.fillStyle = s.run.color
      ctx.beginPath()
      let started = false
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(s.max[i]!)) continue
        const px = sx(s.xMid[i]!)
        const py = sy(s.max[i]!)
        if (started) ctx.lineTo(px, py)
        else {
          ctx.moveTo(px, py)
          started = true
        }
      }
      for (let i = n - 1; i >= 0; i--)
        if (Number.isFinite(s.min[i]!)) ctx.lineTo(sx(s.xMid[i]!), sy(s.min[i]!))
      ctx.closePath()
      ctx.fill()
      // Min–max segments too, so a one-bucket spike shows even where the band is one pixel wide.
      ctx.globalAlpha = 0.45
      ctx.strokeStyle = s.run.color
      ctx.beginPath()
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(s.max[i]!) || s.max[i] === s.min[i]) continue
        const px = Math.round(sx(s.xMid[i]!)) + 0.5
        ctx.moveTo(px, sy(s.min[i]!))
        ctx.lineTo(px, sy(s.max[i]!))
      }
      ctx.stroke()
      ctx.globalAlpha = 1
      ctx.lineWidth = 1.5
      ctx.beginPath()
      const line = smoothing > 0 ? smooth(s.last, smoothing) : s.last
      let pen = false
      for (let i = 0; i < n; i++) {
        const v = line[i]!
        if (!Number.isFinite(v)) {
          pen = false
          continue
        }
        const px = sx(s.lastX[i]!)
        const py = sy(v)
        if (pen) ctx.lineTo(px, py)
        else {
          ctx.moveTo(px, py)
          pen = true
        }
      }
      ctx.stroke()
      ctx.lineWidth = 1
      // Few buckets (a metric logged once or a deep zoom): dots, so a lone point is visible.
      if (n <= 40) {
        ctx.fillStyle = s.run.color
        for (let i = 0; i < n; i++) {
          if (!Number.isFinite(line[i]!)) continue
          ctx.beginPath()
          ctx.arc(sx(s.lastX[i]!), sy(line[i]!), 3, 0, Math.PI * 2)
          ctx.fill()
        }
      }
    }
    if (drag) {
      ctx.globalAlpha = 0.15
      ctx.fillStyle = colors.fg
      const a = Math.min(drag[0], drag[1])
      ctx.fillRect(a, PAD.top, Math.abs(drag[1] - drag[0]), size.height - PAD.top - PAD.bottom)
      ctx.globalAlpha = 1
    }
    if (hover !== null) {
      ctx.strokeStyle = colors.muted
      ctx.setLineDash([3, 3])
      ctx.beginPath()
      ctx.moveTo(hover + 0.5, PAD.top)
      ctx.lineTo(hover + 0.5, size.height - PAD.bottom)
      ctx.stroke()
      ctx.setLineDash([])
    }
    ctx.restore()
    // Marks the first draw of each answer (not hover redraws): the benchmark times fetch + draw.
    if (markedSeries.current !== series) {
      markedSeries.current = series
      performance.mark(`cairn:chart-drawn:${metricKey}`, {
        detail: { ms: performance.now() - started.current },
      })
    }
    canvasRef.current?.setAttribute('data-drawn', String(series.reduce((a, s) => a + s.count, 0)))
  }, [series, size, smoothing, drag, hover, x0, x1, y0, y1])

  const px = (e: MouseEvent<HTMLCanvasElement>): number =>
    e.clientX - e.currentTarget.getBoundingClientRect().left
  const hoverX =
    hover === null ? null : x0 + ((hover - PAD.left) / (size.width - PAD.left - PAD.right)) * (x1 - x0)
  const readout =
    hoverX === null || !series
      ? null
      : series.map((s) => {
          let best = -1
          let dist = Infinity
          for (let i = 0; i < s.lastX.length; i++) {
            const d = Math.abs(s.lastX[i]! - hoverX)
            if (d < dist) {
              dist = d
              best = i
            }
          }
          return { run: s.run, i: best, s }
        })

  const total = series?.reduce((a, s) => a + s.count, 0) ?? 0
  return (
    <figure className="chart" data-testid={`chart-${metricKey}`}>
      <figcaption>
        <strong>{metricKey}</strong>
        <span className="muted">
          {series
            ? ` ${total.toLocaleString()} points${zoom ? ' (zoomed; double-click to reset)' : ''}`
            : ' loading…'}
        </span>
      </figcaption>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="chart-body" style={{ height: props.height ?? 220 }}>
        <canvas
          ref={canvasRef}
          role="img"
          aria-label={`${metricKey} by ${x} for ${runs.length} runs: band is min to max per bucket, line is the last value`}
          style={{ width: '100%', height: '100%' }}
          onMouseDown={(e) => setDrag([px(e), px(e)])}
          onMouseMove={(e) => {
            const p = px(e)
            setHover(p)
            if (drag) setDrag([drag[0], p])
          }}
          onMouseLeave={() => {
            setHover(null)
            setDrag(null)
          }}
          onMouseUp={() => {
            if (drag && Math.abs(drag[1] - drag[0]) > 4) {
              const a =
                sx.domain[0] +
                ((Math.min(...drag) - PAD.left) / (size.width - PAD.left - PAD.right)) * (x1 - x0)
              const b =
                sx.domain[0] +
                ((Math.max(...drag) - PAD.left) / (size.width - PAD.left - PAD.right)) * (x1 - x0)
              if (b - a >= 1) setZoom([a, b])
            }
            setDrag(null)
          }}
          onDoubleClick={() => setZoom(null)}
        />
        {readout && hover !== null && (
          <div className="chart-tip" style={{ left: Math.min(hover + 12, size.width - 180) }}>
            {readout.map(({ run, i, s }) =>
              i < 0 ? null : (
                <div key={run.id}>
                  <span className="swatch" style={{ background: run.color }} /> {run.label}:{' '}
                  {formatNumber(s.last[i])}
                  <span className="muted">
                    {' '}
                    ({x} {x === 'time' ? new Date(s.lastX[i]!).toLocaleTimeString() : s.lastX[i]}, min{' '}
                    {formatNumber(s.min[i])}, max {formatNumber(s.max[i])})
                  </span>
                </div>
              ),
            )}
          </div>
        )}
      </div>
    </figure>
  )
}
