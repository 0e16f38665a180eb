/**
 * Artifact backends by URI scheme, loaded lazily: `file:` (and plain paths) now; a backend for
 * another scheme (`s3:`) is one more row in BACKENDS.
 */
import { CairnError, invalidParameter } from '../../protocol/errors.js'
import type { ArtifactStore } from './artifact-store.js'
import { localPathOf, runArtifactRoot, uriScheme } from './location.js'

export interface OpenArtifactsOptions {
  maxUploadBytes: number
  /** Create the root now (default) rather than on the first upload. */
  create?: boolean
}

type Opener = (uri: string, opts: OpenArtifactsOptions) => Promise<ArtifactStore>

const openFile: Opener = async (uri, opts) => {
  const { FileArtifactStore } = await import('./file/file-artifact-store.js')
  return FileArtifactStore.open(localPathOf(uri)!, {
    maxUploadBytes: opts.maxUploadBytes,
    create: opts.create ?? true,
  })
}

const BACKENDS: Readonly<Record<string, Opener>> = {
  // A URI without a scheme is a local path, as in MLflow.
  '': openFile,
  file: openFile,
}

export const KNOWN_ARTIFACT_SCHEMES = ['file'] as const

export async function openArtifactStore(uri: string, opts: OpenArtifactsOptions): Promise<ArtifactStore> {
  const scheme = uriScheme(uri)
  const open = Object.hasOwn(BACKENDS, scheme) ? BACKENDS[scheme] : undefined
  if (uri === '' || open === undefined) {
    throw invalidParameter(
      `Unknown artifact URI scheme '${scheme}:' in ${JSON.stringify(uri)}; known: ${KNOWN_ARTIFACT_SCHEMES.map((s) => `${s}:`).join(', ')} (e.g. file:///var/cairn/artifacts).`,
    )
  }
  return open(uri, opts)
}

/** A store and the path of a run's artifact root inside it. */
export interface RunArtifacts {
  store: ArtifactStore
  base: string
  /** Served by the server's proxied store (MLflow lists those with its own path quirks). */
  proxied: boolean
}

/**
 * The store serving a run's artifacts: the server's proxied store for `mlflow-artifacts:` URIs,
 * else a store opened for the URI's scheme at the run's root (not created until written to).
 */
export async function artifactsForRun(artifactUri: string, proxied: ArtifactStore): Promise<RunArtifacts> {
  const root = runArtifactRoot(artifactUri)
  if (root.kind === 'proxied') return { store: proxied, base: root.path, proxied: true }
  try {
    return {
      store: await openArtifactStore(root.uri, { maxUploadBytes: proxied.maxUploadBytes, create: false }),
      base: '',
      proxied: false,
    }
  } catch (err) {
    if (!(err instanceof CairnError)) throw err
    throw new CairnError(
      'NOT_IMPLEMENTED',
      `This server cannot serve artifacts stored at ${JSON.stringify(artifactUri)}: ${err.message}`,
    )
  }
}
