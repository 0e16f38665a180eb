/** Content digests of artifact folders: what the cache key sees of a step's inputs. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { listFiles } from '../../client/artifacts.js'

export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * `sha256:<hex>` over the folder's files: each file's relative path and content digest, sorted by
 * path, so the same files give the same digest wherever and whenever they were written.
 */
export async function folderDigest(dir: string, files?: string[]): Promise<string> {
  const names = [...(files ?? (await listFiles(dir)))].sort()
  const hash = createHash('sha256')
  for (const rel of names) hash.update(`${rel}\0${await fileDigest(join(dir, rel))}\n`)
  return `sha256:${hash.digest('hex')}`
}
