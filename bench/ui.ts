/**
 * Web UI benchmark (issue 6): Debian's Chromium (playwright-core) driving the built UI served by
 * the built `cairn server` (a child process) over a store seeded in-process.
 *
 *   npx tsx bench/ui.ts [--json] [--scale 0.1]   (npm run build first)
 *
 * Data: one experiment of 100,000 runs with 5 params, 5 metrics and 3 tags each (as
 * bench/search-runs.ts); one run with a 1,000,000-point metric; one experiment of 1,000 runs with
 * 1,000 metrics each (the wide table). Figures are measured inside the page with
 * performance.now() and requestAnimationFrame:
 * - first render: navigation start → the first run row's name in the DOM (median of 5 loads);
 * - scrolling: the grid scrolled by script every frame for 3 s (vertically at 100k runs,
 *   horizontally across 1,000 columns); frames per second and the 95th-percentile frame time;
 * - sort: click on a metric's header → the first row of the new order drawn (median of 6);
 * - chart: navigation start → the 1,000,000-point chart drawn (median of 3), and a zoom's redraw;
 * - bundle: gzipped JavaScript and CSS the first page loads.
 */
import { readFileSync } from 'node:fs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { SqliteTrackingStore } from '../src/server/store/sqlite/sqlite-tracking-store.js'
import type { IdGenerator } from '../src/server/util/clock.js'
import { openBrowser } from '../packages/web/e2e/support/browser.js'
import { startCairn } from '../packages/web/e2e/support/server.js'
import { conditionsNow, parseArgs, percentile, printReport, progress, type CaseResult } from './lib/report.js'

function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Seeded {
  big: string
  wide: string
  history: string
  historyRun: string
}

async function seed(path: string, runs: number, points: number, wideRuns: number): Promise<Seeded> {
  let n = 0
  const ids: IdGenerator = { runId: () => (n++).toString(16).padStart(32, '0'), runName: () => `run-${n}` }
  // Run ids are handed out in the order createRun calls are made (the store may run them later).
  let next = 0
  const nextId = (): string => (next++).toString(16).padStart(32, '0')
  const store = new SqliteTrackingStore({ path, defaultArtifactRoot: 'mlflow-artifacts:', ids })
  const random = mulberry32(42)
  const started = performance.now()
  const big = await store.createExperiment({ name: `ui-bench-${runs}-runs`, tags: [] })
  const BATCH = 2000
  for (let done = 0; done < runs; done += BATCH) {
    const pending: Promise<unknown>[] = []
    store.database.transaction(() => {
      for (let i = done; i < Math.min(runs, done + BATCH); i++) {
        const runId = nextId()
        const t = 1_700_000_000_000 + i
        pending.push(
          store.createRun({
            experimentId: big,
            userId: 'bench',
            runName: `run-${i}`,
            startTime: t,
            tags: [],
          }),
        )
        pending.push(
          store.logBatch(runId, {
            params: [
              { key: 'p1', value: 'abcd'[Math.floor(random() * 4)]! },
              ...[2, 3, 4, 5].map((k) => ({ key: `p${k}`, value: `v${Math.floor(random() * 100)}` })),
            ],
            metrics: [1, 2, 3, 4, 5].map((k) => ({ key: `m${k}`, value: random(), timestamp: t, step: 0 })),
            tags: [1, 2, 3].map((k) => ({ key: `t${k}`, value: `tag-${Math.floor(random() * 10)}` })),
          }),
        )
      }
    })()
    await Promise.all(pending)
  }
  progress(`seeded ${runs} runs in ${Math.round(performance.now() - started)} ms`)

  const history = await store.createExperiment({ name: 'ui-bench-history', tags: [] })
  nextId()
  const run = await store.createRun({
    experimentId: history,
    userId: 'bench',
    runName: 'long',
    startTime: 1_700_000_000_000,
    tags: [],
  })
  const CHUNK = 10_000
  for (let s = 0; s < points; s += CHUNK) {
    const metrics = []
    for (let step = s; step < Math.min(points, s + CHUNK); step++) {
      const spike = step % 250_007 === 0 ? 5 : 0
      metrics.push({
        key: 'loss',
        value: 2 * Math.exp(-step / 200_000) + 0.1 * random() + spike,
        timestamp: 1_700_000_000_000 + step * 10,
        step,
      })
    }
    await store.logBatch(run.info.runId, { metrics, params: [], tags: [] })
  }
  progress(`seeded a ${points}-point history`)

  const wide = await store.createExperiment({ name: 'ui-bench-wide', tags: [] })
  for (let done = 0; done < wideRuns; done += 100) {
    const pending: Promise<unknown>[] = []
    store.database.transaction(() => {
      for (let i = done; i < Math.min(wideRuns, done + 100); i++) {
        const runId = nextId()
        const t = 1_700_000_000_000 + i
        pending.push(
          store.createRun({
            experimentId: wide,
            userId: 'bench',
            runName: `wide-${i}`,
            startTime: t,
            tags: [],
          }),
        )
        pending.push(
          store.logBatch(runId, {
            params: [],
            metrics: Array.from({ length: 1000 }, (_, k) => ({
              key: `metric_${String(k).padStart(4, '0')}`,
              value: random(),
              timestamp: t,
              step: 0,
            })),
            tags: [],
          }),
        )
      }
    })()
    await Promise.all(pending)
  }
  progress(`seeded ${wideRuns} runs × 1,000 metrics; all in ${Math.round(performance.now() - started)} ms`)
  await store.close()
  return { big, wide, history, historyRun: run.info.runId }
}

