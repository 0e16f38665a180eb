/**
 * Where served models come from, behind one interface so the serving code is the same inside
 * `cairn server` (the in-process resolver and artifact store, registry notifications) and in
 * `cairn serve` (the tracking server's HTTP API and artifact proxy, polling).
 */
import { basename } from 'node:path'
import { parseModelUri } from '../../../protocol/model-uri.js'

/** What a model URI names right now. */
export interface ModelRef {
  uri: string
  /** The registered model's name, else the last path segment of the location. */
  name: string
  /** The registry version, for `models:/` URIs. */
  version: string | null
  /** Where its files are (a URI). */
  location: string
}

/** A registry change that may move what a URI names. */
export interface RegistryChange {
  name: string
}

export interface ModelSource {
  /** Resolves the URI now; RESOURCE_DOES_NOT_EXIST when nothing answers to it. */
  resolve(uri: string): Promise<ModelRef>
  /** A local folder holding the model's files (downloaded into the cache when needed). */
  fetch(ref: ModelRef): Promise<string>
  /** A file below the model's folder read fresh from where it is stored (not the cache); null when absent. */
  readFile?(ref: ModelRef, path: string): Promise<string | null>
  /** In-process change notifications, where the source has them; returns the unsubscribe. */
  subscribe?(listener: (change: RegistryChange) => void): () => void
}

/** The served name a URI implies: the registered model's name, else its last path segment. */
export function nameOfUri(uri: string, location: string): string {
  try {
    const parsed = parseModelUri(uri)
    if (parsed.kind !== 'run' && parsed.kind !== 'location') return parsed.name
  } catch {
    // Not a model URI: a plain location.
  }
  const path = location.replace(/[?#].*$/, '').replace(/\/+$/, '')
  return basename(path) || 'model'
}

/** The registered model a `models:/` URI names; null for other URIs. */
export function registeredNameOf(uri: string): string | null {
  try {
    const parsed = parseModelUri(uri)
    return parsed.kind === 'run' || parsed.kind === 'location' ? null : parsed.name
  } catch {
    return null
  }
}

/** True when the URI can name different versions over time (aliases, stages, latest). */
export function isMovable(uri: string): boolean {
  try {
    const kind = parseModelUri(uri).kind
    return kind === 'alias' || kind === 'stage' || kind === 'latest'
  } catch {
    return false
  }
}
