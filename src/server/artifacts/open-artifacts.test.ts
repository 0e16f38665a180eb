import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CairnError } from '../../protocol/errors.js'
import { artifactsForRun, openArtifactStore } from './open-artifacts.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-open-artifacts-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('openArtifactStore', () => {
  it('opens a file: URI and creates its root', async () => {
    const store = await openArtifactStore(pathToFileURL(join(dir, 'a')).href, { maxUploadBytes: 10 })
    expect(store.scheme).toBe('file')
    expect(store.maxUploadBytes).toBe(10)
    expect(existsSync(join(dir, 'a'))).toBe(true)
  })

  it('opens a plain path as a local folder', async () => {
    const store = await openArtifactStore(join(dir, 'b'), { maxUploadBytes: 10 })
    expect(store.rootUri).toBe(pathToFileURL(join(dir, 'b')).href)
  })

  it('refuses an unknown scheme with a message listing the known ones', async () => {
    const err = await openArtifactStore('s3://bucket/prefix', { maxUploadBytes: 10 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CairnError)
    expect((err as CairnError).message).toMatch(/Unknown artifact URI scheme 's3:'.*known: file:/)
  })
})

describe('artifactsForRun', () => {
  it('serves mlflow-artifacts: runs from the proxied store under their path', async () => {
    const proxied = await openArtifactStore(join(dir, 'proxy'), { maxUploadBytes: 10 })
    const found = await artifactsForRun('mlflow-artifacts:/1/abc/artifacts', proxied)
    expect(found).toEqual({ store: proxied, base: '1/abc/artifacts', proxied: true })
  })

  it('opens file: run roots without creating them', async () => {
    const proxied = await openArtifactStore(join(dir, 'proxy'), { maxUploadBytes: 10 })
    const found = await artifactsForRun(pathToFileURL(join(dir, 'elsewhere', 'run')).href, proxied)
    expect(found.proxied).toBe(false)
    expect(await found.store.list('')).toEqual([])
    expect(existsSync(join(dir, 'elsewhere'))).toBe(false)
  })

  it('answers NOT_IMPLEMENTED for a run stored under a scheme this server has no backend for', async () => {
    const proxied = await openArtifactStore(join(dir, 'proxy'), { maxUploadBytes: 10 })
    const err = await artifactsForRun('s3://bucket/1/abc/artifacts', proxied).catch((e: unknown) => e)
    expect((err as CairnError).code).toBe('NOT_IMPLEMENTED')
    expect((err as CairnError).message).toContain('known: file:')
  })
})
