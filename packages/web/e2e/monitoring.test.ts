/**
 * The monitoring pages in Chromium against a real `cairn server`: a monitor comparing a shifted
 * current dataset with its reference, run from the page, its report drawn from the run's
 * report.json, and the monitor paused from the list.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { HttpClient } from '../../../src/client/http.js'
import { RegistryClient } from '../../../src/client/registry.js'
import { MonitorsClient } from '../../../src/monitoring/monitors/client.js'
import { openBrowser, screenshot, type BrowserSession } from './support/browser.js'
import { startCairn, type CairnProcess } from './support/server.js'

/** Seeded uniform numbers, so the data (and the verdicts) are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `price` uniform on [0, 100) (+ shift), `volume` uniform on [0, 10), `sector` one of three. */
function csv(rows: number, seed: number, shift: number): string {
  const r = rng(seed)
  const sectors = ['tech', 'energy', 'health']
  const lines = ['price,volume,sector']
  for (let i = 0; i < rows; i++)
    lines.push(`${(r() * 100 + shift).toFixed(3)},${(r() * 10).toFixed(3)},${sectors[Math.floor(r() * 3)]}`)
  return lines.join('\n') + '\n'
}

describe('monitoring pages in Chromium', () => {
  let server: CairnProcess
  let browser: BrowserSession
  let page: Page
  let tmp: string
  const pageErrors: string[] = []

  beforeAll(async () => {
    server = await startCairn()
    tmp = mkdtempSync(join(tmpdir(), 'cairn-e2e-monitor-'))
    writeFileSync(join(tmp, 'reference.csv'), csv(500, 1, 0))
    writeFileSync(join(tmp, 'current.csv'), csv(500, 2, 60))
    // The monitor resolves its model URI; with file data it never loads the model itself.
    const registry = new RegistryClient(new HttpClient({ trackingUri: server.url }))
    const v = await registry.registerModel('mlflow-artifacts:/prices/model', 'prices')
    await registry.setAlias('prices', 'champion', v.version)
    await MonitorsClient.forUri(server.url).create({
      name: 'prices',
      model: 'models:/prices@champion',
      window: '24h',
      current: { file: join(tmp, 'current.csv') },
      reference: { file: join(tmp, 'reference.csv') },
      checks: { drift: true },
    })
    browser = await openBrowser(server.url)
    page = browser.page
    page.on('pageerror', (e) => pageErrors.push(String(e)))
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  it('lists the monitor before its first run', async () => {
    await page.goto('/monitoring')
    const row = page.getByRole('table', { name: 'Monitors' }).locator('tbody tr')
    await expect.poll(() => row.count()).toBe(1)
    expect(await row.textContent()).toContain('never run')
    expect(await row.textContent()).toContain('models:/prices@champion')
  })

  it("runs the monitor from its page and shows the report: the shifted column drifts, the others don't", async () => {
    await page.goto('/monitoring/prices')
    await expect.poll(() => page.getByText('This monitor has not run yet.').count()).toBe(1)
    await page.getByRole('button', { name: 'Run now' }).click()
    const columns = page.getByRole('table', { name: 'Column drift' })
    await expect.poll(() => columns.locator('tbody tr').count(), { timeout: 30_000 }).toBe(3)
    // Drifted columns come first.
    const first = columns.locator('tbody tr').first()
    expect(await first.locator('td').first().textContent()).toBe('price')
    const verdict = (row: ReturnType<typeof columns.locator>) => row.locator('td').nth(4).textContent()
    expect(await verdict(first)).toBe('drift')
    for (const name of ['volume', 'sector']) {
      expect(await verdict(columns.locator('tbody tr', { hasText: name }))).toBe('no drift')
    }
    expect(await page.getByRole('heading', { name: /^No dataset drift: 1 of 3 columns/ }).count()).toBe(1)
    expect(await page.locator('svg.drift-hist').count()).toBe(3)
    expect(await page.getByRole('img', { name: /Drift share of the last 1 runs/ }).count()).toBe(1)
    await screenshot(page, 'monitor')
  })

  it('links to the HTML report and the monitor runs in the runs table', async () => {
    const href = await page.getByRole('link', { name: 'HTML report' }).getAttribute('href')
    const res = await page.request.get(href!)
    expect(res.status()).toBe(200)
    expect(await res.text()).toContain('<html')
    await page.getByRole('link', { name: 'All runs of this monitor' }).click()
    await expect.poll(() => new URL(page.url()).pathname).toBe('/runs')
    expect(new URL(page.url()).searchParams.get('q')).toBe(`tags."cairn.monitor" = 'prices'`)
  })

  it('pauses and resumes the monitor from the list', async () => {
    await page.goto('/monitoring')
    const row = page.getByRole('table', { name: 'Monitors' }).locator('tbody tr')
    await expect.poll(() => row.textContent()).toContain('passed')
    await row.getByRole('button', { name: 'Pause' }).click()
    await expect.poll(() => row.textContent()).toContain('(paused)')
    await row.getByRole('button', { name: 'Resume' }).click()
    await expect.poll(() => row.textContent()).not.toContain('(paused)')
    expect(pageErrors).toEqual([])
  })
})
