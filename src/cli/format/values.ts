/** How values look in tables: numbers, times, durations, run ids. */

/** Six significant digits, no exponent for ordinary magnitudes, integers as they are. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity'
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v)
  const abs = Math.abs(v)
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e15)) return v.toExponential(4)
  return String(Number(v.toPrecision(6)))
}

const two = (n: number): string => String(n).padStart(2, '0')

/** Local time, to the second: 2024-05-01 13:02:03. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms <= 0) return '-'
  const d = new Date(ms)
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
}

/** 950ms, 12.3s, 4m05s, 2h03m, 3d04h. */
export function formatDuration(ms: number | null): string {
  if (ms === null || ms < 0) return '-'
  if (ms < 1000) return `${ms}ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${two(Math.floor(s % 60))}s`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h}h${two(m % 60)}m`
  return `${Math.floor(h / 24)}d${two(h % 24)}h`
}

export const shortId = (id: string): string => id.slice(0, 8)

/** JSON for --json: NaN and ±Infinity keep MLflow's string spellings instead of becoming null. */
export function jsonText(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (_k, v: unknown) => {
        if (typeof v !== 'number' || Number.isFinite(v)) return v
        return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'
      },
      2,
    ) + '\n'
  )
}
