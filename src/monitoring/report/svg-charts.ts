/**
 * Inline SVG charts for the HTML report: reference-vs-current histograms and a line chart of
 * sliding-window quality. No scripts, fonts or images from anywhere: the file opens offline.
 */
import type { QualityWindowReport, ReportHistogram } from './report-types.js'

export const REFERENCE_COLOR = '#4c78a8'
export const CURRENT_COLOR = '#f58518'

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** A short label for a number: 3 significant digits, k/M suffixes for large ones. */
export function shortNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`
  if (a !== 0 && a < 1e-3) return v.toExponential(1)
  return String(Number(v.toPrecision(3)))
}

function shares(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0)
  return counts.map((c) => (total > 0 ? c / total : 0))
}

/** Most categories drawn; the rest are summed into one "other" bar. */
const MAX_CATEGORIES = 20

function foldCategories(h: Extract<ReportHistogram, { kind: 'categorical' }>): {
  labels: string[]
  ref: number[]
  cur: number[]
} {
  const order = h.categories
    .map((c, i) => ({ c, i, n: (h.reference[i] ?? 0) + (h.current[i] ?? 0) }))
    .sort((a, b) => b.n - a.n)
  const kept = order.slice(0, MAX_CATEGORIES)
  const rest = order.slice(MAX_CATEGORIES)
  const labels = kept.map((k) => k.c)
  const ref = kept.map((k) => h.reference[k.i] ?? 0)
  const cur = kept.map((k) => h.current[k.i] ?? 0)
  if (rest.length > 0) {
    labels.push(`other (${rest.length})`)
    ref.push(rest.reduce((a, k) => a + (h.reference[k.i] ?? 0), 0))
    cur.push(rest.reduce((a, k) => a + (h.current[k.i] ?? 0), 0))
  }
  return { labels, ref, cur }
}

/** Side-by-side bars of reference and current shares per bin or category. */
export function histogramSvg(h: ReportHistogram, opts: { width?: number; height?: number } = {}): string {
  const width = opts.width ?? 420
  const height = opts.height ?? 170
  const pad = { l: 36, r: 8, t: 8, b: 34 }
  let labels: string[]
  let refCounts: number[]
  let curCounts: number[]
  if (h.kind === 'numeric') {
    labels = h.edges.slice(0, -1).map((e) => shortNumber(e))
    refCounts = h.reference
    curCounts = h.current
  } else {
    const f = foldCategories(h)
    labels = f.labels
    refCounts = f.ref
    curCounts = f.cur
  }
  const ref = shares(refCounts)
  const cur = shares(curCounts)
  const n = Math.max(ref.length, cur.length, 1)
  const top = Math.max(...ref, ...cur, 1e-9)
  const plotW = width - pad.l - pad.r
  const plotH = height - pad.t - pad.b
  const slot = plotW / n
  const bar = Math.max(1, (slot * 0.8) / 2)
  const y = (v: number): number => pad.t + plotH - (v / top) * plotH
  const parts: string[] = []
  parts.push(
    `<line x1="${pad.l}" y1="${pad.t + plotH}" x2="${width - pad.r}" y2="${pad.t + plotH}" stroke="#999"/>`,
    `<text x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end" class="ax">${(top * 100).toFixed(0)}%</text>`,
    `<text x="${pad.l - 4}" y="${pad.t + plotH}" text-anchor="end" class="ax">0</text>`,
  )
  for (let i = 0; i < n; i++) {
    const x0 = pad.l + i * slot + slot * 0.1
    const r = ref[i] ?? 0
    const c = cur[i] ?? 0
    const label = escapeHtml(labels[i] ?? '')
    const range =
      h.kind === 'numeric'
        ? `[${shortNumber(h.edges[i] ?? NaN)}, ${shortNumber(h.edges[i + 1] ?? NaN)}${i === n - 1 ? ']' : ')'}`
        : label
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${y(r).toFixed(1)}" width="${bar.toFixed(1)}" height="${(pad.t + plotH - y(r)).toFixed(1)}" fill="${REFERENCE_COLOR}"><title>${escapeHtml(range)} reference ${(r * 100).toFixed(1)}% (${refCounts[i] ?? 0})</title></rect>`,
      `<rect x="${(x0 + bar).toFixed(1)}" y="${y(c).toFixed(1)}" width="${bar.toFixed(1)}" height="${(pad.t + plotH - y(c)).toFixed(1)}" fill="${CURRENT_COLOR}"><title>${escapeHtml(range)} current ${(c * 100).toFixed(1)}% (${curCounts[i] ?? 0})</title></rect>`,
    )
  }
  // Axis labels: every bin when few, else about eight.
  const every = Math.max(1, Math.ceil(n / 8))
  for (let i = 0; i < n; i += every) {
    const x = pad.l + i * slot + slot / 2
    const text = escapeHtml((labels[i] ?? '').slice(0, 12))
    parts.push(
      `<text x="${x.toFixed(1)}" y="${height - pad.b + 14}" text-anchor="middle" class="ax">${text}</text>`,
    )
  }
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">${parts.join('')}</svg>`
}

