/**
 * A new version's `source` and `run_id`, checked as MLflow's server checks them
 * (`_validate_source`), and where the version's files are:
 *
 * - a local path (no scheme, or `file:`) only with a `run_id` whose artifact folder contains it;
 * - any other URI without `..` segments (raw or percent-encoded);
 * - `runs:/<run_id>/<path>` resolves to the run's artifact URI + path (the version's run_id is
 *   the URI's when none is given); `models:/…` to the referenced version's location.
 *
 * Unlike MLflow, a `run_id` must name an existing run (MLflow stores any string): a version tied
 * to a run that does not exist cannot show its metrics, and promotion policies read them.
 */
import { isAbsolute, relative, resolve } from 'node:path'
import { CairnError, invalidParameter } from '../../protocol/errors.js'
import { parseModelUri } from '../../protocol/model-uri.js'
import type { RunInfo } from '../../protocol/entities.js'
import { localPathOf, uriScheme } from '../artifacts/location.js'
import type { TrackingStore } from '../store/tracking-store.js'
import { joinUri, type ModelUriResolver } from './resolver.js'

export interface ResolvedSource {
  storageLocation: string
  runId: string
}

function invalidSource(source: string, why: string): CairnError {
  return invalidParameter(`Invalid model version source: '${source}'. ${why}`)
}

const LOCAL_RULE =
  'To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.'
const RELATIVE_RULE =
  'If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.'

function decodeAll(text: string): string {
  for (let i = 0; i < 5; i++) {
    let next: string
    try {
      next = decodeURIComponent(text)
    } catch {
      return text
    }
    if (next === text) return text
    text = next
  }
  return text
}

function hasRelativeSegments(source: string): boolean {
  const path = decodeAll(source.replace(/[?#].*$/, '')).replaceAll('\\', '/')
  return path.split('/').some((s) => s === '..' || s === '.')
}

async function existingRun(tracking: TrackingStore, runId: string): Promise<RunInfo> {
  try {
    return await tracking.getRunInfo(runId)
  } catch (err) {
    if (err instanceof CairnError && err.code === 'RESOURCE_DOES_NOT_EXIST') {
      throw invalidParameter(`Run '${runId}' not found: a model version's run_id must name an existing run.`)
    }
    throw err
  }
}

export async function resolveSource(
  source: string,
  runId: string,
  deps: { tracking: TrackingStore; resolver: ModelUriResolver },
): Promise<ResolvedSource> {
  const run = runId === '' ? null : await existingRun(deps.tracking, runId)
  const scheme = uriScheme(source)
  if (scheme === 'runs') {
    const parsed = parseModelUri(source)
    if (parsed.kind !== 'run') throw invalidSource(source, 'Expected runs:/<run_id>/<path>.')
    if (runId !== '' && runId !== parsed.runId) {
      throw invalidSource(source, `It names run ${parsed.runId} but run_id is ${runId}.`)
    }
    const owner = run ?? (await existingRun(deps.tracking, parsed.runId))
    return { storageLocation: joinUri(owner.artifactUri, parsed.path), runId: owner.runId }
  }
  if (scheme === 'models') {
    const resolved = await deps.resolver.resolve(source)
    return { storageLocation: resolved.location, runId }
  }
  if (scheme === '' || scheme === 'file') {
    const path = localPathOf(source)
    const root = run === null ? null : localPathOf(run.artifactUri)
    if (path === null || root === null) throw invalidSource(source, LOCAL_RULE)
    const rel = relative(resolve(root), resolve(path))
    if (rel.startsWith('..') || isAbsolute(rel)) throw invalidSource(source, LOCAL_RULE)
    return { storageLocation: source, runId }
  }
  if (hasRelativeSegments(source)) throw invalidSource(source, RELATIVE_RULE)
  return { storageLocation: source, runId }
}
