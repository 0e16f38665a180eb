/**
 * The runs table's data: pages of runs/search fetched as the person scrolls, never the whole
 * experiment. Cairn's (and MLflow's) page tokens are offsets, so any page can be fetched
 * directly. The total is found by probing offsets with one-run pages (doubling, then bisecting)
 * in the background, so the scrollbar has its true size without loading every run.
 */
import { TRACKING_API } from '../../../../src/protocol/tracking-api.js'
import { call, pageTokenAt } from '../api/client.js'
import { discoverColumns, orderByClause, toRow, type RunRow } from './columns.js'

export interface RunQuery {
  experimentIds: string[]
  filter: string
  sort: { column: string; ascending: boolean } | null
  deleted: boolean
}

export const PAGE_SIZE = 200

export class RunPages {
  readonly pages = new Map<number, RunRow[]>()
  private readonly pending = new Map<number, Promise<void>>()
  /** Exact once known; until then `known` is a lower bound. */
  total: number | null = null
  known = 0
  error: string | null = null
  readonly keys = { metrics: new Set<string>(), params: new Set<string>(), tags: new Set<string>() }
  private closed = false
  /** When the first page arrived (performance.now()), for the benchmark. */
  firstPageAt: number | null = null

  constructor(
    readonly query: RunQuery,
    private readonly onChange: () => void,
  ) {}

  close(): void {
    this.closed = true
  }

  private request(offset: number, size: number) {
    return call(TRACKING_API.searchRuns, {
      experiment_ids: this.query.experimentIds,
      filter: this.query.filter,
      order_by: orderByClause(this.query.sort),
      max_results: size,
      page_token: pageTokenAt(offset),
      run_view_type: this.query.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
    })
  }

  row(index: number): RunRow | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE]
  }

  /** Fetches the page holding `index` unless it is here or on its way. */
  ensure(page: number): Promise<void> {
    if (this.pages.has(page) || page < 0) return Promise.resolve()
    let p = this.pending.get(page)
    if (!p) {
      p = this.load(page).finally(() => this.pending.delete(page))
      this.pending.set(page, p)
    }
    return p
  }

  private async load(page: number): Promise<void> {
    try {
      const answer = await this.request(page * PAGE_SIZE, PAGE_SIZE)
      if (this.closed) return
      const rows = (answer.runs ?? []).map(toRow)
      this.pages.set(page, rows)
      discoverColumns(rows, this.keys)
      this.known = Math.max(this.known, page * PAGE_SIZE + rows.length)
      if (!answer.next_page_token) this.total = page * PAGE_SIZE + rows.length
      if (page === 0) {
        this.firstPageAt = performance.now()
        if (this.total === null) void this.findTotal()
      }
      this.error = null
    } catch (err) {
      if (this.closed) return
      this.error = err instanceof Error ? err.message : String(err)
      if (page === 0) this.total = 0
    }
    this.onChange()
  }

  private async exists(offset: number): Promise<boolean> {
    const answer = await this.request(offset, 1)
    return (answer.runs?.length ?? 0) > 0
  }

  /** Doubling then bisecting on one-run pages: about 2·log2(n) small requests. */
  private async findTotal(): Promise<void> {
    let lo = this.known // a run exists at lo - 1
    let hi = Math.max(lo * 2, 1000)
    try {
      while (await this.exists(hi - 1)) {
        if (this.closed) return
        lo = hi
        this.known = Math.max(this.known, lo)
        this.onChange()
        hi *= 4
      }
      while (hi - lo > 1) {
        if (this.closed || this.total !== null) return
        const mid = Math.floor((lo + hi) / 2)
        if (await this.exists(mid - 1)) lo = mid
        else hi = mid
      }
      if (this.closed) return
      if (this.total === null) this.total = lo
      this.onChange()
    } catch {
      // The count stays a lower bound; scrolling still loads pages.
    }
  }

  /** Rows to size the table by: the total, or what is known plus one page while counting. */
  get rowCount(): number {
    return this.total ?? this.known + (this.known > 0 ? PAGE_SIZE : 0)
  }
}
