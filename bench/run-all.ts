/**
 * Runs every benchmark in sequence (each in its own process, so one's memory and JIT state never
 * colour the next) and prints one table, or with `--json` one JSON array of the benches' reports.
 * Builds dist/ first (the ingest and history benches start the built server); `--no-build` skips it.
 *
 *   npm run bench [-- --json] [-- --scale 0.3] [-- --profile]
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { formatConditions, formatTable, type BenchReport } from './lib/report.js'
import { REPO_ROOT } from './lib/server-process.js'

const BENCHES = [
  'ingest.ts',
  'history.ts',
  'search-runs.ts',
  'registry.ts',
  'pipelines.ts',
  'serving.ts',
  'sp500.ts',
  'drift.ts',
]

function runBench(file: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'bench', file), '--json', ...args],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let stdout = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (c: string) => (stdout += c))
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, stdout }))
  })
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const json = argv.includes('--json')
  const forwarded = argv.filter((a) => a !== '--json' && a !== '--no-build')
  if (!argv.includes('--no-build')) {
    process.stderr.write('[bench] building dist/ ...\n')
    const build = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: REPO_ROOT,
        stdio: 'inherit',
      },
    )
    if (build.status !== 0) throw new Error('build failed')
  }
  const reports: BenchReport[] = []
  const failed: string[] = []
  for (const file of BENCHES) {
    if (!existsSync(join(REPO_ROOT, 'bench', file))) continue
    process.stderr.write(`[bench] ${file}\n`)
    const { code, stdout } = await runBench(file, forwarded)
    const last = stdout.trim().split('\n').at(-1) ?? ''
    try {
      reports.push(JSON.parse(last) as BenchReport)
    } catch {
      process.stderr.write(stdout)
    }
    if (code !== 0) failed.push(`${file} exited with ${code}`)
  }
  if (json) process.stdout.write(JSON.stringify(reports) + '\n')
  else {
    for (const r of reports) {
      process.stdout.write(`\n${r.bench}: ${formatConditions(r.conditions)}\n${formatTable(r.results)}\n`)
      for (const c of r.results)
        if (c.details) process.stdout.write(`  ${c.case.trim()}: ${JSON.stringify(c.details)}\n`)
    }
  }
  if (failed.length > 0) {
    process.stderr.write(`[bench] failed: ${failed.join('; ')}\n`)
    process.exitCode = 1
  }
}

await main()
