/** Reference and current distributions of one column, side by side per bin or category (shares). */
import type { ReportHistogram } from '../../../../src/monitoring/report/report-types.js'
import { histogramBars } from '../state/monitoring.js'

const W = 220
const H = 64

export function DriftHistogram(props: { histogram: ReportHistogram; column: string }): React.JSX.Element {
  const bars = histogramBars(props.histogram).slice(0, 40)
  const top = Math.max(1e-12, ...bars.map((b) => Math.max(b.reference, b.current)))
  const slot = W / Math.max(1, bars.length)
  const bw = Math.max(1, slot / 2 - 0.5)
  const y = (v: number): number => H - (v / top) * (H - 2)
  return (
    <svg
      className="drift-hist"
      viewBox={`0 0 ${W} ${H}`}
      width={W}
      height={H}
      role="img"
      aria-label={`${props.column}: reference and current distributions`}
    >
      {bars.map((b, i) => (
        <g key={i}>
          <title>{`${b.label}: reference ${(b.reference * 100).toFixed(1)} %, current ${(b.current * 100).toFixed(1)} %`}</title>
          <rect className="ref" x={i * slot} y={y(b.reference)} width={bw} height={H - y(b.reference)} />
          <rect className="cur" x={i * slot + bw} y={y(b.current)} width={bw} height={H - y(b.current)} />
        </g>
      ))}
    </svg>
  )
}

/** A line of one measure across monitor runs, with the threshold when there is one. */
export function Sparkline(props: {
  points: { time: number; value: number }[]
  label: string
  threshold?: number
}): React.JSX.Element {
  const { points } = props
  const w = 320
  const h = 60
  if (points.length === 0) return <p className="muted">No runs yet.</p>
  const values = points.map((p) => p.value)
  const lo = Math.min(0, ...values, props.threshold ?? Infinity)
  const hi = Math.max(1e-12, ...values, props.threshold ?? -Infinity)
  const x = (i: number): number => (points.length === 1 ? w / 2 : (i / (points.length - 1)) * (w - 8) + 4)
  const y = (v: number): number => h - 4 - ((v - lo) / (hi - lo || 1)) * (h - 8)
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join('')
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${w} ${h}`}
      width={w}
      height={h}
      role="img"
      aria-label={props.label}
    >
      {props.threshold !== undefined && (
        <line className="threshold" x1={0} x2={w} y1={y(props.threshold)} y2={y(props.threshold)} />
      )}
      <path d={d} />
      {points.map((p, i) => (
        <circle key={i} cx={x(i)} cy={y(p.value)} r={2.5}>
          <title>{`${new Date(p.time).toISOString()}: ${p.value}`}</title>
        </circle>
      ))}
    </svg>
  )
}
