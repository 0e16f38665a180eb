/**
 * Monitoring benchmark (issue 7): drift of 1,000,000 current × 1,000,000 reference rows with 20
 * columns (≤ 3 s) and reference-profile throughput (≥ 1,000,000 rows/s), on real data: vega-datasets'
 * flights-3m.parquet, rows [0, 1M) as the reference and [1M, 2M) as the current window.
 *
 * The file has 5 columns (date, delay, distance, origin, destination); 15 are derived from them to
 * reach 20: hour, minute_of_day, day_of_month, month (numbers from the date), weekday (category),
 * delayed (delay > 15, category), early (delay < 0, 0/1), delay_bucket (category), log_distance,
 * distance_km, distance_band (category), route (origin-destination, ~thousands of categories),
 * speed_proxy (distance / (60 + delay) clamped), delay_per_100mi, delay_squared.
 *
 * Cases: drift with Evidently's defaults (reference > 1000 rows: normed Wasserstein / Jensen–Shannon)
 * from the two tables, the same against a reference prepared once (how monitors run), the
 * preparation alone, every statistic at once (for reports), and the profile of the reference
 * table. Parquet reading is not timed.
 *
 *   npx tsx bench/drift.ts [--json] [--scale 0.3]
 */
import { datasetDrift } from '../src/monitoring/drift/dataset.js'
import { prepareReference } from '../src/monitoring/drift/sample.js'
import { computeProfile } from '../src/monitoring/profile/profile.js'
import { readParquet } from '../src/monitoring/table/parquet.js'
import {
  categoricalColumn,
  makeTable,
  numericColumn,
  type Column,
  type Table,
} from '../src/monitoring/table/table.js'
import { flightsParquetPath } from '../src/monitoring/test-support/flights.js'
import { conditionsNow, parseArgs, printReport, progress, type CaseResult } from './lib/report.js'

const args = parseArgs()
const conditions = conditionsNow()
const results: CaseResult[] = []
const ROWS = Math.round(1_000_000 * Math.min(1, args.scale))
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

function derive(t: Table): Table {
  const col = (name: string): Column => t.columns.find((c) => c.name === name)!
  const date = (col('date') as Extract<Column, { kind: 'numeric' }>).values
  const delay = (col('delay') as Extract<Column, { kind: 'numeric' }>).values
  const distance = (col('distance') as Extract<Column, { kind: 'numeric' }>).values
  const origin = col('origin') as Extract<Column, { kind: 'categorical' }>
  const dest = col('destination') as Extract<Column, { kind: 'categorical' }>
  const n = t.rowCount
  const num = (name: string, f: (i: number) => number): Column => {
    const out = new Float64Array(n)
    for (let i = 0; i < n; i++) out[i] = f(i)
    return numericColumn(name, out)
  }
  const cat = (name: string, f: (i: number) => string | undefined): Column =>
    categoricalColumn(
      name,
      Array.from({ length: n }, (_, i) => f(i)),
    )
  const d = (i: number): Date => new Date(date[i]!)
  return makeTable([
    ...t.columns,
    num('hour', (i) => d(i).getUTCHours()),
    num('minute_of_day', (i) => d(i).getUTCHours() * 60 + d(i).getUTCMinutes()),
    num('day_of_month', (i) => d(i).getUTCDate()),
    num('month', (i) => d(i).getUTCMonth() + 1),
    cat('weekday', (i) => WEEKDAYS[d(i).getUTCDay()]),
    cat('delayed', (i) => (delay[i]! > 15 ? 'yes' : 'no')),
    num('early', (i) => (delay[i]! < 0 ? 1 : 0)),
    cat('delay_bucket', (i) =>
      delay[i]! < 0 ? 'early' : delay[i]! <= 15 ? 'on_time' : delay[i]! <= 60 ? 'late' : 'very_late',
    ),
    num('log_distance', (i) => Math.log(distance[i]!)),
    num('distance_km', (i) => distance[i]! * 1.609344),
    cat('distance_band', (i) => (distance[i]! < 500 ? 'short' : distance[i]! < 1500 ? 'medium' : 'long')),
    cat('route', (i) => `${origin.dictionary[origin.codes[i]!]}-${dest.dictionary[dest.codes[i]!]}`),
    num('speed_proxy', (i) => distance[i]! / Math.max(30, 60 + delay[i]!)),
    num('delay_per_100mi', (i) => (delay[i]! / distance[i]!) * 100),
    num('delay_squared', (i) => delay[i]! * delay[i]!),
  ])
}

function time<T>(f: () => T): { value: T; ms: number } {
  const t0 = performance.now()
  const value = f()
  return { value, ms: performance.now() - t0 }
}

const path = flightsParquetPath()
progress(`reading ${2 * ROWS} rows of ${path}`)
const reference = derive(await readParquet(path, { rowStart: 0, rowEnd: ROWS }))
const current = derive(await readParquet(path, { rowStart: ROWS, rowEnd: 2 * ROWS }))
if (reference.columns.length !== 20) throw new Error(`expected 20 columns, got ${reference.columns.length}`)

progress('drift from tables (reference prepared inside)')
const full = time(() => datasetDrift(reference, current))
const drifted = full.value.columns.filter((c) => c.drifted).map((c) => c.column)
results.push({
  case: `drift ${ROWS} × ${ROWS} rows, 20 columns`,
  measured: full.ms / 1000,
  unit: 's',
  ...(ROWS === 1_000_000 ? { target: 3 } : {}),
  better: 'lower',
  details: {
    methods: [...new Set(full.value.columns.map((c) => c.method))],
    driftedColumns: drifted.length,
    datasetDrift: full.value.datasetDrift,
  },
})

progress('reference prepared once, then drift')
const prep = time(() => prepareReference(reference))
const warm = time(() => datasetDrift(prep.value, current))
results.push({
  case: 'prepare the reference (once per monitor)',
  measured: prep.ms / 1000,
  unit: 's',
  better: 'lower',
})
results.push({
  case: 'drift against a prepared reference',
  measured: warm.ms / 1000,
  unit: 's',
  better: 'lower',
})

progress('drift with every statistic (KS, Wasserstein, PSI, JS, chi-squared, Z), as reports ask')
const all = time(() => datasetDrift(prep.value, current, { allStatistics: true }))
results.push({
  case: 'drift with every statistic, prepared reference',
  measured: all.ms / 1000,
  unit: 's',
  better: 'lower',
  details: {
    ksMethods: [...new Set(all.value.columns.map((c) => c.statistics?.ks?.method).filter(Boolean))],
  },
})

progress('profile of the reference')
const profile = time(() => computeProfile(reference))
results.push({
  case: `profile ${ROWS} rows × 20 columns`,
  measured: Math.round(ROWS / (profile.ms / 1000)),
  unit: 'rows/s',
  target: 1_000_000,
  better: 'higher',
  details: { seconds: Math.round(profile.ms) / 1000, bytes: JSON.stringify(profile.value).length },
})

printReport({ bench: 'drift', conditions, results }, args.json)