const median = (xs: number[]): number => percentile(xs, 50)

interface Scroll {
  frames: number
  ms: number
  gaps: number[]
  end: number
}

/** In-page: ms from navigation start until the first run row's link is in the DOM. */
const FIRST_ROW = `new Promise((resolve) => {
  const found = () => document.querySelector('.grid-body [aria-rowindex="2"] .name a')
  if (found()) return resolve(performance.now())
  const mo = new MutationObserver(() => { if (found()) { mo.disconnect(); resolve(performance.now()) } })
  mo.observe(document.body, { childList: true, subtree: true })
})`

/** In-page: scrolls the grid every frame for `ms`, returns frame intervals. */
const SCROLL = (axis: 'top' | 'left', perFrame: number, ms: number): string => `new Promise((resolve) => {
  const el = document.querySelector('[role="grid"]')
  const times = []
  const t0 = performance.now()
  const tick = (t) => {
    times.push(t)
    el.scroll${axis === 'top' ? 'Top' : 'Left'} += ${perFrame}
    if (t - t0 < ${ms}) requestAnimationFrame(tick)
    else {
      const gaps = times.slice(1).map((x, i) => x - times[i])
      resolve({ frames: times.length, ms: times[times.length - 1] - times[0], gaps, end: el.scroll${axis === 'top' ? 'Top' : 'Left'},
        placeholders: document.querySelectorAll('.grid-body .placeholder').length })
    }
  }
  requestAnimationFrame(tick)
})`

/** In-page: clicks a header, resolves with ms until the first row shows a different, loaded run. */
const SORT = (header: string): string => `new Promise((resolve) => {
  const first = () => document.querySelector('.grid-body [aria-rowindex="2"] .name a')?.textContent ?? null
  const before = first()
  const h = [...document.querySelectorAll('[role="columnheader"]')].find((e) => e.textContent.startsWith(${JSON.stringify(header)}))
  const t0 = performance.now()
  h.click()
  const check = () => { const f = first(); if (f !== null && f !== before) resolve(performance.now() - t0); else requestAnimationFrame(check) }
  requestAnimationFrame(check)
})`

const CHART_DRAWN = `new Promise((resolve) => {
  const done = () => document.querySelector('[data-testid="chart-loss"] canvas[data-drawn]')
  const finish = () => resolve({ at: performance.now(), points: Number(done().getAttribute('data-drawn')), mark: performance.getEntriesByName('cairn:chart-drawn:loss').at(-1)?.detail?.ms })
  if (done()) return finish()
  const mo = new MutationObserver(() => { if (done()) { mo.disconnect(); finish() } })
  mo.observe(document.body, { childList: true, subtree: true, attributes: true })
})`

