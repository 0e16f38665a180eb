/**
 * A real `cairn server` (bin/cairn.js, the built CLI) on an ephemeral loopback port with its own
 * temp home, database and artifact folder; `stop()` ends it and removes the folder.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export interface CairnProcess {
  url: string
  dir: string
  stop(): Promise<void>
}

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

export async function startCairn(opts: { dbPath?: string } = {}): Promise<CairnProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-e2e-'))
  const args = [
    join(ROOT, 'bin', 'cairn.js'),
    'server',
    '--port',
    '0',
    '--backend-store-uri',
    `sqlite:///${opts.dbPath ?? join(dir, 'cairn.db')}`,
    '--artifacts-destination',
    pathToFileURL(join(dir, 'artifacts')).href,
    '--log-level',
    'warn',
  ]
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, CAIRN_HOME: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cairn server did not start:\n${stderr}`)), 30_000)
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const m = /listening on (http:\/\/\S+)/.exec(stderr)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`cairn server exited with ${code}:\n${stderr}`))
    })
  })
  return {
    url,
    dir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
