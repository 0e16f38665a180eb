/**
 * The newest feature row of the data source, for "tomorrow": the day after the last one in the
 * data. The source is re-read when it changes (a file's modification time and size) or, for a
 * URL, every `refreshMs`; a source that turns bad keeps the last good row serving.
 */
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parsePriceCsv, readSource } from '../lib/data.js'
import { computeFeatures, rowRecord } from '../lib/features.js'

export interface LatestRow {
  /** The last day in the data; the prediction is for the next trading day. */
  date: string
  close: number
  features: Record<string, number>
}

export interface LatestFeaturesOptions {
  /** Relative paths are relative to this folder. */
  cwd?: string
  /** How long a URL's answer is used before it is fetched again (default 5 minutes). */
  refreshMs?: number
  now?: () => number
  onWarning?: (message: string) => void
}

export class LatestFeatures {
  private current: { row: LatestRow; stamp: string; at: number } | null = null
  private loading: Promise<LatestRow> | null = null
  private readonly isUrl: boolean
  private readonly now: () => number

  constructor(
    readonly location: string,
    private readonly opts: LatestFeaturesOptions = {},
  ) {
    this.isUrl = /^https?:\/\//i.test(location)
    this.now = opts.now ?? Date.now
  }

  private async stamp(): Promise<string | null> {
    if (this.isUrl) return null
    const path = this.location.startsWith('file:')
      ? fileURLToPath(this.location)
      : resolve(this.opts.cwd ?? process.cwd(), this.location)
    const s = await stat(path).catch(() => null)
    return s ? `${s.mtimeMs}:${s.size}` : 'missing'
  }

  private async fresh(): Promise<boolean> {
    if (!this.current) return false
    if (this.isUrl) return this.now() - this.current.at < (this.opts.refreshMs ?? 300_000)
    return (await this.stamp()) === this.current.stamp
  }

  /** The newest row; throws when the data has never been readable. */
  async latest(): Promise<LatestRow> {
    if (await this.fresh()) return this.current!.row
    this.loading ??= this.load().finally(() => {
      this.loading = null
    })
    return this.loading
  }

  private async load(): Promise<LatestRow> {
    const stamp = (await this.stamp()) ?? ''
    try {
      const from = await readSource(this.location, this.opts.cwd)
      const table = parsePriceCsv(from.text, { source: from.uri })
      const ft = computeFeatures(table.rows, table.columns)
      const last = ft.rows.at(-1)
      if (!last) throw new Error(`${from.uri} has too few days for features (${table.rows.length} rows)`)
      const row = { date: last.date, close: last.close, features: rowRecord(ft, last) }
      this.current = { row, stamp, at: this.now() }
      return row
    } catch (err) {
      if (!this.current) throw err
      this.opts.onWarning?.(
        `reading ${this.location} failed, still answering from ${this.current.row.date}: ${(err as Error).message}`,
      )
      this.current = { ...this.current, stamp, at: this.now() }
      return this.current.row
    }
  }
}
