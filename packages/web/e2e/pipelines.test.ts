/**
 * The pipelines pages in Chromium against a real `cairn server`, with runs made by
 * `cairn pipeline run` (local executor) and a schedule made by `cairn schedule add`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { openBrowser, screenshot, type BrowserSession } from './support/browser.js'
import { seedPipelines, type SeededPipelines } from './support/seed-pipelines.js'
import { startCairn, type CairnProcess } from './support/server.js'

describe('pipelines pages in Chromium', () => {
  let server: CairnProcess
  let data: SeededPipelines
  let browser: BrowserSession
  let page: Page
  const pageErrors: string[] = []

  beforeAll(async () => {
    server = await startCairn()
    data = await seedPipelines(server.url)
    browser = await openBrowser(server.url)
    page = browser.page
    page.on('pageerror', (e) => pageErrors.push(String(e)))
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('lists pipeline runs newest first and filters them by status', async () => {
    await page.goto('/pipelines')
    const table = page.getByRole('table', { name: 'Pipeline runs' })
    await expect.poll(() => table.locator('tbody tr').count()).toBe(3)
    expect(await table.locator('tbody tr').first().textContent()).toContain('nightly-etl')
    await page.getByLabel('Status').selectOption('failed')
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1)
    expect(new URL(page.url()).searchParams.get('status')).toBe('failed')
  })

  it('draws the DAG with each step’s status and cache hits, and lists the step runs', async () => {
    await page.goto(`/pipelines/runs/${data.cachedRunId}`)
    await expect.poll(() => page.getByTestId('pipeline-status').textContent()).toBe('succeeded')
    for (const step of ['prepare', 'train', 'evaluate', 'report']) {
      const node = page.getByTestId(`dag-${step}`)
      expect(await node.getAttribute('data-status')).toBe('succeeded')
      expect(await node.getAttribute('aria-label')).toContain('cached')
    }
    // Edges follow dependsOn: train and report after prepare, evaluate after train.
    expect(await page.locator('.dag-edge').count()).toBe(3)
    const steps = page.getByRole('table', { name: 'Step runs' })
    expect(await steps.locator('tbody tr').count()).toBe(4)
    await expect.poll(() => steps.getByText(/^hit/).count()).toBe(4)
    await screenshot(page, 'pipeline-run')
  })

  it('shows a failed step’s logs and the command that resumes the run', async () => {
    await page.goto(`/pipelines/runs/${data.failedRunId}`)
    await expect.poll(() => page.getByTestId('dag-load').getAttribute('data-status')).toBe('failed')
    expect(await page.getByTestId('dag-extract').getAttribute('data-status')).toBe('succeeded')
    await page.getByTestId('dag-load').click()
    await expect.poll(() => page.getByTestId('step-logs').textContent()).toContain('connection refused')
    await expect.poll(() => page.getByText(`cairn pipeline resume ${data.failedRunId}`).count()).toBe(1)
    await screenshot(page, 'pipeline-failed')
  })

  it('pauses and resumes a schedule', async () => {
    await page.goto('/pipelines?tab=schedules')
    const row = page
      .getByRole('table', { name: 'Schedules' })
      .getByRole('row')
      .filter({ hasText: 'etl-nightly' })
    await expect.poll(() => row.textContent()).toContain('0 3 * * *')
    await page.getByRole('button', { name: 'Pause schedule etl-nightly' }).click()
    await expect.poll(() => row.textContent()).toContain('paused')
    const stored = async (): Promise<boolean> =>
      (
        (await (await fetch(`${server.url}/api/2.0/cairn/schedules/get?name=etl-nightly`)).json()) as {
          schedule: { paused: boolean }
        }
      ).schedule.paused
    expect(await stored()).toBe(true)
    await page.getByRole('button', { name: 'Resume schedule etl-nightly' }).click()
    await expect.poll(stored).toBe(false)
    await screenshot(page, 'schedules')
  })

  it('made no request outside the server and raised no page errors', () => {
    expect(browser.foreignRequests).toEqual([])
    expect(pageErrors).toEqual([])
  })
})
