/**
 * Debian's Chromium driven by playwright-core: headless, sandbox off (root in CI), no background
 * networking (this machine has no network, and the UI must need none), a fresh profile folder.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
export const OUTPUT = fileURLToPath(new URL('../../../../test-output/ui/', import.meta.url))

export interface BrowserSession {
  context: BrowserContext
  page: Page
  /** Requests to any origin other than the server's (the UI must make none). */
  foreignRequests: string[]
  close(): Promise<void>
}

export async function openBrowser(
  baseUrl: string,
  opts: { width?: number; height?: number; theme?: 'light' | 'dark' } = {},
): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'cairn-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
    viewport: { width: opts.width ?? 1440, height: opts.height ?? 900 },
    colorScheme: opts.theme ?? 'light',
    baseURL: baseUrl,
  })
  const foreignRequests: string[] = []
  const origin = new URL(baseUrl).origin
  context.on('request', (r) => {
    const u = r.url()
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreignRequests.push(u)
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    foreignRequests,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT, { recursive: true })
  const path = join(OUTPUT, `${name}.png`)
  await page.screenshot({ path })
  return path
}
