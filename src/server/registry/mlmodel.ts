/**
 * What registering a version learns from its files, read through the ArtifactStore (nothing is
 * copied): whether the source exists, and the signature in its `MLmodel` YAML.
 *
 * - a folder with an `MLmodel` file → READY, with the signature if the file has one;
 * - a folder without one → READY, no signature, and a status message saying so;
 * - missing or empty → FAILED_REGISTRATION with a message;
 * - an `MLmodel` that is not YAML → FAILED_REGISTRATION with the parser's message;
 * - a scheme Cairn has no artifact backend for (s3:, gs:, http: outside this server, …) → READY
 *   without a signature and without a message: Cairn cannot look, and trusts the client there
 *   as MLflow does everywhere.
 */
import type { Readable } from 'node:stream'
import { parse as parseYaml } from 'yaml'
import { CairnError } from '../../protocol/errors.js'
import type { ModelSignature } from '../../protocol/registry-entities.js'
import type { ArtifactStore } from '../artifacts/artifact-store.js'
import { artifactsForRun } from '../artifacts/open-artifacts.js'
import { joinRelative } from '../artifacts/safe-path.js'
import type { RegistrationOutcome } from '../store/registry-store.js'

/** An MLmodel file is a few kilobytes; anything past this is not one. */
const MAX_MLMODEL_BYTES = 1024 * 1024

async function readText(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of stream) {
      const b = chunk as Buffer
      size += b.length
      if (size > limit) throw new Error(`larger than ${limit} bytes`)
      chunks.push(b)
    }
  } finally {
    stream.destroy()
  }
  return Buffer.concat(chunks).toString('utf8')
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The `signature` block of a parsed MLmodel: its parts are JSON text (objects are re-serialized). */
export function signatureOf(mlmodel: unknown): ModelSignature | null {
  if (!isObject(mlmodel) || !isObject(mlmodel['signature'])) return null
  const sig = mlmodel['signature']
  const out: ModelSignature = {}
  for (const part of ['inputs', 'outputs', 'params'] as const) {
    const v = sig[part]
    if (v === undefined || v === null) continue
    out[part] = typeof v === 'string' ? v : JSON.stringify(v)
  }
  return Object.keys(out).length > 0 ? out : null
}

const failed = (statusMessage: string): RegistrationOutcome => ({
  status: 'FAILED_REGISTRATION',
  statusMessage,
  signature: null,
})

export async function readRegistration(
  location: string,
  artifacts: ArtifactStore,
): Promise<RegistrationOutcome> {
  let target: Awaited<ReturnType<typeof artifactsForRun>>
  try {
    target = await artifactsForRun(location, artifacts)
  } catch (err) {
    if (err instanceof CairnError && err.code === 'NOT_IMPLEMENTED') {
      return { status: 'READY', statusMessage: '', signature: null }
    }
    return failed(`Cannot read the model source ${location}: ${(err as Error).message}`)
  }
  try {
    const file = await target.store.download(joinRelative(target.base, 'MLmodel'))
    let doc: unknown
    try {
      doc = parseYaml(await readText(file.stream, MAX_MLMODEL_BYTES))
    } catch (err) {
      return failed(`The MLmodel file at ${location} is not valid YAML: ${(err as Error).message}`)
    }
    return { status: 'READY', statusMessage: '', signature: signatureOf(doc) }
  } catch (err) {
    if (!(err instanceof CairnError) || err.code !== 'RESOURCE_DOES_NOT_EXIST') {
      return failed(`Cannot read the MLmodel file at ${location}: ${(err as Error).message}`)
    }
  }
  const entries = await target.store.list(target.base).catch(() => [])
  if (entries.length === 0) return failed(`The model source ${location} does not exist or is empty.`)
  return {
    status: 'READY',
    statusMessage: `No MLmodel file at ${location}; registered without a signature.`,
    signature: null,
  }
}