async function main(): Promise<void> {
  const args = parseArgs()
  const runs = Math.round(100_000 * args.scale)
  const points = Math.round(1_000_000 * args.scale)
  const wideRuns = Math.max(100, Math.round(1000 * args.scale))
  const conditions = conditionsNow()
  const dir = mkdtempSync(join(tmpdir(), 'cairn-ui-bench-'))
  const results: CaseResult[] = []
  const server = await (async () => {
    const db = join(dir, 'cairn.db')
    const data = await seed(db, runs, points, wideRuns)
    return { data, proc: await startCairn({ dbPath: db }) }
  })()
  const browser = await openBrowser(server.proc.url, { width: 1440, height: 900 })
  const { page } = browser
  try {
    const { data } = server
    // Warm the server's and the disk's caches once, as a person's second visit would find them.
    await page.goto(`/runs?e=${data.big}`)
    await page.evaluate(FIRST_ROW)

    const first: number[] = []
    for (let i = 0; i < 5; i++) {
      await page.goto(`/runs?e=${data.big}`)
      first.push(await page.evaluate<number>(FIRST_ROW))
    }
    results.push({
      case: `runs table first render (${runs.toLocaleString()} runs)`,
      measured: median(first),
      unit: 'ms',
      target: 1000,
      better: 'lower',
      details: { samples: first },
    })
    await page.waitForFunction(
      '/ runs$/.test(document.querySelector(\'[data-testid="run-count"]\').textContent)',
      undefined,
      { timeout: 60_000 },
    )

    const v = await page.evaluate<Scroll>(SCROLL('top', 450, 3000))
    results.push({
      case: `scroll ${runs.toLocaleString()} runs (15 rows per frame)`,
      measured: ((v.frames - 1) / v.ms) * 1000,
      unit: 'fps',
      target: 60 * 0.95,
      better: 'higher',
      details: { p95FrameMs: percentile(v.gaps, 95), maxFrameMs: Math.max(...v.gaps), scrolledPx: v.end },
    })

    const sorts: number[] = []
    await page.goto(`/runs?e=${data.big}`)
    await page.evaluate(FIRST_ROW)
    for (let i = 0; i < 6; i++) sorts.push(await page.evaluate<number>(SORT('m2')))
    results.push({
      case: 'sort by a metric (click → first row of the new order)',
      measured: median(sorts),
      unit: 'ms',
      target: 300,
      better: 'lower',
      details: { samples: sorts },
    })

    await page.goto(`/runs?e=${data.wide}`)
    await page.evaluate(FIRST_ROW)
    const h = await page.evaluate<Scroll>(SCROLL('left', 130, 3000))
    results.push({
      case: `scroll 1,000 columns (${wideRuns} runs, one column per frame)`,
      measured: ((h.frames - 1) / h.ms) * 1000,
      unit: 'fps',
      target: 60 * 0.95,
      better: 'higher',
      details: { p95FrameMs: percentile(h.gaps, 95), maxFrameMs: Math.max(...h.gaps), scrolledPx: h.end },
    })

    const charts: number[] = []
    let inChart: number[] = []
    for (const x of ['step', 'step', 'step', 'time']) {
      await page.goto(
        `/runs?e=${data.history}&tab=charts&sel=${data.historyRun}${x === 'time' ? '&x=time' : ''}`,
      )
      const r = await page.evaluate<{ at: number; points: number; mark: number }>(CHART_DRAWN)
      if (r.points !== points) throw new Error(`chart drew ${r.points} points, expected ${points}`)
      if (x === 'time')
        results.push({
          case: `${points.toLocaleString()}-point chart, time on x (navigation → drawn)`,
          measured: r.at,
          unit: 'ms',
          better: 'lower',
          details: { fetchAndDrawMs: r.mark },
        })
      else {
        charts.push(r.at)
        inChart.push(r.mark)
      }
    }
    results.push({
      case: `${points.toLocaleString()}-point chart (navigation → drawn)`,
      measured: median(charts),
      unit: 'ms',
      target: 1000,
      better: 'lower',
      details: { samples: charts, fetchAndDrawMs: inChart },
    })

    // Zoom: drag across the middle fifth of the chart; the server re-buckets that range.
    const box = (await page.locator('[data-testid="chart-loss"] canvas').boundingBox())!
    inChart = []
    for (let i = 0; i < 3; i++) {
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2)
      await page.mouse.down()
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 })
      const t0 = await page.evaluate<number>('performance.now()')
      await page.mouse.up()
      await page.waitForFunction(
        `/zoomed/.test(document.querySelector('[data-testid="chart-loss"] figcaption').textContent) && performance.getEntriesByName('cairn:chart-drawn:loss').at(-1).startTime > ${t0}`,
      )
      inChart.push(
        (await page.evaluate<number>(
          `performance.getEntriesByName('cairn:chart-drawn:loss').at(-1).startTime`,
        )) - t0,
      )
      await page.locator('[data-testid="chart-loss"] canvas').dblclick()
      await page.waitForTimeout(300)
    }
    results.push({
      case: 'zoom into a fifth of the 1M-point chart (release → redrawn)',
      measured: median(inChart),
      unit: 'ms',
      better: 'lower',
      details: { samples: inChart },
    })

    const dist = new URL('../dist/ui/', import.meta.url)
    const html = readFileSync(new URL('index.html', dist), 'utf8')
    let gz = 0
    for (const m of html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g))
      gz += gzipSync(readFileSync(new URL(m[1]!, dist)), { level: 9 }).length
    results.push({
      case: 'first-page JS + CSS, gzipped',
      measured: gz / 1024,
      unit: 'KB',
      target: 500,
      better: 'lower',
    })
    if (browser.foreignRequests.length > 0)
      throw new Error(`requests left the server: ${browser.foreignRequests.join(', ')}`)
  } finally {
    await browser.close()
    await server.proc.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  printReport({ bench: 'ui', conditions, results }, args.json)
}

await main()
