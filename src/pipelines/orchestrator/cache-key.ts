/**
 * Cache keys: a step instance whose command, parameters, image, environment, declared outputs,
 * sources and input artifact digests are the same as a successful earlier run's reuses that run's
 * outputs. The key is a digest of those, canonically serialized (sorted object keys).
 */
import { createHash } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { ArtifactOutput } from '../../protocol/pipeline-entities.js'
import { fileDigest, folderDigest } from '../staging/digest.js'
import type { StepOutputsSpec, StepRun, Value } from '../spec/types.js'

export const CACHE_KEY_VERSION = 1

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`
  }
  return JSON.stringify(v ?? null)
}

export interface CacheKeyInput {
  run: StepRun
  image: string | null
  params: Record<string, Value>
  env: Record<string, string>
  inputs: Record<string, ArtifactOutput | ArtifactOutput[]>
  outputs: StepOutputsSpec
  item: Value | undefined
  sourcesDigest: string | null
}

export function cacheKey(i: CacheKeyInput): string {
  const inputs = Object.fromEntries(
    Object.entries(i.inputs).map(([k, a]) => [k, Array.isArray(a) ? a.map((x) => x.digest) : a.digest]),
  )
  const body = canonical({
    v: CACHE_KEY_VERSION,
    run: i.run,
    image: i.image,
    params: i.params,
    env: i.env,
    inputs,
    outputs: i.outputs,
    item: i.item,
    sources: i.sourcesDigest,
  })
  return `sha256:${createHash('sha256').update(body).digest('hex')}`
}

/** One digest over the listed files and folders (relative to the pipeline's folder). */
export async function sourcesDigest(workdir: string, sources: string[]): Promise<string | null> {
  if (sources.length === 0) return null
  const hash = createHash('sha256')
  for (const s of [...sources].sort()) {
    const path = resolve(workdir, s)
    let info
    try {
      info = await stat(path)
    } catch {
      throw new Error(`source '${s}' (listed in sources) does not exist under ${workdir}`)
    }
    hash.update(`${s}\0${info.isDirectory() ? await folderDigest(path) : await fileDigest(path)}\n`)
  }
  return `sha256:${hash.digest('hex')}`
}
