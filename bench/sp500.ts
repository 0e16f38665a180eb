/**
 * The S&P 500 example end to end (issue 5: ≤ 2 minutes), timed as a user runs it: the one
 * command (`examples/sp500/run.ts --once`) in a child process, from start to exit — Cairn server
 * started, pipeline run (ingest → features → train ×3 → evaluate → register → promote), daily
 * schedule added, prediction API started and answering once, everything stopped.
 *
 * - cold: a fresh CAIRN_HOME (nothing cached, the first champion promoted);
 * - warm: the same home again (everything after ingest from the pipeline cache), for information.
 *
 *   npx tsx bench/sp500.ts [--json]
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { conditionsNow, parseArgs, printReport, progress, type CaseResult } from './lib/report.js'
import { REPO_ROOT } from './lib/server-process.js'

const args = parseArgs()
const conditions = conditionsNow()
const home = mkdtempSync(join(tmpdir(), 'cairn-bench-sp500-'))

/** Runs the one command; answers its wall time and what it printed. */
function oneCommand(): Promise<{ seconds: number; output: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'examples', 'sp500', 'run.ts'),
        ...['--once', '--home', home, '--server-port', '0', '--port', '0'],
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    const take = (c: Buffer): void => {
      output += c.toString()
      process.stderr.write(c)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.once('error', reject)
    child.once('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000
      if (code !== 0) reject(new Error(`the example exited with ${code}`))
      else resolve({ seconds, output })
    })
  })
}

const results: CaseResult[] = []
try {
  progress('cold: fresh CAIRN_HOME, the whole example with one command')
  const cold = await oneCommand()
  const answer = /→ 200 (\{.*\})/.exec(cold.output)?.[1]
  if (!answer) throw new Error('the prediction API did not answer 200')
  results.push({
    case: 'S&P 500 example end to end, one command, cold',
    measured: cold.seconds,
    unit: 's',
    target: 120,
    better: 'lower',
    details: { answer: JSON.parse(answer) as unknown },
  })
  progress('warm: the same CAIRN_HOME again (pipeline cache hits)')
  const warm = await oneCommand()
  const hits = warm.output.match(/succeeded \(cached\)/g)?.length ?? 0
  if (hits < 4)
    throw new Error(
      `the warm run took ${hits} steps from the cache, expected features, evaluate, register, promote`,
    )
  results.push({
    case: 'S&P 500 example again, warm (cache hits after ingest)',
    measured: warm.seconds,
    unit: 's',
    better: 'lower',
    details: { cachedSteps: hits },
  })
} finally {
  rmSync(home, { recursive: true, force: true })
}

printReport({ bench: 'sp500', conditions, results }, args.json)
