/**
 * Feature engineering for daily prices, shared by the pipeline's `features` step, the prediction
 * API (tomorrow's row) and monitoring (features of a later period against the training period).
 *
 * Every feature of day t is computed from days ≤ t only; the label of day t is whether day t+1
 * closed above day t. So the last day has features but no label: it is the row the API predicts
 * "tomorrow" from. A feature row exists once every window is full (50 days of warm-up).
 */
import type { PriceColumns, PriceRow } from './data.js'

export interface FeatureRow {
  date: string
  close: number
  /** In the order of `FeatureTable.names`. */
  values: number[]
  /** 1 when the next day closed higher (UP), 0 otherwise; null on the last day. */
  label: 0 | 1 | null
}

export interface FeatureTable {
  names: string[]
  rows: FeatureRow[]
}

const RETURN_HORIZONS = [1, 5, 10, 20]
const MA_WINDOWS = [5, 20, 50]
const VOL_WINDOWS = [10, 20]
const RSI_PERIOD = 14
const VOLUME_WINDOW = 20

/** The feature names for data with these columns (volume z-score and range need those columns). */
export function featureNames(columns: PriceColumns): string[] {
  return [
    ...RETURN_HORIZONS.map((h) => `ret_${h}d`),
    ...MA_WINDOWS.map((w) => `ma_ratio_${w}`),
    ...VOL_WINDOWS.map((w) => `volatility_${w}`),
    `rsi_${RSI_PERIOD}`,
    ...(columns.high && columns.low ? ['hl_range'] : []),
    ...(columns.volume ? [`volume_z_${VOLUME_WINDOW}`] : []),
  ]
}

function mean(v: ArrayLike<number>, from: number, to: number): number {
  let s = 0
  for (let i = from; i <= to; i++) s += v[i]!
  return s / (to - from + 1)
}

/** Sample standard deviation of v[from..to]. */
function std(v: ArrayLike<number>, from: number, to: number): number {
  const m = mean(v, from, to)
  let s = 0
  for (let i = from; i <= to; i++) s += (v[i]! - m) ** 2
  return Math.sqrt(s / (to - from))
}

/** Wilder's RSI: averages of gains and losses seeded by their simple mean, then smoothed. */
function rsiSeries(close: Float64Array, period: number): Float64Array {
  const out = new Float64Array(close.length).fill(Number.NaN)
  if (close.length <= period) return out
  let gain = 0
  let loss = 0
  for (let i = 1; i <= period; i++) {
    const d = close[i]! - close[i - 1]!
    if (d > 0) gain += d
    else loss -= d
  }
  gain /= period
  loss /= period
  const rsi = (): number => (loss === 0 ? 100 : 100 - 100 / (1 + gain / loss))
  out[period] = rsi()
  for (let i = period + 1; i < close.length; i++) {
    const d = close[i]! - close[i - 1]!
    gain = (gain * (period - 1) + Math.max(d, 0)) / period
    loss = (loss * (period - 1) + Math.max(-d, 0)) / period
    out[i] = rsi()
  }
  return out
}

/** Features of every day whose windows are full, with next-day labels. */
export function computeFeatures(prices: readonly PriceRow[], columns: PriceColumns): FeatureTable {
  const names = featureNames(columns)
  const n = prices.length
  const close = Float64Array.from(prices, (p) => p.close)
  const ret = new Float64Array(n).fill(Number.NaN)
  for (let t = 1; t < n; t++) ret[t] = close[t]! / close[t - 1]! - 1
  const rsi = rsiSeries(close, RSI_PERIOD)
  const volume = columns.volume ? Float64Array.from(prices, (p) => p.volume ?? Number.NaN) : null
  const warmUp = Math.max(...RETURN_HORIZONS, ...MA_WINDOWS.map((w) => w - 1), ...VOL_WINDOWS, RSI_PERIOD)
  const rows: FeatureRow[] = []
  for (let t = warmUp; t < n; t++) {
    const values: number[] = []
    for (const h of RETURN_HORIZONS) values.push(close[t]! / close[t - h]! - 1)
    for (const w of MA_WINDOWS) values.push(close[t]! / mean(close, t - w + 1, t) - 1)
    for (const w of VOL_WINDOWS) values.push(std(ret, t - w + 1, t))
    values.push(rsi[t]!)
    if (columns.high && columns.low) {
      const p = prices[t]!
      values.push((p.high! - p.low!) / p.close)
    }
    if (volume) {
      const sd = std(volume, t - VOLUME_WINDOW + 1, t)
      values.push(sd > 0 ? (volume[t]! - mean(volume, t - VOLUME_WINDOW + 1, t)) / sd : 0)
    }
    if (!values.every(Number.isFinite)) continue
    const label = t + 1 < n ? (close[t + 1]! > close[t]! ? 1 : 0) : null
    rows.push({ date: prices[t]!.date, close: close[t]!, values, label })
  }
  return { names, rows }
}

/** `date,close,label,<features…>`; the label is empty on the last day. Numbers round-trip exactly. */
export function featuresToCsv(table: FeatureTable): string {
  const lines = [['date', 'close', 'label', ...table.names].join(',')]
  for (const r of table.rows) {
    lines.push(
      [r.date, String(r.close), r.label === null ? '' : String(r.label), ...r.values.map(String)].join(','),
    )
  }
  return `${lines.join('\n')}\n`
}

export function featuresFromCsv(text: string): FeatureTable {
  const lines = text.split('\n').filter((l) => l !== '')
  const header = lines[0]?.split(',') ?? []
  if (header[0] !== 'date' || header[1] !== 'close' || header[2] !== 'label') {
    throw new Error(`Not a features file: the header is '${lines[0] ?? ''}', expected 'date,close,label,…'`)
  }
  const names = header.slice(3)
  const rows = lines.slice(1).map((line, i): FeatureRow => {
    const f = line.split(',')
    if (f.length !== header.length)
      throw new Error(`Features file line ${i + 2} has ${f.length} fields, expected ${header.length}`)
    const label = f[2] === '' ? null : f[2] === '1' ? 1 : 0
    return { date: f[0]!, close: Number(f[1]), values: f.slice(3).map(Number), label }
  })
  return { names, rows }
}

/** One row as named columns (what the model's signature asks for). */
export function rowRecord(table: FeatureTable, row: FeatureRow): Record<string, number> {
  return Object.fromEntries(table.names.map((n, i) => [n, row.values[i]!]))
}
