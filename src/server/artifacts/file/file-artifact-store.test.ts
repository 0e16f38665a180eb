import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CairnError } from '../../../protocol/errors.js'
import { FileArtifactStore } from './file-artifact-store.js'

let dir: string
let root: string
let outside: string
let store: FileArtifactStore

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-file-store-'))
  root = join(dir, 'root')
  outside = join(dir, 'outside')
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.txt'), 'secret')
  store = await FileArtifactStore.open(root, { maxUploadBytes: 1000, create: true })
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

const body = (...chunks: string[]): Readable => Readable.from(chunks.map((c) => Buffer.from(c)))

async function codeOf(p: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await p
  } catch (err) {
    if (err instanceof CairnError) return { code: err.code, status: err.status }
    throw err
  }
  throw new Error('expected a CairnError')
}

/** Every name under `path`, recursively, to prove nothing else was left behind. */
function tree(path: string): string[] {
  return readdirSync(path, { recursive: true }).map(String).sort()
}

describe('FileArtifactStore', () => {
  it('uploads, lists, downloads and deletes a file', async () => {
    expect(await store.upload('a/b/c.txt', body('hello ', 'world'))).toEqual({ bytes: 11 })
    expect(await store.list('')).toEqual([{ path: 'a', isDir: true }])
    expect(await store.list('a/b')).toEqual([{ path: 'c.txt', isDir: false, fileSize: 11 }])
    const file = await store.download('a/b/c.txt')
    expect(file.size).toBe(11)
    expect(await text(file.stream)).toBe('hello world')
    await store.delete('a/b/c.txt')
    expect(await store.list('a/b')).toEqual([])
  })

  it('lists entries sorted by name, with no file_size for folders and empty files', async () => {
    await store.upload('z.txt', body('z'))
    await store.upload('empty.txt', body())
    await store.upload('m/x', body('x'))
    expect(await store.list('')).toEqual([
      { path: 'empty.txt', isDir: false },
      { path: 'm', isDir: true },
      { path: 'z.txt', isDir: false, fileSize: 1 },
    ])
  })

  it('lists a file or a missing path as empty', async () => {
    await store.upload('f.txt', body('f'))
    expect(await store.list('f.txt')).toEqual([])
    expect(await store.list('nope')).toEqual([])
  })

  it('replaces an existing file on upload', async () => {
    await store.upload('f.txt', body('old'))
    await store.upload('f.txt', body('new!'))
    expect(readFileSync(join(root, 'f.txt'), 'utf8')).toBe('new!')
  })

  it('refuses an upload over the limit with 413, keeps the old file and leaves no temp file or folder', async () => {
    await store.upload('keep.txt', body('old'))
    const big = body(...Array.from({ length: 11 }, () => 'x'.repeat(100)))
    expect(await codeOf(store.upload('keep.txt', big))).toEqual({
      code: 'INVALID_PARAMETER_VALUE',
      status: 413,
    })
    expect(await codeOf(store.upload('new/deep/f.bin', body('y'.repeat(1001))))).toMatchObject({
      status: 413,
    })
    expect(readFileSync(join(root, 'keep.txt'), 'utf8')).toBe('old')
    expect(tree(root)).toEqual(['keep.txt'])
  })

  it('refuses a declared length over the limit before reading the body', async () => {
    const unread = body('x')
    expect(await codeOf(store.upload('f.txt', unread, { declaredBytes: 5000 }))).toMatchObject({
      status: 413,
    })
    expect(unread.readableEnded).toBe(false)
    expect(tree(root)).toEqual([])
  })

  it('accepts a body of exactly the limit', async () => {
    expect(await store.upload('f.bin', body('x'.repeat(1000)))).toEqual({ bytes: 1000 })
  })

  it('removes the temp file and the folders it made when the body fails midway', async () => {
    const failing = new Readable({ read() {} })
    const upload = store.upload('new/f.txt', failing)
    failing.push(Buffer.from('partial'))
    while (!tree(root).some((n) => n.includes('.cairn-upload-'))) await new Promise((r) => setTimeout(r, 5))
    failing.destroy(new Error('client went away'))
    await expect(upload).rejects.toThrow('client went away')
    expect(tree(root)).toEqual([])
  })

  it('fails an upload whose body was closed before it began, leaving nothing', async () => {
    const closed = new Readable({ read() {} })
    closed.destroy()
    expect(await codeOf(store.upload('f.txt', closed))).toEqual({
      code: 'INVALID_PARAMETER_VALUE',
      status: 400,
    })
    expect(tree(root)).toEqual([])
  })

  it('does not list in-progress uploads', async () => {
    const slow = new Readable({ read() {} })
    const upload = store.upload('f.txt', slow)
    slow.push(Buffer.from('part'))
    await new Promise((r) => setTimeout(r, 20))
    expect(readdirSync(root).some((n) => n.startsWith('.cairn-upload-'))).toBe(true)
    expect(await store.list('')).toEqual([])
    slow.push(null)
    await upload
    expect(await store.list('')).toEqual([{ path: 'f.txt', isDir: false, fileSize: 4 }])
  })

  it('downloads the bytes present when the file was opened, even if it grows meanwhile', async () => {
    await store.upload('grow.log', body('first\n'))
    const file = await store.download('grow.log')
    appendFileSync(join(root, 'grow.log'), 'second\n')
    expect(file.size).toBe(6)
    expect(await text(file.stream)).toBe('first\n')
  })

  it('answers RESOURCE_DOES_NOT_EXIST for a missing file and INVALID_PARAMETER_VALUE for a folder', async () => {
    await store.upload('d/f.txt', body('f'))
    expect(await codeOf(store.download('nope.txt'))).toEqual({ code: 'RESOURCE_DOES_NOT_EXIST', status: 404 })
    expect(await codeOf(store.download('d/f.txt/x'))).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' })
    expect(await codeOf(store.download('d'))).toEqual({ code: 'INVALID_PARAMETER_VALUE', status: 400 })
    expect(await codeOf(store.download(''))).toMatchObject({ code: 'INVALID_PARAMETER_VALUE' })
  })

  it('refuses to upload onto a folder or below a file', async () => {
    await store.upload('d/f.txt', body('f'))
    expect(await codeOf(store.upload('d', body('x')))).toMatchObject({ status: 400 })
    expect(await codeOf(store.upload('d/f.txt/g', body('x')))).toMatchObject({ status: 400 })
    expect(await codeOf(store.upload('d/', body('x')))).toMatchObject({ status: 400 })
    expect(tree(root)).toEqual(['d', 'd/f.txt'])
  })

  it('deletes folder trees, ignores missing paths and refuses the root', async () => {
    await store.upload('d/e/f.txt', body('f'))
    await store.delete('missing/path')
    await store.delete('d')
    expect(tree(root)).toEqual([])
    expect(await codeOf(store.delete(''))).toMatchObject({ code: 'INVALID_PARAMETER_VALUE' })
    expect(await codeOf(store.delete('.'))).toMatchObject({ code: 'INVALID_PARAMETER_VALUE' })
  })

  it.each(['../outside/secret.txt', '/etc/passwd', 'a\\..\\..\\x', 'a\0b', '%2e%2e/outside/secret.txt'])(
    'refuses the unsafe path %j in every operation',
    async (path) => {
      const ops = [
        () => store.list(path),
        () => store.download(path),
        () => store.delete(path),
        () => store.upload(path, body('evil')),
      ]
      for (const op of ops)
        expect(await codeOf(op())).toEqual({ code: 'INVALID_PARAMETER_VALUE', status: 400 })
      expect(tree(outside)).toEqual(['secret.txt'])
      expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret')
    },
  )

  describe('symbolic links', () => {
    beforeEach(() => {
      symlinkSync(outside, join(root, 'escape'))
      symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link.txt'))
      mkdirSync(join(root, 'inside'))
      writeFileSync(join(root, 'inside', 'ok.txt'), 'ok')
      symlinkSync(join(root, 'inside'), join(root, 'inside-link'))
    })

    it('refuses paths that leave the root through a link, touching nothing outside', async () => {
      const attempts = [
        () => store.list('escape'),
        () => store.download('escape/secret.txt'),
        () => store.download('secret-link.txt'),
        () => store.upload('escape/new.txt', body('evil')),
        () => store.upload('escape/sub/new.txt', body('evil')),
        () => store.upload('secret-link.txt', body('evil')),
        () => store.delete('escape/secret.txt'),
        () => store.delete('secret-link.txt'),
      ]
      for (const attempt of attempts) {
        expect(await codeOf(attempt())).toEqual({ code: 'INVALID_PARAMETER_VALUE', status: 400 })
      }
      expect(tree(outside)).toEqual(['secret.txt'])
      expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret')
    })

    it('hides links that lead outside from listings and follows links that stay inside', async () => {
      expect(await store.list('')).toEqual([
        { path: 'inside', isDir: true },
        { path: 'inside-link', isDir: true },
      ])
      expect(await text((await store.download('inside-link/ok.txt')).stream)).toBe('ok')
    })

    it('refuses a root reached through a link only when the path leaves it', async () => {
      const linkedRoot = join(dir, 'linked-root')
      symlinkSync(root, linkedRoot)
      const viaLink = await FileArtifactStore.open(linkedRoot, { maxUploadBytes: 10, create: false })
      expect(await text((await viaLink.download('inside/ok.txt')).stream)).toBe('ok')
      expect(await codeOf(viaLink.download('escape/secret.txt'))).toMatchObject({ status: 400 })
    })
  })

  it('treats a root that does not exist yet as empty and creates it on the first upload', async () => {
    const lazy = await FileArtifactStore.open(join(dir, 'later'), { maxUploadBytes: 10, create: false })
    expect(await lazy.list('')).toEqual([])
    expect(await codeOf(lazy.download('x'))).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' })
    await lazy.delete('x')
    expect(readdirSync(dir)).not.toContain('later')
    await lazy.upload('x', body('1'))
    expect(readFileSync(join(dir, 'later', 'x'), 'utf8')).toBe('1')
  })
})
