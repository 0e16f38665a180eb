/**
 * Terminal styling. Colors only on a TTY, never when NO_COLOR is set (no-color.org: any
 * non-empty value) or TERM=dumb; FORCE_COLOR turns them on for pipes (e.g. `| less -R`).
 */

export interface Style {
  readonly color: boolean
  readonly bold: (s: string) => string
  readonly dim: (s: string) => string
  readonly red: (s: string) => string
  readonly green: (s: string) => string
  readonly yellow: (s: string) => string
  readonly cyan: (s: string) => string
}

const wrap =
  (open: number, close: number) =>
  (s: string): string =>
    `\u001b[${open}m${s}\u001b[${close}m`

const COLORS: Style = {
  color: true,
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
}

const same = (s: string): string => s
export const PLAIN: Style = {
  color: false,
  bold: same,
  dim: same,
  red: same,
  green: same,
  yellow: same,
  cyan: same,
}

export function useColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '' && env['FORCE_COLOR'] !== '0') return true
  if (env['TERM'] === 'dumb') return false
  return stream.isTTY === true
}

export function styleFor(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined> = process.env,
): Style {
  return useColor(stream, env) ? COLORS : PLAIN
}

const ANSI = /\u001b\[[0-9;]*m/g

/** Printed width: ANSI codes take no room; most terminals draw these characters one cell wide. */
export function visibleWidth(s: string): number {
  return [...s.replace(ANSI, '')].length
}
