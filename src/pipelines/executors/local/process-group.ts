/**
 * Steps run as the leader of their own process group (spawned detached), so stopping a step
 * signals the whole group: the shell, the program it started, and anything those left running in
 * the background. A process that moves itself into another session (setsid, daemons) escapes any
 * group kill; that is the one way to leave something behind.
 */
import type { ChildProcess } from 'node:child_process'

/** Signals every process of the group; false when the group is already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

/** Whether any process of the group is still alive. */
export function groupAlive(pid: number): boolean {
  return signalGroup(pid, 0 as unknown as NodeJS.Signals)
}

/**
 * SIGTERM to the group, then SIGKILL after `graceMs` if any member still runs. Resolves once the
 * group is gone (or after the SIGKILL, which cannot be refused).
 */
export async function stopGroup(child: ChildProcess, graceMs: number): Promise<void> {
  const pid = child.pid
  if (pid === undefined) return
  if (!signalGroup(pid, 'SIGTERM')) return
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (!groupAlive(pid)) return
    await new Promise((r) => setTimeout(r, 20))
  }
  signalGroup(pid, 'SIGKILL')
}

/** Splits a byte stream into lines; a line longer than `max` is cut into pieces. */
export class LineSplitter {
  private partial = ''
  constructor(
    private readonly emit: (line: string) => void,
    private readonly max = 64 * 1024,
  ) {}

  push(chunk: string): void {
    let text = this.partial + chunk
    let nl = text.indexOf('\n')
    while (nl !== -1) {
      this.emit(text.slice(0, nl).replace(/\r$/, ''))
      text = text.slice(nl + 1)
      nl = text.indexOf('\n')
    }
    while (text.length > this.max) {
      this.emit(text.slice(0, this.max))
      text = text.slice(this.max)
    }
    this.partial = text
  }

  end(): void {
    if (this.partial !== '') this.emit(this.partial)
    this.partial = ''
  }
}
