/**
 * The file backend's half of path safety: a lexically safe path can still leave the root
 * through a symlink. `assertInsideRoot` resolves the deepest part of the path that exists and
 * refuses it when it lands outside the root.
 */
import { realpath } from 'node:fs/promises'
import { dirname, sep } from 'node:path'
import { invalidPath } from '../safe-path.js'

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code
}

export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)
}

/**
 * `abs` is `join(realRoot, relative)` for a relative path already checked by
 * `safeRelativePath`, and `realRoot` is the root's realpath. Throws INVALID_PARAMETER_VALUE when
 * the deepest existing ancestor of `abs` (or `abs` itself) resolves outside the root.
 */
export async function assertInsideRoot(realRoot: string, abs: string, relative: string): Promise<void> {
  let probe = abs
  for (;;) {
    let resolved: string
    try {
      resolved = await realpath(probe)
    } catch (err) {
      const code = errnoCode(err)
      if ((code === 'ENOENT' || code === 'ENOTDIR') && probe !== realRoot) {
        probe = dirname(probe)
        continue
      }
      if (code === 'ELOOP') throw invalidPath(relative, 'a symbolic link loop')
      throw err
    }
    if (!isInside(realRoot, resolved))
      throw invalidPath(relative, 'it leads outside the artifact root through a symbolic link')
    return
  }
}
