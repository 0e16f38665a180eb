/**
 * The example's monitor `sp500-drift` (monitor.yaml): the "current" window written as a features
 * file, the YAML resolved for this machine (that file, the receiver's URL) and added to the server
 * with `cairn monitor add`, replacing an older monitor of that name.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml, stringify } from 'yaml'
import { main as cairn } from '../../../src/cli/main.js'
import { MonitorsClient } from '../../../src/monitoring/monitors/client.js'
import { parsePriceCsv, readSource } from '../lib/data.js'
import { computeFeatures, featuresToCsv } from '../lib/features.js'
import { selectPeriod, type Period } from '../lib/windows.js'

const HERE = dirname(fileURLToPath(import.meta.url))
export const MONITOR_YAML = join(HERE, '..', 'monitor.yaml')
export const MONITOR = 'sp500-drift'
/** The server's variable holding the webhooks' signing secret (monitor.yaml's `secret_env`). */
export const SECRET_ENV = 'SP500_WEBHOOK_SECRET'
export const CURRENT_FILE = 'sp500-current.csv'

export interface CurrentWindow {
  file: string
  rows: number
  first: string
  last: string
}

/** Features of the period's days (`date,close,label,<features>`; drift reads the feature columns). */
export async function writeCurrentWindow(data: string, period: Period, file: string): Promise<CurrentWindow> {
  const table = parsePriceCsv((await readSource(data)).text)
  const features = computeFeatures(table.rows, table.columns)
  const rows = selectPeriod(features.rows, period)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, featuresToCsv({ names: features.names, rows }))
  return { file, rows: rows.length, first: rows[0]!.date, last: rows.at(-1)!.date }
}

type Doc = Record<string, unknown>
const asDoc = (v: unknown): Doc =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Doc) : {}

/**
 * monitor.yaml for this machine: relative `current.file` / `reference.file` under `dir`, and the
 * first webhook sent to `webhookUrl` (or every webhook dropped when null).
 */
export async function resolveMonitor(opts: { dir: string; webhookUrl: string | null }): Promise<Doc> {
  const doc = asDoc(parseYaml(await readFile(MONITOR_YAML, 'utf8')))
  for (const part of ['current', 'reference']) {
    const section = asDoc(doc[part])
    const file = section['file']
    if (typeof file === 'string' && !isAbsolute(file))
      doc[part] = { ...section, file: resolve(opts.dir, file) }
  }
  const alerts = asDoc(doc['alerts'])
  const hooks = Array.isArray(alerts['webhooks']) ? (alerts['webhooks'] as unknown[]) : []
  doc['alerts'] = {
    ...alerts,
    webhooks:
      opts.webhookUrl === null
        ? []
        : hooks.map((h, i) => (i === 0 ? { ...asDoc(h), url: opts.webhookUrl } : h)),
  }
  return doc
}

/** Writes the resolved document beside the data and adds it (`cairn monitor add FILE`). */
export async function addMonitor(trackingUri: string, doc: Doc, dir: string): Promise<string> {
  const file = join(dir, `${MONITOR}.yaml`)
  await mkdir(dir, { recursive: true })
  await writeFile(file, `# monitor.yaml resolved for this machine by examples/sp500\n${stringify(doc)}`)
  const monitors = MonitorsClient.forUri(trackingUri)
  if ((await monitors.list()).some((m) => m.name === MONITOR)) await monitors.delete(MONITOR)
  const code = await cairn(['node', 'cairn', 'monitor', 'add', file, '--tracking-uri', trackingUri])
  if (code !== 0) throw new Error(`cairn monitor add ${file} failed (exit ${code})`)
  return file
}
