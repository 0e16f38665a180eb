/**
 * Where the SDK talks to, read as MLflow's client reads it: `CAIRN_TRACKING_URI`, then
 * `MLFLOW_TRACKING_URI`, then http://127.0.0.1:5000. Only HTTP(S) servers: the SDK never opens
 * a store itself, so `file:` or `sqlite:` URIs (which MLflow's Python client accepts) are refused.
 */
import { CairnError } from '../protocol/errors.js'

export const DEFAULT_TRACKING_URI = 'http://127.0.0.1:5000'

export type Env = Record<string, string | undefined>

export function resolveTrackingUri(explicit: string | undefined, env: Env = process.env): string {
  const raw =
    explicit ??
    nonEmpty(env['CAIRN_TRACKING_URI']) ??
    nonEmpty(env['MLFLOW_TRACKING_URI']) ??
    DEFAULT_TRACKING_URI
  return normalizeTrackingUri(raw)
}

export function normalizeTrackingUri(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw unsupported(raw)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw unsupported(raw)
  if (url.search || url.hash) {
    throw new CairnError(
      'INVALID_PARAMETER_VALUE',
      `Tracking URI '${raw}' must not have a query string or fragment.`,
    )
  }
  // A server mounted under a prefix (https://host/mlflow) keeps it; the API paths follow it.
  return url.href.replace(/\/+$/, '')
}

function unsupported(raw: string): CairnError {
  return new CairnError(
    'INVALID_PARAMETER_VALUE',
    `Unsupported tracking URI '${raw}': the Cairn SDK talks to a tracking server over HTTP, so the URI must start with http:// or https:// (e.g. http://127.0.0.1:5000). Set it with CAIRN_TRACKING_URI or MLFLOW_TRACKING_URI.`,
  )
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim()
}

/** The experiment and run picked by MLflow's environment variables. */
export interface EnvSelection {
  runId?: string
  experimentName?: string
  experimentId?: string
}

export function envSelection(env: Env = process.env): EnvSelection {
  const out: EnvSelection = {}
  const runId = nonEmpty(env['MLFLOW_RUN_ID'])
  const experimentName = nonEmpty(env['MLFLOW_EXPERIMENT_NAME'])
  const experimentId = nonEmpty(env['MLFLOW_EXPERIMENT_ID'])
  if (runId !== undefined) out.runId = runId
  if (experimentName !== undefined) out.experimentName = experimentName
  if (experimentId !== undefined) out.experimentId = experimentId
  return out
}

/** MLflow's client credentials: a bearer token, else basic auth. */
export function authHeaders(env: Env = process.env): Record<string, string> {
  const token = nonEmpty(env['MLFLOW_TRACKING_TOKEN'])
  if (token !== undefined) return { Authorization: `Bearer ${token}` }
  const user = env['MLFLOW_TRACKING_USERNAME']
  const password = env['MLFLOW_TRACKING_PASSWORD']
  if (user !== undefined && password !== undefined) {
    return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }
  }
  return {}
}
