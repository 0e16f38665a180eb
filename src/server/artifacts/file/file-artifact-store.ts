/**
 * The `file:` artifact backend: a folder on local disk. Uploads go to a temp file in the target
 * folder and are renamed into place, so a reader never sees half a file and a refused upload
 * leaves nothing behind.
 */
import { randomUUID } from 'node:crypto'
import { constants, type Dirent } from 'node:fs'
import { mkdir, open, readdir, realpath, rename, rm, rmdir, stat, type FileHandle } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import type { FileInfo } from '../../../protocol/entities.js'
import { CairnError, invalidParameter, notFound } from '../../../protocol/errors.js'
import type { ArtifactDownload, ArtifactStore, UploadOptions } from '../artifact-store.js'
import { validateArtifactLocation } from '../location.js'
import { invalidPath, safeRelativePath } from '../safe-path.js'
import { assertInsideRoot, errnoCode, isInside } from './inside-root.js'
import { uploadTooLarge, writeLimited } from './write-limited.js'

export interface FileArtifactStoreOptions {
  maxUploadBytes: number
  /** Create the root folder now (the server's own store) or only on the first upload (run roots). */
  create: boolean
}

/** In-progress uploads; never listed. */
const TEMP_PREFIX = '.cairn-upload-'
const STAT_BATCH = 64

export class FileArtifactStore implements ArtifactStore {
  readonly scheme = 'file'
  readonly rootUri: string
  private realRootCache: string | null = null

  private constructor(
    private readonly root: string,
    readonly maxUploadBytes: number,
  ) {
    this.rootUri = pathToFileURL(root).href
  }

  static async open(root: string, opts: FileArtifactStoreOptions): Promise<FileArtifactStore> {
    const store = new FileArtifactStore(root, opts.maxUploadBytes)
    if (opts.create) await store.ensureRoot()
    return store
  }

  validateLocation(uri: string): void {
    validateArtifactLocation(uri)
  }

  async list(path: string): Promise<FileInfo[]> {
    const rel = safeRelativePath(path)
    const root = await this.existingRoot()
    if (root === null) return []
    const abs = join(root, rel)
    await assertInsideRoot(root, abs, path)
    let entries: Dirent[]
    try {
      entries = await readdir(abs, { withFileTypes: true })
    } catch (err) {
      const code = errnoCode(err)
      if (code === 'ENOENT' || code === 'ENOTDIR') return []
      throw err
    }
    const visible = entries.filter((e) => !e.name.startsWith(TEMP_PREFIX))
    const infos: FileInfo[] = []
    for (let i = 0; i < visible.length; i += STAT_BATCH) {
      const batch = await Promise.all(
        visible.slice(i, i + STAT_BATCH).map((e) => this.describe(root, abs, e)),
      )
      for (const info of batch) if (info) infos.push(info)
    }
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  /** A listing entry; null for what cannot be downloaded (sockets, links leading outside the root). */
  private async describe(root: string, dir: string, entry: Dirent): Promise<FileInfo | null> {
    const abs = join(dir, entry.name)
    if (entry.isSymbolicLink()) {
      const target = await realpath(abs).catch(() => null)
      if (target === null || !isInside(root, target)) return null
    } else if (!entry.isDirectory() && !entry.isFile()) {
      return null
    }
    const st = await stat(abs).catch(() => null)
    if (st === null) return null
    if (st.isDirectory()) return { path: entry.name, isDir: true }
    if (!st.isFile()) return null
    // MLflow leaves file_size out for empty files (a falsy value is not set on the proto).
    return st.size > 0
      ? { path: entry.name, isDir: false, fileSize: st.size }
      : { path: entry.name, isDir: false }
  }

  async upload(path: string, body: Readable, opts: UploadOptions = {}): Promise<{ bytes: number }> {
    const rel = safeRelativePath(path)
    if (rel === '' || path.endsWith('/'))
      throw invalidPath(path, 'it names a folder; give the file name to upload')
    if (opts.declaredBytes !== undefined && opts.declaredBytes > this.maxUploadBytes)
      throw uploadTooLarge(this.maxUploadBytes)
    const root = await this.ensureRoot()
    const abs = join(root, rel)
    await assertInsideRoot(root, abs, path)
    const folder = dirname(abs)
    const firstCreated = await this.makeFolders(folder, path)
    const temp = join(folder, TEMP_PREFIX + randomUUID())
    let file: FileHandle | null = null
    try {
      await assertInsideRoot(root, folder, path)
      file = await open(temp, 'wx', 0o644)
      const bytes = await writeLimited(body, file, this.maxUploadBytes)
      await file.close()
      file = null
      await rename(temp, abs).catch((err: unknown) => {
        const code = errnoCode(err)
        if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST')
          throw invalidPath(path, 'a folder of that name exists')
        throw err
      })
      return { bytes }
    } catch (err) {
      await file?.close().catch(() => undefined)
      await rm(temp, { force: true })
      await removeEmptyFolders(folder, firstCreated)
      throw err
    }
  }

  /** mkdir -p; returns the first folder it created (to undo on failure). */
  private async makeFolders(folder: string, path: string): Promise<string | undefined> {
    try {
      return await mkdir(folder, { recursive: true })
    } catch (err) {
      const code = errnoCode(err)
      if (code === 'EEXIST' || code === 'ENOTDIR')
        throw invalidPath(path, 'one of its parent folders is a file')
      throw err
    }
  }

  async download(path: string): Promise<ArtifactDownload> {
    const rel = safeRelativePath(path)
    if (rel === '') throw isFolder(path)
    const root = await this.existingRoot()
    if (root === null) throw missing(path)
    const abs = join(root, rel)
    await assertInsideRoot(root, abs, path)
    let file: FileHandle
    try {
      // O_NONBLOCK: opening a FIFO someone placed here must not hang the request.
      file = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK)
    } catch (err) {
      const code = errnoCode(err)
      if (code === 'ENOENT' || code === 'ENOTDIR') throw missing(path)
      if (code === 'EISDIR') throw isFolder(path)
      throw err
    }
    try {
      const st = await file.stat()
      if (st.isDirectory()) throw isFolder(path)
      if (!st.isFile()) throw invalidPath(path, 'it is not a regular file')
      // The bytes there when the file was opened: a file appended to meanwhile (file: run roots
      // are written by clients directly) must not send more than the announced size.
      if (st.size === 0) {
        await file.close()
        return { size: 0, stream: Readable.from([]) }
      }
      return { size: st.size, stream: file.createReadStream({ end: st.size - 1, highWaterMark: 256 * 1024 }) }
    } catch (err) {
      await file.close()
      throw err
    }
  }

