/**
 * Server configuration, read once at start: flags first, then environment, then defaults.
 * Nothing else in the server reads process.env.
 */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export interface ServerConfig {
  host: string
  port: number
  home: string
  backendStoreUri: string
  /** Where proxied (mlflow-artifacts:) artifacts are stored. */
  artifactsDestination: string
  /** Prefix for new experiments' artifact locations. */
  defaultArtifactRoot: string
  maxJsonBytes: number
  maxArtifactBytes: number
  logLevel: string
  /** How long graceful shutdown waits for in-flight requests. */
  shutdownGraceMs: number
}

export interface ServerFlags {
  host?: string
  port?: string | number
  backendStoreUri?: string
  artifactsDestination?: string
  defaultArtifactRoot?: string
  maxRequestMb?: string | number
  maxArtifactMb?: string | number
  logLevel?: string
}

export function cairnHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['CAIRN_HOME'] ?? join(homedir(), '.cairn'))
}

function positiveNumber(name: string, value: string | number): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${value}'`)
  return n
}

export function resolveServerConfig(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const home = cairnHome(env)
  const port = Number(flags.port ?? env['CAIRN_PORT'] ?? 5000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port must be 0-65535, got '${flags.port}'`)
  return {
    host: flags.host ?? env['CAIRN_HOST'] ?? '127.0.0.1',
    port,
    home,
    backendStoreUri:
      flags.backendStoreUri ?? env['CAIRN_BACKEND_STORE_URI'] ?? `sqlite:///${join(home, 'cairn.db')}`,
    artifactsDestination:
      flags.artifactsDestination ?? env['CAIRN_ARTIFACTS_DESTINATION'] ?? pathToFileURL(join(home, 'artifacts')).href,
    defaultArtifactRoot: flags.defaultArtifactRoot ?? env['CAIRN_DEFAULT_ARTIFACT_ROOT'] ?? 'mlflow-artifacts:',
    maxJsonBytes: Math.round(positiveNumber('--max-request-mb', flags.maxRequestMb ?? env['CAIRN_MAX_REQUEST_MB'] ?? 16) * 1024 * 1024),
    maxArtifactBytes: Math.round(
      positiveNumber('--max-artifact-mb', flags.maxArtifactMb ?? env['CAIRN_MAX_ARTIFACT_MB'] ?? 5120) * 1024 * 1024,
    ),
    logLevel: flags.logLevel ?? env['CAIRN_LOG_LEVEL'] ?? 'info',
    shutdownGraceMs: 10_000,
  }
}
