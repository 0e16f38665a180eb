/** A pipeline run's DAG as SVG: one box per step (status color, fan-out progress, cache hits), edges from dependencies. */
import type { DagNode } from '../state/dag.js'

const W = 170
const H = 52
const GAP_X = 60
const GAP_Y = 18

export function PipelineDag(props: {
  nodes: DagNode[]
  selected: string | null
  onSelect: (step: string) => void
}): React.JSX.Element {
  const { nodes } = props
  const at = new Map(
    nodes.map((n) => [n.name, { x: 10 + n.layer * (W + GAP_X), y: 10 + n.row * (H + GAP_Y) }]),
  )
  const width = 20 + (Math.max(0, ...nodes.map((n) => n.layer)) + 1) * (W + GAP_X) - GAP_X
  const height = 20 + (Math.max(0, ...nodes.map((n) => n.row)) + 1) * (H + GAP_Y) - GAP_Y
  return (
    <div className="dag-scroll">
      <svg
        width={width}
        height={height}
        role="group"
        aria-label="Pipeline steps and their dependencies"
        className="dag"
      >
        <defs>
          <marker
            id="dag-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" className="dag-arrowhead" />
          </marker>
        </defs>
        {nodes.flatMap((n) =>
          n.deps.map((d) => {
            const a = at.get(d)!
            const b = at.get(n.name)!
            const x1 = a.x + W
            const y1 = a.y + H / 2
            const x2 = b.x
            const y2 = b.y + H / 2
            return (
              <path
                key={`${d}->${n.name}`}
                className="dag-edge"
                d={`M ${x1} ${y1} C ${x1 + GAP_X / 2} ${y1}, ${x2 - GAP_X / 2} ${y2}, ${x2 - 2} ${y2}`}
                markerEnd="url(#dag-arrow)"
              />
            )
          }),
        )}
        {nodes.map((n) => {
          const p = at.get(n.name)!
          const progress = n.total > 1 ? `${n.done}/${n.total}` : ''
          const cached = n.cached > 0 ? (n.cached === n.total ? 'cached' : `${n.cached} cached`) : ''
          return (
            <g
              key={n.name}
              transform={`translate(${p.x}, ${p.y})`}
              className={`dag-node status-${n.status}${props.selected === n.name ? ' selected' : ''}`}
              role="button"
              tabIndex={0}
              aria-label={`Step ${n.name}: ${n.status}${progress ? `, ${progress} items` : ''}${cached ? `, ${cached}` : ''}`}
              aria-pressed={props.selected === n.name}
              onClick={() => props.onSelect(n.name)}
              onKeyDown={(e) =>
                (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), props.onSelect(n.name))
              }
              data-testid={`dag-${n.name}`}
              data-status={n.status}
            >
              <rect width={W} height={H} rx={8} />
              <text x={12} y={21} className="dag-name">
                {n.onExit ? '⏻ ' : ''}
                {n.name.length > 20 ? `${n.name.slice(0, 19)}…` : n.name}
              </text>
              <text x={12} y={40} className="dag-meta">
                {n.status}
                {progress && ` · ${progress}`}
                {cached && ` · ${cached}`}
              </text>
            </g>
          )
        })}
      </svg>
    </div>
  )
}
