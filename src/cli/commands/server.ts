/** `cairn server`: the tracking server (and, as they land, registry, serving, UI). */
import type { Command } from 'commander'
import { resolveServerConfig, type ServerFlags } from '../../server/config.js'
import { createLogger } from '../../server/logging.js'
import { startServer } from '../../server/server.js'
import { defaultServingConfig } from '../../server/serving/config.js'
import { parseValidationMode, VALIDATE_HELP } from '../../server/serving/validation/inline-validation.js'

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('Start the Cairn server (MLflow-compatible tracking API) on 127.0.0.1:5000')
    .option('-h, --host <host>', 'address to listen on (env CAIRN_HOST)', undefined)
    .option('-p, --port <port>', 'port to listen on, 0 for any free port (env CAIRN_PORT)')
    .option(
      '--backend-store-uri <uri>',
      'tracking store: sqlite:///<path> (env CAIRN_BACKEND_STORE_URI; default $CAIRN_HOME/cairn.db)',
    )
    .option(
      '--artifacts-destination <uri>',
      'where proxied artifacts are stored: file:///<path> (env CAIRN_ARTIFACTS_DESTINATION; default $CAIRN_HOME/artifacts)',
    )
    .option(
      '--default-artifact-root <uri>',
      'artifact location given to new experiments (env CAIRN_DEFAULT_ARTIFACT_ROOT; default mlflow-artifacts:)',
    )
    .option('--max-request-mb <n>', 'largest JSON request body, in MiB (default 16)')
    .option('--max-artifact-mb <n>', 'largest artifact upload, in MiB (default 5120)')
    .option('--log-level <level>', 'trace, debug, info, warn, error (env CAIRN_LOG_LEVEL; default info)')
    .option(
      '--serve <model-uri>',
      'also serve this model (models:/name@alias, …) at /invocations, /predict and /v2; repeatable (docs/serving.md)',
      (uri: string, all: string[]) => [...all, uri],
      [] as string[],
    )
    .option('--validate <mode>', VALIDATE_HELP)
    .helpOption('--help', 'show help for this command')
    .action(async (flags: ServerFlags & { serve: string[]; validate?: string }) => {
      const config = resolveServerConfig(flags)
      const logger = createLogger({ level: config.logLevel })
      const serving = defaultServingConfig(config.home, flags.serve.map((uri) => ({ uri })))
      serving.validation = parseValidationMode('--validate', flags.validate)
      const running = await startServer(config, logger, { serving })
      logger.info(
        { url: running.url, backendStoreUri: config.backendStoreUri, artifactsDestination: config.artifactsDestination },
        'cairn server listening',
      )
      process.stderr.write(`Cairn server listening on ${running.url}\n`)
      await new Promise<void>((resolveStop) => {
        const stop = (signal: string): void => {
          logger.info({ signal }, 'shutting down')
          running.close().then(
            () => {
              logger.info('stopped')
              logger.flush()
              resolveStop()
            },
            (err: unknown) => {
              logger.error({ err }, 'shutdown failed')
              process.exitCode = 1
              resolveStop()
            },
          )
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
    })
}