  async delete(path: string): Promise<void> {
    const rel = safeRelativePath(path)
    if (rel === '')
      throw invalidParameter(
        'Refusing to delete the artifact root; give the path of a file or folder under it.',
      )
    const root = await this.existingRoot()
    if (root === null) return
    const abs = join(root, rel)
    await assertInsideRoot(root, abs, path)
    // rm does not follow symbolic links inside the tree: it removes the links themselves.
    await rm(abs, { recursive: true, force: true }).catch((err: unknown) => {
      if (errnoCode(err) !== 'ENOTDIR') throw err
    })
  }

  private async ensureRoot(): Promise<string> {
    if (this.realRootCache === null) {
      await mkdir(this.root, { recursive: true })
      this.realRootCache = await realpath(this.root)
    }
    return this.realRootCache
  }

  /** The root's realpath, or null while it does not exist (a run root nothing was uploaded to). */
  private async existingRoot(): Promise<string | null> {
    if (this.realRootCache !== null) return this.realRootCache
    try {
      this.realRootCache = await realpath(this.root)
      return this.realRootCache
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return null
      throw err
    }
  }
}

function missing(path: string): CairnError {
  return notFound(`Artifact ${JSON.stringify(path)} does not exist.`)
}

function isFolder(path: string): CairnError {
  return invalidParameter(
    `Artifact ${JSON.stringify(path || '.')} is a folder; list it and download its files one by one.`,
  )
}

/** Removes `folder` and its parents up to `firstCreated` while they are empty (undoing mkdir -p). */
async function removeEmptyFolders(folder: string, firstCreated: string | undefined): Promise<void> {
  if (firstCreated === undefined) return
  const steps = relative(firstCreated, folder)
  if (steps.startsWith('..')) return
  let current = folder
  for (let i = steps === '' ? 0 : steps.split(sep).length; i >= 0; i--) {
    try {
      await rmdir(current)
    } catch {
      return // not empty: another upload is using it
    }
    current = dirname(current)
  }
}
