/**
 * Model URIs, parsed (resolution needs the stores: server/registry/resolver.ts).
 *
 * - `models:/<name>/<version>`      a version number
 * - `models:/<name>@<alias>`        the version an alias points at
 * - `models:/<name>/<stage>`        the highest version in a stage (None, Staging, Production,
 *                                   Archived; any case), MLflow's legacy form
 * - `models:/<name>/latest`         the highest version (any case of `latest`)
 * - `runs:/<run_id>/<path>`         a path under a run's artifact root
 * - anything else with a scheme (`mlflow-artifacts:/…`, `file:///…`, `s3://…`) or an absolute
 *   path: a plain location, passed through
 *
 * Model names may contain '/' (MLflow allows it), so the version, stage or `latest` is what
 * follows the last '/', and an alias what follows the last '@' after it.
 */
import { invalidParameter } from './errors.js'
import { MODEL_VERSION_STAGES, type ModelVersionStage } from './registry-entities.js'

export type ModelUri =
  | { kind: 'version'; name: string; version: number }
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'stage'; name: string; stage: ModelVersionStage }
  | { kind: 'latest'; name: string }
  | { kind: 'run'; runId: string; path: string }
  | { kind: 'location'; uri: string }

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/
const FORMS =
  'expected models:/<name>/<version>, models:/<name>/<stage>, models:/<name>/latest or models:/<name>@<alias>'

function badUri(uri: string, why: string): Error {
  return invalidParameter(`Invalid model URI ${JSON.stringify(uri)}: ${why}`)
}

function parseModels(uri: string): ModelUri {
  const rest = uri.slice('models:'.length)
  if (rest.startsWith('//')) throw badUri(uri, 'remote registries (models://<host>/…) are not supported')
  if (!rest.startsWith('/') || rest.length === 1) throw badUri(uri, FORMS)
  const path = rest.slice(1)
  const slash = path.lastIndexOf('/')
  const at = path.lastIndexOf('@')
  if (at > slash) {
    const name = path.slice(0, at)
    const alias = path.slice(at + 1)
    if (name === '' || alias === '') throw badUri(uri, FORMS)
    return { kind: 'alias', name, alias }
  }
  if (slash <= 0 || slash === path.length - 1) throw badUri(uri, FORMS)
  const name = path.slice(0, slash)
  const suffix = path.slice(slash + 1)
  if (/^\d+$/.test(suffix)) return { kind: 'version', name, version: Number(suffix) }
  if (suffix.toLowerCase() === 'latest') return { kind: 'latest', name }
  const stage = MODEL_VERSION_STAGES.find((s) => s.toLowerCase() === suffix.toLowerCase())
  if (stage !== undefined) return { kind: 'stage', name, stage }
  throw badUri(
    uri,
    `'${suffix}' is not a version number, a stage (${MODEL_VERSION_STAGES.join(', ')}) or 'latest'; ${FORMS}`,
  )
}

function parseRuns(uri: string): ModelUri {
  const rest = uri.slice('runs:'.length)
  if (!rest.startsWith('/') || rest.startsWith('//')) {
    throw badUri(uri, 'expected runs:/<run_id>/<path>')
  }
  const parts = rest.slice(1).split('/')
  const runId = parts[0] ?? ''
  if (runId === '') throw badUri(uri, 'expected runs:/<run_id>/<path>')
  return {
    kind: 'run',
    runId,
    path: parts
      .slice(1)
      .filter((s) => s !== '')
      .join('/'),
  }
}

export function parseModelUri(uri: string): ModelUri {
  if (uri.trim() === '') throw invalidParameter('A model URI is required.')
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase()
  if (scheme === 'models') return parseModels(uri)
  if (scheme === 'runs') return parseRuns(uri)
  if (scheme !== undefined || uri.startsWith('/')) return { kind: 'location', uri }
  throw badUri(uri, `no scheme; use models:/, runs:/, mlflow-artifacts:/, file:/// or an absolute path`)
}

/** The text of a registry URI (the inverse of `parseModelUri` for models:/ forms). */
export function formatModelUri(u: ModelUri): string {
  switch (u.kind) {
    case 'version':
      return `models:/${u.name}/${u.version}`
    case 'alias':
      return `models:/${u.name}@${u.alias}`
    case 'stage':
      return `models:/${u.name}/${u.stage}`
    case 'latest':
      return `models:/${u.name}/latest`
    case 'run':
      return u.path === '' ? `runs:/${u.runId}` : `runs:/${u.runId}/${u.path}`
    case 'location':
      return u.uri
  }
}