const SERIES_COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2']

/** One line per metric over the sliding windows (x: window end). */
export function seriesSvg(series: QualityWindowReport[], metrics: string[]): string {
  const width = 640
  const height = 200
  const pad = { l: 44, r: 120, t: 10, b: 30 }
  const xs = series.map((w) => Date.parse(w.end))
  const values = metrics.flatMap((m) =>
    series.map((w) => w.values[m]).filter((v): v is number => typeof v === 'number'),
  )
  if (series.length === 0 || values.length === 0) return '<p class="muted">No window had ground truth.</p>'
  const x0 = Math.min(...xs)
  const x1 = Math.max(...xs)
  let lo = Math.min(...values)
  let hi = Math.max(...values)
  if (hi - lo < 1e-9) {
    lo -= 0.5
    hi += 0.5
  }
  const plotW = width - pad.l - pad.r
  const plotH = height - pad.t - pad.b
  const X = (t: number): number => pad.l + (x1 === x0 ? plotW / 2 : ((t - x0) / (x1 - x0)) * plotW)
  const Y = (v: number): number => pad.t + plotH - ((v - lo) / (hi - lo)) * plotH
  const parts: string[] = [
    `<line x1="${pad.l}" y1="${pad.t + plotH}" x2="${pad.l + plotW}" y2="${pad.t + plotH}" stroke="#999"/>`,
    `<text x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end" class="ax">${shortNumber(hi)}</text>`,
    `<text x="${pad.l - 4}" y="${pad.t + plotH}" text-anchor="end" class="ax">${shortNumber(lo)}</text>`,
    `<text x="${pad.l}" y="${height - 8}" class="ax">${escapeHtml(new Date(x0).toISOString().slice(0, 16))}</text>`,
    `<text x="${pad.l + plotW}" y="${height - 8}" text-anchor="end" class="ax">${escapeHtml(new Date(x1).toISOString().slice(0, 16))}</text>`,
  ]
  metrics.forEach((m, k) => {
    const color = SERIES_COLORS[k % SERIES_COLORS.length]!
    const pts = series
      .map((w, i) => ({ t: xs[i]!, v: w.values[m] }))
      .filter((p): p is { t: number; v: number } => typeof p.v === 'number')
    if (pts.length === 0) return
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${X(p.t).toFixed(1)},${Y(p.v).toFixed(1)}`).join('')
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`)
    for (const p of pts)
      parts.push(
        `<circle cx="${X(p.t).toFixed(1)}" cy="${Y(p.v).toFixed(1)}" r="2.5" fill="${color}"><title>${escapeHtml(m)} ${shortNumber(p.v)} at ${new Date(p.t).toISOString()}</title></circle>`,
      )
    parts.push(
      `<rect x="${width - pad.r + 10}" y="${pad.t + k * 18}" width="10" height="10" fill="${color}"/>`,
      `<text x="${width - pad.r + 26}" y="${pad.t + k * 18 + 9}" class="ax">${escapeHtml(m)}</text>`,
    )
  })
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">${parts.join('')}</svg>`
}
