/** Streaming a request body into a file with a byte limit, without taking the body over. */
import type { FileHandle } from 'node:fs/promises'
import { finished, PassThrough, type Readable } from 'node:stream'
import { CairnError } from '../../../protocol/errors.js'

export function uploadTooLarge(limit: number): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', `Artifact exceeds the upload limit of ${limit} bytes.`, {
    status: 413,
  })
}

/** The client went away mid-upload: its failure, not one to log as a server error. */
function uploadCutShort(): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', 'The upload ended before its last byte.')
}

/**
 * Reads `body` through a pass-through, so that stopping early (limit, disk error) destroys only
 * the pass-through: `body` is unpiped and left as it was, and an HTTP request can still be
 * answered (destroying a request destroys its socket). A body that closes before its end
 * (client gone) fails the write.
 */
function detached(body: Readable): { source: Readable; release: () => void } {
  const source = new PassThrough({ highWaterMark: 256 * 1024 })
  // Also fires at once for a body that was already destroyed before the upload began.
  const stopWatching = finished(body, { writable: false }, (err) => {
    if (err) source.destroy(err.code === 'ERR_STREAM_PREMATURE_CLOSE' ? uploadCutShort() : err)
  })
  body.pipe(source)
  return {
    source,
    release: () => {
      stopWatching()
      body.unpipe(source)
    },
  }
}

/** Copies `body` into `file`; throws a 413 CairnError as soon as more than `limit` bytes arrive. */
export async function writeLimited(body: Readable, file: FileHandle, limit: number): Promise<number> {
  const { source, release } = detached(body)
  let size = 0
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > limit) throw uploadTooLarge(limit)
      let offset = 0
      while (offset < chunk.length) offset += (await file.write(chunk, offset)).bytesWritten
    }
    await file.sync()
    return size
  } finally {
    release()
  }
}
