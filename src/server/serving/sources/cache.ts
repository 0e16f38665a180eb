/**
 * The local model cache: each version's files in `<dir>/<name>/<version>-<hash of location>`,
 * written into a temporary folder and renamed into place, so a folder in the cache is always
 * complete and a crash mid-download leaves only a `.tmp-*` folder (removed on the next fill).
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModelRef } from './model-source.js'

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || '_'

export class ModelCache {
  constructor(readonly dir: string) {}

  pathOf(ref: ModelRef): string {
    const hash = createHash('sha256').update(ref.location).digest('hex').slice(0, 12)
    return join(this.dir, safe(ref.name), `${safe(ref.version ?? 'files')}-${hash}`)
  }

  /** The cached folder for `ref`, filled by `fill(tmpDir)` the first time. */
  async materialize(ref: ModelRef, fill: (dir: string) => Promise<void>): Promise<string> {
    const target = this.pathOf(ref)
    if ((await stat(target).catch(() => null))?.isDirectory()) return target
    const parent = join(target, '..')
    await mkdir(parent, { recursive: true })
    for (const e of await readdir(parent)) {
      if (e.startsWith('.tmp-')) await rm(join(parent, e), { recursive: true, force: true }).catch(() => {})
    }
    const tmp = join(parent, `.tmp-${randomBytes(6).toString('hex')}`)
    await mkdir(tmp)
    try {
      await fill(tmp)
      await rename(tmp, target)
    } catch (err) {
      await rm(tmp, { recursive: true, force: true })
      const code = (err as NodeJS.ErrnoException).code
      // Another load of the same version finished first: its folder is as good as ours.
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await stat(target).catch(() => null))) return target
      throw err
    }
    return target
  }
}
