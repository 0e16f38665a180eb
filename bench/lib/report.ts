/**
 * What every bench prints. Convention (run-all relies on it): with `--json` a bench writes exactly
 * one JSON object `BenchReport` to stdout and its progress to stderr; without it, a table.
 */
import { cpus, loadavg } from 'node:os'

export interface CaseResult {
  case: string
  measured: number
  unit: string
  /** Undefined for informational rows. */
  target?: number
  /** Whether a larger measured value is better (throughput) or a smaller one (latency, memory). */
  better: 'higher' | 'lower'
  /** The peer (MLflow 2.10.2) figure measured on this machine, when the issue gives one. */
  peer?: number
  details?: Record<string, unknown>
}

export interface Conditions {
  date: string
  nproc: number
  cpu: string
  node: string
  loadavgStart: number[]
  loadavgEnd?: number[]
}

export interface BenchReport {
  bench: string
  conditions: Conditions
  results: CaseResult[]
}

export function conditionsNow(): Conditions {
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadavgStart: loadavg().map((x) => Math.round(x * 100) / 100),
  }
}

export function passed(r: CaseResult): boolean | undefined {
  if (r.target === undefined) return undefined
  return r.better === 'higher' ? r.measured >= r.target : r.measured <= r.target
}

function fmt(n: number | undefined, unit: string): string {
  if (n === undefined) return '—'
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2
  return `${n.toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit}`
}

export function formatTable(results: CaseResult[]): string {
  const rows = [['case', 'measured', 'target', 'result', 'MLflow (peer)']]
  for (const r of results) {
    const ok = passed(r)
    const cmp = r.better === 'higher' ? '≥' : '≤'
    rows.push([
      r.case,
      fmt(r.measured, r.unit),
      r.target === undefined ? '—' : `${cmp} ${fmt(r.target, r.unit)}`,
      ok === undefined ? 'info' : ok ? 'pass' : 'MISS',
      fmt(r.peer, r.unit),
    ])
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)))
  const line = (row: string[]): string =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n')
}

export function formatConditions(c: Conditions): string {
  return (
    `${c.date}  nproc=${c.nproc}  ${c.cpu}  node ${c.node}  ` +
    `loadavg start ${c.loadavgStart.join(' ')}${c.loadavgEnd ? `, end ${c.loadavgEnd.join(' ')}` : ''}`
  )
}

/** Prints a report as JSON (`--json`) or as a table with details. */
export function printReport(report: BenchReport, json: boolean): void {
  report.conditions.loadavgEnd ??= loadavg().map((x) => Math.round(x * 100) / 100)
  if (json) {
    process.stdout.write(JSON.stringify(report) + '\n')
    return
  }
  const out = [`\n${report.bench}: ${formatConditions(report.conditions)}`, formatTable(report.results)]
  for (const r of report.results) if (r.details) out.push(`  ${r.case}: ${JSON.stringify(r.details)}`)
  process.stdout.write(out.join('\n') + '\n')
}

/** Progress lines go to stderr so `--json` output stays clean. */
export function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`)
}

export interface BenchArgs {
  json: boolean
  /** Write a .cpuprofile of the server and print its hottest functions. */
  profile: boolean
  /** Multiplies every case's duration (0.3 for a quick check). */
  scale: number
  only: string[]
  /**
   * Keep every vCPU busy with lowest-priority spinners during the sequential cases. On this VM an
   * idle vCPU halts and waking it doubles a loopback round trip; the flag shows that cost apart.
   */
  awake: boolean
}

export function parseArgs(argv: string[] = process.argv.slice(2)): BenchArgs {
  const args: BenchArgs = { json: false, profile: false, scale: 1, only: [], awake: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--json') args.json = true
    else if (a === '--profile') args.profile = true
    else if (a === '--awake') args.awake = true
    else if (a === '--scale') args.scale = Number(argv[++i])
    else if (a === '--only') args.only.push(...(argv[++i] ?? '').split(','))
    else if (a === '--help') {
      process.stdout.write('options: --json  --profile  --scale <factor>  --only <case,case>  --awake\n')
      process.exit(0)
    } else throw new Error(`unknown option ${a} (try --help)`)
  }
  if (!(args.scale > 0)) throw new Error('--scale must be a positive number')
  return args
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

export const MB = 1024 * 1024
