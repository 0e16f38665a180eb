/** Artifact stores by URI scheme. PLACEHOLDER until the artifact commit. */
import type { ArtifactStore } from './artifact-store.js'

export interface OpenArtifactsOptions {
  maxUploadBytes: number
}

export async function openArtifactStore(uri: string, _opts: OpenArtifactsOptions): Promise<ArtifactStore> {
  const scheme = uri.split(':', 1)[0]
  if (scheme !== 'file') throw new Error(`unknown artifact URI scheme '${scheme}:' in '${uri}'; known: file:///<path>`)
  return { scheme: 'file', validateLocation: () => undefined }
}
