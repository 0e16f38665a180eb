/**
 * Serving configuration, read once at start: flags first, then environment, then defaults.
 * `cairn serve` reads all of it; `cairn server --serve <uri>` takes the defaults for the rest.
 */
import { join, resolve } from 'node:path'
import { resolveTrackingUri } from '../../client/config.js'
import { cairnHome } from '../config.js'
import type { DeploymentConfig } from './deployment/deployment.js'
import { DEFAULT_BATCHING, type ServingConfig } from './serving-service.js'
import { parseValidationMode } from './validation/inline-validation.js'

export interface ServeFlags {
  host?: string
  port?: string
  name?: string
  trackingUri?: string
  pollInterval?: string
  canary?: string
  canaryPercent?: string
  shadow?: string
  labels?: string
  threshold?: string
  batching?: boolean
  maxBatchSize?: string
  maxBatchWaitMs?: string
  predictionLog?: boolean
  predictionLogDir?: string
  predictionLogMaxFileMb?: string
  predictionLogMaxTotalMb?: string
  cacheDir?: string
  maxRequestMb?: string
  logLevel?: string
  validate?: string
}

export interface ServeConfig {
  host: string
  port: number
  home: string
  trackingUri: string
  cacheDir: string
  logLevel: string
  shutdownGraceMs: number
  serving: ServingConfig
}

const MB = 1024 * 1024

interface Rule {
  check: (n: number) => boolean
  says: string
}

const positive: Rule = { check: (n) => n > 0, says: 'a positive number' }
const nonNegative: Rule = { check: (n) => n >= 0, says: 'a number ≥ 0' }
const integer: Rule = { check: (n) => Number.isInteger(n) && n >= 1, says: 'a whole number ≥ 1' }
const anyNumber: Rule = { check: () => true, says: 'a number' }
const percent: Rule = { check: (n) => n >= 0 && n <= 100, says: 'a percentage 0-100' }
const portRule: Rule = { check: (n) => Number.isInteger(n) && n >= 0 && n <= 65535, says: 'a port 0-65535' }

function num(flag: string, raw: string | undefined, fallback: number, rule: Rule): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(n) || !rule.check(n))
    throw new Error(`${flag} must be ${rule.says}, got '${raw}'`)
  return n
}

/** A model URI as given; a relative folder (`./model`) becomes absolute. */
export function absoluteModelUri(uri: string): string {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri) ? uri : resolve(uri)
}

/** Defaults for a ServingConfig under CAIRN_HOME (`cairn server --serve`). */
export function defaultServingConfig(home: string, deployments: DeploymentConfig[]): ServingConfig {
  return {
    deployments,
    pollIntervalMs: 10_000,
    batching: { ...DEFAULT_BATCHING },
    predictionLog: {
      enabled: true,
      dir: join(home, 'predictions'),
      maxFileBytes: 64 * MB,
      maxTotalBytes: 1024 * MB,
    },
    maxRequestBytes: 16 * MB,
  }
}

export function resolveServeConfig(
  uri: string,
  flags: ServeFlags,
  env: NodeJS.ProcessEnv = process.env,
): ServeConfig {
  const home = cairnHome(env)
  const port = num('--port', flags.port ?? env['CAIRN_SERVE_PORT'], 8080, portRule)
  const labels = flags.labels?.split(',').map((l) => l.trim())
  if (labels && (labels.length < 2 || labels.some((l) => l === ''))) {
    throw new Error(`--labels takes two or more comma-separated names (e.g. DOWN,UP), got '${flags.labels}'`)
  }
  if (flags.canaryPercent !== undefined && flags.canary === undefined)
    throw new Error('--canary-percent needs --canary <uri>')
  const deployment: DeploymentConfig = {
    uri: absoluteModelUri(uri),
    ...(flags.name ? { name: flags.name } : {}),
    ...(flags.canary
      ? {
          canary: {
            uri: absoluteModelUri(flags.canary),
            percent: num('--canary-percent', flags.canaryPercent, 10, percent),
          },
        }
      : {}),
    ...(flags.shadow ? { shadow: absoluteModelUri(flags.shadow) } : {}),
    ...(labels ? { labels } : {}),
    ...(flags.threshold !== undefined
      ? { threshold: num('--threshold', flags.threshold, 0.5, anyNumber) }
      : {}),
  }
  const base = defaultServingConfig(home, [deployment])
  return {
    host: flags.host ?? env['CAIRN_SERVE_HOST'] ?? '127.0.0.1',
    port,
    home,
    trackingUri: resolveTrackingUri(flags.trackingUri, env),
    cacheDir: flags.cacheDir ?? join(home, 'models'),
    logLevel: flags.logLevel ?? env['CAIRN_LOG_LEVEL'] ?? 'info',
    shutdownGraceMs: 10_000,
    serving: {
      ...base,
      pollIntervalMs: num('--poll-interval', flags.pollInterval, 10, nonNegative) * 1000,
      batching: {
        enabled: flags.batching ?? true,
        maxBatchSize: num('--max-batch-size', flags.maxBatchSize, DEFAULT_BATCHING.maxBatchSize, integer),
        maxWaitMs: num('--max-batch-wait-ms', flags.maxBatchWaitMs, DEFAULT_BATCHING.maxWaitMs, nonNegative),
      },
      predictionLog: {
        enabled: flags.predictionLog ?? true,
        dir: flags.predictionLogDir ?? base.predictionLog.dir,
        maxFileBytes: num('--prediction-log-max-file-mb', flags.predictionLogMaxFileMb, 64, positive) * MB,
        maxTotalBytes:
          num('--prediction-log-max-total-mb', flags.predictionLogMaxTotalMb, 1024, positive) * MB,
      },
      maxRequestBytes: Math.round(num('--max-request-mb', flags.maxRequestMb, 16, positive) * MB),
      validation: parseValidationMode('--validate', flags.validate),
    },
  }
}
