/**
 * Runs of one or several experiments: the virtualized table, filter, sort, columns, grouping,
 * selection for compare, and the charts tabs. Everything a person sets is in the URL.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react'
import { TRACKING_API } from '../../../../src/protocol/tracking-api.js'
import type { WireExperiment } from '../../../../src/protocol/wire.js'
import { call } from '../api/client.js'
import { ColumnChooser } from '../components/column-chooser.js'
import { GroupTable } from '../components/group-table.js'
import { RunsGrid } from '../components/runs-grid.js'
import { SearchBox } from '../components/search-box.js'
import { Link, navigate, useLocation, useTitle, withQuery } from '../router.js'
import { ATTRIBUTE_COLUMNS, columnLabel, searchKey } from '../state/columns.js'
import { PAGE_SIZE, RunPages, type RunQuery } from '../state/run-pages.js'
import { parseRunsView, runsViewQuery, RUNS_TABS, type RunsView } from '../state/runs-view.js'
import { RunsCharts } from './runs-charts.js'

const TAB_LABELS = {
  table: 'Table',
  charts: 'Charts',
  scatter: 'Scatter',
  parallel: 'Parallel coordinates',
} as const

export function RunsPage(): React.JSX.Element {
  const loc = useLocation()
  const view = parseRunsView(loc.query)
  const update = (patch: Partial<RunsView>, replace = true): void =>
    navigate(withQuery('/runs', runsViewQuery({ ...view, ...patch })), { replace })

  const [experiments, setExperiments] = useState<WireExperiment[]>([])
  const idsKey = view.experimentIds.join(',')
  useEffect(() => {
    let live = true
    void Promise.all(
      view.experimentIds.map((id) =>
        call(TRACKING_API.getExperiment, { experiment_id: id }).then((a) => a.experiment),
      ),
    ).then(
      (list) => live && setExperiments(list),
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [idsKey])
  useTitle(experiments.map((e) => e.name).join(', ') || 'Runs')

  const query: RunQuery = useMemo(
    () => ({
      experimentIds: view.experimentIds,
      filter: view.filter,
      sort: view.sort,
      deleted: view.deleted,
    }),
    [idsKey, view.filter, view.sort?.column, view.sort?.ascending, view.deleted],
  )
  const [version, bump] = useReducer((n: number) => n + 1, 0)
  const pages = useMemo(() => new RunPages(query, bump), [query])
  useEffect(() => {
    void pages.ensure(0)
    return () => pages.close()
  }, [pages])
  // Sort timing for the benchmark: from the click to the first page of the new order drawn.
  const sortClick = useRef<number | null>(null)
  useEffect(() => {
    if (pages.firstPageAt !== null && sortClick.current !== null) {
      performance.measure('cairn:sort', { start: sortClick.current, end: pages.firstPageAt })
      sortClick.current = null
    }
  }, [version, pages])

  const onVisible = useCallback(
    (first: number, last: number) => {
      for (let p = Math.floor(first / PAGE_SIZE); p <= Math.floor(last / PAGE_SIZE); p++) void pages.ensure(p)
    },
    [pages],
  )

  const allColumns = useMemo(
    () => [
      ...ATTRIBUTE_COLUMNS.filter((c) => c !== 'attributes.run_name'),
      ...[...pages.keys.metrics].sort().map((k) => `metrics.${k}`),
      ...[...pages.keys.params].sort().map((k) => `params.${k}`),
      ...[...pages.keys.tags].sort().map((k) => `tags.${k}`),
    ],
    [pages, version],
  )
  const defaultColumns = useMemo(
    () => allColumns.filter((c) => !c.startsWith('tags.') && c !== 'attributes.end_time'),
    [allColumns],
  )
  const columns = view.columns ?? defaultColumns
  const selected = useMemo(() => new Set(view.selected), [view.selected.join(',')])
  const [chooser, setChooser] = useState(false)
  const widths = useMemo(() => new Map<string, number>(), [])

  const onSort = (column: string): void => {
    sortClick.current = performance.now()
    const asc =
      view.sort?.column === column ? !view.sort.ascending : column.startsWith('metrics.') ? false : true
    update({ sort: { column, ascending: asc } })
  }
  const onToggle = useCallback(
    (id: string) => {
      const next = selected.has(id) ? view.selected.filter((s) => s !== id) : [...view.selected, id]
      update({ selected: next })
    },
    [selected, loc.query.toString()],
  )

  const total = pages.total
  const metricKeys = [...pages.keys.metrics].sort()
  const groupable = allColumns.filter((c) => c.startsWith('params.') || c.startsWith('tags.'))

  return (
    <main className="page runs-page" aria-label="Runs">
      <div className="page-head">
        <h1>
          <Link to="/">Experiments</Link> /{' '}
          {experiments.map((e) => e.name).join(', ') || view.experimentIds.join(', ')}
        </h1>
        <div className="counts" aria-live="polite" data-testid="run-count">
          {total !== null
            ? `${total.toLocaleString()} runs`
            : pages.known
              ? `${pages.known.toLocaleString()}+ runs…`
              : 'Loading…'}
          {selected.size > 0 && ` · ${selected.size} selected`}
        </div>
      </div>
      <div className="toolbar">
        <SearchBox
          value={view.filter}
          keys={allColumns}
          serverError={pages.error}
          onSubmit={(filter) => update({ filter }, false)}
        />
        <div className="toolbar-row">
          <div className="popover-anchor">
            <button type="button" aria-expanded={chooser} onClick={() => setChooser(!chooser)}>
              Columns ({columns.length}/{allColumns.length})
            </button>
            {chooser && (
              <ColumnChooser
                all={allColumns}
                visible={columns}
                onChange={(c) => update({ columns: c })}
                onClose={() => setChooser(false)}
              />
            )}
          </div>
          <label>
            Group by{' '}
            <select value={view.groupBy ?? ''} onChange={(e) => update({ groupBy: e.target.value || null })}>
              <option value="">(none)</option>
              {groupable.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={view.deleted}
              onChange={(e) => update({ deleted: e.target.checked })}
            />{' '}
            Deleted runs
          </label>
          {view.sort && (
            <span className="muted">
              Sorted by {columnLabel(view.sort.column)} {view.sort.ascending ? '▲' : '▼'}{' '}
              <button type="button" className="link" onClick={() => update({ sort: null })}>
                clear
              </button>
            </span>
          )}
          <span className="spacer" />
          {selected.size > 0 && (
            <button type="button" className="link" onClick={() => update({ selected: [] })}>
              Clear selection
            </button>
          )}
          <button
            type="button"
            className="primary"
            disabled={selected.size < 2}
            onClick={() => navigate(`/compare?runs=${view.selected.join(',')}`)}
            data-testid="compare-button"
          >
            Compare {selected.size > 1 ? selected.size : ''} runs
          </button>
        </div>
      </div>
      <div role="tablist" aria-label="Views" className="tabs">
        {RUNS_TABS.map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={view.tab === t}
            className={view.tab === t ? 'tab active' : 'tab'}
            onClick={() => update({ tab: t })}
          >
            {TAB_LABELS[t]}
          </button>
        ))}
      </div>
      <section role="tabpanel" aria-label={TAB_LABELS[view.tab]} className="tab-panel">
        {view.tab === 'table' &&
          (view.groupBy ? (
            <GroupTable
              query={query}
              by={view.groupBy}
              metrics={metricKeys}
              onPick={(v) =>
                update(
                  {
                    groupBy: null,
                    filter:
                      v === undefined
                        ? view.filter
                        : [view.filter, `${searchKey(view.groupBy!)} = '${v.replaceAll("'", "''")}'`]
                            .filter(Boolean)
                            .join(' AND '),
                  },
                  false,
                )
              }
            />
          ) : (
            <RunsGrid
              rowCount={pages.error && pages.known === 0 ? 0 : pages.rowCount}
              row={(i) => pages.row(i)}
              columns={columns}
              widths={widths}
              sort={view.sort}
              onSort={onSort}
              selected={selected}
              onToggle={onToggle}
              onVisible={onVisible}
              version={version}
            />
          ))}
        {view.tab !== 'table' && (
          <RunsCharts
            view={view}
            query={query}
            pages={pages}
            metricKeys={metricKeys}
            allColumns={allColumns}
            update={update}
          />
        )}
      </section>
    </main>
  )
}
