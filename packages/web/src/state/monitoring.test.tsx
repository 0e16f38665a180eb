import { afterEach, describe, expect, it } from 'vitest'
import type { MonitorReport } from '../../../../src/monitoring/report/report-types.js'
import type { WireRun } from '../../../../src/protocol/wire.js'
import { ReportView } from '../pages/monitoring-page.js'
import { render, type Rendered } from '../test-support/render.js'
import {
  driftHeadline,
  histogramBars,
  metricSeries,
  monitorRow,
  monitorRunsFilter,
  orderColumns,
  scoreText,
} from './monitoring.js'

const col = (column: string, drifted: boolean | null, score: number | null) => ({
  column,
  type: 'numeric' as const,
  method: 'ks',
  statistic: 'p_value' as const,
  score,
  threshold: 0.05,
  drifted,
  histogram: null,
})

const report: MonitorReport = {
  version: 1,
  title: 't',
  generatedAt: '2026-11-23T00:00:00Z',
  monitor: 'sp500',
  model: { uri: 'models:/sp500@champion', name: 'sp500', version: '2' },
  window: null,
  current: { source: 'file', rows: 250 },
  reference: { source: 'profile', rows: 2000 },
  status: 'failed',
  checks: [{ check: 'drift', status: 'failed', message: 'dataset drift: 2 of 3 columns' }],
  drift: {
    datasetDrift: true,
    share: 2 / 3,
    driftShare: 0.5,
    drifted: 2,
    judged: 3,
    columns: [
      col('vol_20', true, 0.001),
      { ...col('const', null, null), explanation: 'the reference column is constant' },
      col('ret_1', false, 0.4),
      {
        ...col('rsi', true, 0.2),
        method: 'wasserstein',
        statistic: 'distance' as const,
        threshold: 0.1,
        histogram: { kind: 'numeric' as const, edges: [0, 50, 100], reference: [30, 10], current: [5, 15] },
      },
    ],
  },
  quality: null,
  validation: {
    passed: false,
    failures: 1,
    maxFailures: 0,
    results: [{ expectation: 'range', column: 'rsi', passed: false, message: '3 rows above 100' }],
  },
  notes: [],
}

describe('monitoring view state', () => {
  let r: Rendered | null = null
  afterEach(() => {
    r?.unmount()
    r = null
  })

  it('reads a monitor row from the stored document and its last run summary', () => {
    const row = monitorRow({
      name: 'sp500',
      monitor: {
        model: 'models:/sp500@champion',
        window: '30d',
        schedule: { cron: '0 7 * * *', timezone: 'Europe/Paris' },
      },
      paused: true,
      created_time: 1,
      updated_time: 2,
      last_run: {
        run_id: 'r1',
        status: 'failed',
        time: 5,
        summary: { 'drift.share': 0.6, 'validation.failures': 2 },
      },
    })
    expect(row).toMatchObject({
      model: 'models:/sp500@champion',
      window: '30d',
      schedule: '0 7 * * * (Europe/Paris)',
      state: 'paused',
      status: 'failed',
      lastRunId: 'r1',
      driftShare: 0.6,
      columnsDrifted: null,
      validationFailures: 2,
    })
    expect(
      monitorRow({ name: 'x', monitor: { model: 'm' }, paused: false, created_time: 1, updated_time: 1 }),
    ).toMatchObject({
      status: '',
      schedule: '',
      driftShare: null,
    })
  })

  it('puts drifted columns first, then the ones not judged, then the rest', () => {
    expect(orderColumns(report.drift!.columns).map((c) => c.column)).toEqual([
      'rsi',
      'vol_20',
      'const',
      'ret_1',
    ])
  })

  it('compares distributions as shares of each side', () => {
    const bars = histogramBars({
      kind: 'numeric',
      edges: [0, 50, 100],
      reference: [30, 10],
      current: [5, 15],
    })
    expect(bars).toEqual([
      { label: '0 – 50', reference: 0.75, current: 0.25 },
      { label: '50 – 100', reference: 0.25, current: 0.75 },
    ])
    const empty = histogramBars({ kind: 'categorical', categories: ['a'], reference: [0], current: [3] })
    expect(empty).toEqual([{ label: 'a', reference: 0, current: 1 }])
  })

  it('words scores against thresholds by the kind of statistic', () => {
    const [rsi, vol, cst] = orderColumns(report.drift!.columns)
    expect(scoreText(rsi!)).toBe('0.2 ≥ 0.1')
    expect(scoreText(vol!)).toBe('p 0.001 < 0.05')
    expect(scoreText(cst!)).toBe('not computed')
    expect(driftHeadline(report)).toBe('Dataset drift: 2 of 3 columns (67 %, threshold 50 %)')
  })

  it('draws a metric across runs oldest first, leaving out runs without it', () => {
    const run = (id: string, t: number, v?: number): WireRun => ({
      info: {
        run_id: id,
        run_uuid: id,
        experiment_id: '1',
        run_name: id,
        user_id: '',
        status: 'FINISHED',
        start_time: t,
        artifact_uri: '',
        lifecycle_stage: 'active',
      },
      data: { metrics: v === undefined ? [] : [{ key: 'drift.share', value: v, step: 0, timestamp: t }] },
      inputs: {},
    })
    expect(metricSeries([run('b', 20, 0.5), run('a', 10, 0.1), run('c', 30)], 'drift.share')).toEqual([
      { time: 10, value: 0.1, runId: 'a' },
      { time: 20, value: 0.5, runId: 'b' },
    ])
    expect(monitorRunsFilter("o'k")).toBe(`tags."cairn.monitor" = 'o\\'k'`)
  })

  it('renders a report: headline, columns with verdicts and explanations, histograms, validation', () => {
    r = render(<ReportView report={report} />)
    const text = r.container.textContent ?? ''
    expect(text).toContain('Dataset drift: 2 of 3 columns')
    expect(text).toContain('the reference column is constant')
    expect(text).toContain('3 rows above 100')
    const rows = [...r.container.querySelectorAll('table[aria-label="Column drift"] tbody tr')]
    expect(rows.map((x) => x.querySelector('td')?.textContent)).toEqual(['rsi', 'vol_20', 'const', 'ret_1'])
    expect(rows[0]!.className).toBe('drifted')
    expect(r.container.querySelectorAll('svg.drift-hist rect')).toHaveLength(4)
  })
})
