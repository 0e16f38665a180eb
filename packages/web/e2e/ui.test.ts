/**
 * The web UI in Debian's Chromium against a real `cairn server` (the built CLI) with seeded
 * data: every page, the compare flow, a filter typo's inline error, moving an alias through its
 * confirmation, themes, and no request leaving the server. Screenshots go to test-output/ui/.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { openBrowser, screenshot, type BrowserSession } from './support/browser.js'
import { seed, type Seeded } from './support/seed.js'
import { startCairn, type CairnProcess } from './support/server.js'

describe('web UI in Chromium', () => {
  let server: CairnProcess
  let data: Seeded
  let browser: BrowserSession
  let page: Page
  const pageErrors: string[] = []

  beforeAll(async () => {
    server = await startCairn()
    data = await seed(server.url)
    browser = await openBrowser(server.url)
    page = browser.page
    page.on('pageerror', (e) => pageErrors.push(String(e)))
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('serves the app at / and lists experiments with their run counts', async () => {
    const res = await page.goto('/')
    expect(res?.status()).toBe(200)
    const table = page.getByRole('table', { name: 'Experiments' })
    const row = table.getByRole('row').filter({ hasText: 'fraud-detection' })
    await expect.poll(() => row.locator('td').nth(3).textContent()).toBe('34')
    await expect
      .poll(() => table.getByRole('row').filter({ hasText: 'churn' }).locator('td').nth(3).textContent())
      .toBe('8')
    await screenshot(page, 'experiments')
  })

  it('creates, renames, deletes and restores an experiment', async () => {
    await page.goto('/')
    await page.getByLabel('New experiment').fill('scratch')
    await page.getByRole('button', { name: 'Create' }).click()
    const table = page.getByRole('table', { name: 'Experiments' })
    await table.getByRole('link', { name: 'scratch' }).waitFor()
    await page.getByRole('button', { name: 'Rename scratch' }).click()
    await page.getByLabel('New name').fill('scratch-2')
    await page.getByRole('button', { name: 'Save' }).click()
    await table.getByRole('link', { name: 'scratch-2' }).waitFor()
    page.once('dialog', (d) => void d.accept())
    await page.getByRole('button', { name: 'Delete scratch-2' }).click()
    await table.getByRole('link', { name: 'scratch-2' }).waitFor({ state: 'detached' })
    await page.getByLabel('Deleted').check()
    await table
      .getByRole('row')
      .filter({ hasText: 'scratch-2' })
      .getByRole('button', { name: 'Restore' })
      .click()
    await table.getByRole('row').filter({ hasText: 'scratch-2' }).waitFor({ state: 'detached' })
    await page.getByLabel('Deleted').uncheck()
    await table.getByRole('link', { name: 'scratch-2' }).waitFor()
  })

  it('shows a runs table, sorts it on the server by a metric, and keeps the view in the URL', async () => {
    await page.goto(`/runs?e=${data.experimentId}`)
    const grid = page.getByRole('grid', { name: 'Runs' })
    await expect.poll(() => page.getByTestId('run-count').textContent()).toContain('34 runs')
    await grid.getByRole('columnheader', { name: /^auc/ }).click()
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('-metrics.auc')
    const firstAuc = async (): Promise<number> => {
      const header = grid.getByRole('columnheader', { name: /^auc/ })
      const col = await header.getAttribute('aria-colindex')
      return Number(await grid.locator(`[aria-rowindex="2"] [aria-colindex="${col}"]`).textContent())
    }
    await expect.poll(firstAuc).toBe(0.88)
    await grid.getByRole('columnheader', { name: /^auc/ }).click()
    await expect.poll(firstAuc).toBe(0.7)
    await screenshot(page, 'runs-table')
    // The URL alone restores the view.
    const url = page.url()
    await page.goto('/')
    await page.goto(url)
    await expect.poll(firstAuc).toBe(0.7)
  })

  it('shows a filter typo as an inline error at its position, from the parser and from the server', async () => {
    await page.goto(`/runs?e=${data.experimentId}`)
    const box = page.getByTestId('filter-input')
    await box.fill("params.optimizer = 'adam' AND metrics.auc >> 0.8")
    await box.press('Enter')
    const error = page.getByTestId('filter-error')
    await expect.poll(() => error.textContent()).toMatch(/position \d+/)
    expect(await box.getAttribute('aria-invalid')).toBe('true')
    expect(new URL(page.url()).searchParams.get('q')).toBeNull()
    await screenshot(page, 'filter-error')
    // A filter that reaches the server anyway (typed into the URL) shows the server's 400 message.
    await page.goto(`/runs?e=${data.experimentId}&q=${encodeURIComponent("paramz.lr = '0.1'")}`)
    await expect.poll(() => page.getByTestId('filter-error').textContent()).toContain('paramz')
    // A valid filter with OR narrows the runs on the server.
    await page.getByTestId('filter-input').fill("params.optimizer = 'adam' OR params.optimizer = 'sgd'")
    await page.getByTestId('filter-input').press('Enter')
    await expect.poll(() => page.getByTestId('run-count').textContent()).toContain('22 runs')
  })

  it('completes keys in the filter box', async () => {
    await page.goto(`/runs?e=${data.experimentId}`)
    await expect.poll(() => page.getByTestId('run-count').textContent()).toContain('runs')
    const box = page.getByTestId('filter-input')
    await box.fill('metrics.ac')
    await page.getByRole('option', { name: 'metrics.accuracy' }).waitFor()
    await box.press('Tab')
    expect(await box.inputValue()).toBe('metrics.accuracy ')
  })

  it('hides columns with the chooser and groups runs by a param with aggregates', async () => {
    await page.goto(`/runs?e=${data.experimentId}`)
    const grid = page.getByRole('grid', { name: 'Runs' })
    await grid.getByRole('columnheader', { name: /^loss/ }).waitFor()
    await page.getByRole('button', { name: /^Columns/ }).click()
    const chooser = page.getByRole('dialog', { name: 'Choose columns' })
    await chooser.getByRole('checkbox', { name: /loss/ }).uncheck()
    await grid.getByRole('columnheader', { name: /^loss/ }).waitFor({ state: 'detached' })
    expect(new URL(page.url()).searchParams.get('cols')).not.toContain('metrics.loss')
    await chooser.getByRole('button', { name: 'Close column chooser' }).click()
    await page.getByLabel('Group by').selectOption('params.optimizer')
    const groups = page.getByRole('table', { name: 'Runs grouped by params.optimizer' })
    // adam, sgd, rmsprop, and the two child runs that have no optimizer param.
    await expect.poll(() => groups.getByRole('row').count()).toBe(5)
    await expect
      .poll(() => groups.getByRole('row').filter({ hasText: 'adam' }).locator('td').first().textContent())
      .toBe('11')
    await groups.getByRole('row').filter({ hasText: '(none)' }).waitFor()
    await screenshot(page, 'runs-grouped')
  })

  it('draws one chart per metric from downsampled buckets, in steps or time, with smoothing', async () => {
    const sel = data.runIds.slice(0, 5).join(',')
    await page.goto(`/runs?e=${data.experimentId}&tab=charts&sel=${sel}`)
    const loss = page.getByTestId('chart-loss')
    await expect.poll(() => loss.locator('canvas').getAttribute('data-drawn')).toBe('1000')
    await expect
      .poll(() => page.getByTestId('chart-accuracy').locator('canvas').getAttribute('data-drawn'))
      .toBe('100')
    await page.getByRole('radio', { name: 'Time' }).click()
    await expect.poll(() => new URL(page.url()).searchParams.get('x')).toBe('time')
    await page.getByRole('slider').fill('0.6')
    await expect.poll(() => new URL(page.url()).searchParams.get('smooth')).toBe('0.6')
    await screenshot(page, 'charts')
    await page.getByRole('tab', { name: 'Scatter' }).click()
    await page.getByRole('img', { name: /Scatter of/ }).waitFor()
    await page.getByRole('tab', { name: 'Parallel coordinates' }).click()
    await page.getByRole('img', { name: /Parallel coordinates of/ }).waitFor()
    await screenshot(page, 'parallel-coordinates')
  })

  it('selects runs with the keyboard and compares them: differences, best values, charts, CSV', async () => {
    await page.goto(`/runs?e=${data.experimentId}&sort=-metrics.auc`)
    const grid = page.getByRole('grid', { name: 'Runs' })
    await expect.poll(() => page.getByTestId('run-count').textContent()).toContain('34 runs')
    await grid.focus()
    await page.keyboard.press('Space')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Space')
    await expect.poll(() => page.getByTestId('run-count').textContent()).toContain('2 selected')
    await page.getByTestId('compare-button').click()
    await page.waitForURL(/\/compare\?runs=/)
    const params = page.getByRole('table', { name: 'Parameters compared' })
    await params.getByRole('row').filter({ hasText: 'optimizer' }).waitFor()
    const differing = await params.locator('tr[data-differs="true"] th').allTextContents()
    expect(differing.length).toBeGreaterThan(0)
    const metrics = page.getByRole('table', { name: 'Metrics compared' })
    const aucRow = metrics.getByRole('row').filter({ hasText: /^auc/ })
    await expect.poll(() => aucRow.locator('td.best').count()).toBe(1)
    expect(await aucRow.locator('td').first().getAttribute('class')).toContain('best')
    await page.getByTestId('chart-loss').locator('canvas[data-drawn]').waitFor()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ])
    const csv = readFileSync(await download.path(), 'utf8')
    expect(csv.split('\r\n')[0]).toMatch(/^field,run-\d\d,run-\d\d$/)
    expect(csv).toMatch(/\r\nmetrics\.auc,0\.8\d*,0\.8\d*\r\n/)
    expect(csv).toMatch(/\r\nparams\.optimizer,\w+,\w+\r\n/)
    await screenshot(page, 'compare')
  })

  it('shows a run: params, metrics, previews of each artifact kind, dataset inputs, children; edits tags', async () => {
    await page.goto(`/runs/${data.richRunId}`)
    await page
      .getByRole('table', { name: 'Parameters' })
      .getByRole('row')
      .filter({ hasText: 'optimizer' })
      .waitFor()
    await page.getByRole('table', { name: 'Dataset inputs' }).getByText('transactions').waitFor()
    await page.getByRole('heading', { name: 'Child runs (2)' }).waitFor()
    const preview = page.getByTestId('artifact-preview')
    const tree = page.getByRole('tree', { name: 'Artifacts' })
    await tree.getByRole('button', { name: /notes\.txt/ }).click()
    await expect.poll(() => preview.locator('pre').textContent()).toContain('Threshold tuned for recall.')
    await tree.getByRole('button', { name: /metrics\.json/ }).click()
    await expect.poll(() => preview.locator('pre').textContent()).toContain('"precision": 0.91')
    await tree.getByRole('button', { name: /eval/ }).click()
    await tree.getByRole('button', { name: /predictions\.csv/ }).click()
    await expect.poll(() => preview.getByRole('table').getByRole('row').count()).toBe(4)
    await tree.getByRole('button', { name: /plots/ }).click()
    await tree.getByRole('button', { name: /roc\.png/ }).click()
    await expect
      .poll(() => preview.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBe(48)
    await tree.getByRole('button', { name: /^▸ model/ }).click()
    await tree.getByRole('button', { name: /MLmodel/ }).click()
    await expect.poll(() => preview.textContent()).toContain('python_function')
    await screenshot(page, 'run')
    // Tags: add, edit, delete.
    await page.getByLabel('Key', { exact: true }).fill('reviewed')
    await page.getByLabel('Value', { exact: true }).fill('no')
    await page.getByRole('button', { name: 'Add tag' }).click()
    const tags = page.getByRole('table', { name: 'Tags' })
    await tags.getByRole('row').filter({ hasText: 'reviewed' }).waitFor()
    await page.getByRole('button', { name: 'Edit tag reviewed' }).click()
    await page.getByLabel('Value of reviewed').fill('yes')
    await tags.getByRole('button', { name: 'Save' }).click()
    await expect
      .poll(() => tags.getByRole('row').filter({ hasText: 'reviewed' }).locator('td').first().textContent())
      .toBe('yes')
    const stored = (await (
      await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${data.richRunId}`)
    ).json()) as {
      run: { data: { tags: { key: string; value: string }[] } }
    }
    expect(stored.run.data.tags.find((t) => t.key === 'reviewed')?.value).toBe('yes')
    await page.getByRole('button', { name: 'Delete tag reviewed' }).click()
    await tags.getByRole('row').filter({ hasText: 'reviewed' }).waitFor({ state: 'detached' })
    // Parent and child link to each other.
    await page.getByRole('link', { name: 'fold-0' }).click()
    await page
      .getByRole('link', { name: /Parent run|…/ })
      .first()
      .waitFor()
  })

  it('moves champion after showing the policy verdict, records it in the history, and rolls back', async () => {
    await page.goto('/models')
    await page
      .getByRole('table', { name: 'Registered models' })
      .getByRole('link', { name: data.model })
      .click()
    await page.getByTestId('move-champion').click()
    const dialog = page.getByTestId('move-alias-dialog')
    await dialog.getByLabel('to version').selectOption('3')
    await expect.poll(() => dialog.getByTestId('verdict').textContent()).toContain('PASS')
    await expect
      .poll(() => dialog.getByRole('table', { name: 'Policy checks' }).getByRole('row').count())
      .toBe(3)
    await screenshot(page, 'model-promote')
    // Nothing moved by the dry run.
    const alias = async (): Promise<string> =>
      (
        (await (
          await fetch(
            `${server.url}/api/2.0/mlflow/registered-models/alias?name=${data.model}&alias=champion`,
          )
        ).json()) as { model_version: { version: string } }
      ).model_version.version
    expect(await alias()).toBe('1')
    await dialog.getByLabel('Reason').fill('better auc')
    await dialog.getByTestId('confirm-move').click()
    await expect.poll(alias).toBe('3')
    const history = page.getByTestId('history')
    await expect
      .poll(() => history.locator('li').first().textContent())
      .toContain('@champion v1 → v3 (promote)')
    await expect.poll(() => history.locator('li').first().textContent()).toContain('better auc')
    page.once('dialog', (d) => void d.accept())
    await page.getByTestId('rollback-champion').click()
    await expect.poll(alias).toBe('1')
    await expect.poll(() => history.locator('li').first().textContent()).toContain('(rollback)')
    await screenshot(page, 'model')
  })

  it('switches to the dark theme and keeps it across reloads', async () => {
    await page.goto(`/runs?e=${data.experimentId}`)
    await page.getByRole('button', { name: 'Switch to dark theme' }).click()
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark')
    await page.reload()
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark')
    await expect.poll(() => page.getByTestId('run-count').textContent()).toContain('34 runs')
    await screenshot(page, 'runs-table-dark')
    await page.getByRole('button', { name: 'Switch to light theme' }).click()
  })

  it('fits a 1280×720 laptop screen without horizontal page scrolling', async () => {
    await page.setViewportSize({ width: 1280, height: 720 })
    for (const path of [
      '/',
      `/runs?e=${data.experimentId}`,
      `/runs/${data.richRunId}`,
      `/models/${data.model}`,
    ]) {
      await page.goto(path)
      await page.waitForLoadState('networkidle')
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      )
      expect(overflow, path).toBeLessThanOrEqual(0)
    }
    await screenshot(page, 'laptop-runs')
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  it('made no request outside the server and raised no page errors', () => {
    expect(browser.foreignRequests).toEqual([])
    expect(pageErrors).toEqual([])
  })
})
