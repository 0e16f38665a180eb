/**
 * Artifact stores, one backend per URI scheme (`file:` now, `s3:` later), opened by
 * `open-artifacts.ts`. Paths are relative to the store's root with '/' separators; every method
 * refuses unsafe paths (`safe-path.ts`) with INVALID_PARAMETER_VALUE, so callers cannot escape
 * the root even if they forget to check.
 */
import type { Readable } from 'node:stream'
import type { FileInfo } from '../../protocol/entities.js'

export interface ArtifactDownload {
  /** Size in bytes when the file was opened. */
  size: number
  /** The file's bytes, read as they are sent; destroy it to stop early. */
  stream: Readable
}

export interface UploadOptions {
  /** Content-Length the client declared: a value over the limit is refused before reading. */
  declaredBytes?: number
}

export interface ArtifactStore {
  readonly scheme: string
  /** The root, as a URI. */
  readonly rootUri: string
  /** Largest upload accepted, in bytes. */
  readonly maxUploadBytes: number

  /**
   * Entries directly under `path` ('' for the root), sorted by name; `path` of each is its
   * name. Directories and empty files have no `fileSize`, as in MLflow. A `path` that is a file
   * or does not exist lists as [] (MLflow answers the same).
   */
  list(path: string): Promise<FileInfo[]>

  /**
   * Stores `body` at `path`, creating folders and replacing an existing file. Streams: the body
   * is never held in memory. Past `maxUploadBytes` it throws a 413 error and leaves nothing
   * behind: the old file, if any, is untouched. The caller keeps ownership of `body`: on
   * failure it is left unread, never destroyed, so the caller can still answer the request.
   */
  upload(path: string, body: Readable, opts?: UploadOptions): Promise<{ bytes: number }>

  /** Opens a file for reading. RESOURCE_DOES_NOT_EXIST when missing; INVALID_PARAMETER_VALUE for a folder. */
  download(path: string): Promise<ArtifactDownload>

  /** Deletes a file or a folder tree. A missing path is not an error; the root cannot be deleted. */
  delete(path: string): Promise<void>

  /** Throws INVALID_PARAMETER_VALUE for an artifact location an experiment may not use. */
  validateLocation(uri: string): void
}
