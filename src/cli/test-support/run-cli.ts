/** Runs the CLI in process, capturing what it writes to stdout and stderr. For tests only. */
import { vi } from 'vitest'
import { main } from '../main.js'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export async function runCli(args: string[]): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const capture =
    (append: (s: string) => void) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
      const done = rest.find((r): r is () => void => typeof r === 'function')
      done?.()
      return true
    }
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture((s) => (stdout += s)))
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture((s) => (stderr += s)))
  try {
    const code = await main(['node', 'cairn', ...args])
    return { code, stdout, stderr }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}
