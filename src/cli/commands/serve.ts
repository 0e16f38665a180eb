/** `cairn serve MODEL_URI`: a standalone inference server for one model (docs/serving.md). */
import { Command, Option } from 'commander'
import { createLogger } from '../../server/logging.js'
import { resolveServeConfig, type ServeFlags } from '../../server/serving/config.js'
import { startServe } from '../../server/serving/standalone.js'
import { VALIDATE_HELP } from '../../server/serving/validation/inline-validation.js'

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve a model (models:/name@alias, models:/name/3, runs:/id/path, or a folder) over HTTP')
    .argument(
      '<model-uri>',
      'the model: models:/name@alias, models:/name/<version>, models:/name/<stage>, models:/name/latest, runs:/<run_id>/<path>, or a local folder',
    )
    .option('-h, --host <host>', 'address to listen on (env CAIRN_SERVE_HOST; default 127.0.0.1)')
    .option('-p, --port <port>', 'port, 0 for any free port (env CAIRN_SERVE_PORT; default 8080)')
    .option('--name <name>', "name the model is served under (default: the registered model's name)")
    .option(
      '--tracking-uri <uri>',
      'tracking server that resolves model URIs and serves their files (env CAIRN_TRACKING_URI, MLFLOW_TRACKING_URI; default http://127.0.0.1:5000)',
    )
    .option(
      '--poll-interval <seconds>',
      'how often an alias, stage or latest is re-resolved for a hot swap; 0 never (default 10)',
    )
    .option(
      '--canary <uri>',
      'a second model taking --canary-percent of the requests (e.g. models:/m@challenger)',
    )
    .option('--canary-percent <n>', 'share of requests the canary answers, 0-100 (default 10)')
    .option(
      '--shadow <uri>',
      'a model scored on a copy of every request; its answers are logged, never returned',
    )
    .option('--labels <names>', 'class names for /predict, in class order (e.g. DOWN,UP)')
    .option(
      '--threshold <t>',
      'default /predict threshold: binary classifiers (default 0.5), regressors (default none)',
    )
    .addOption(new Option('--no-batching', 'turn off adaptive micro-batching of concurrent requests'))
    .option('--max-batch-size <rows>', 'most rows in one batched model run (default 1024)')
    .option(
      '--max-batch-wait-ms <ms>',
      'longest a request waits for a batch while the model is busy (default 2)',
    )
    .addOption(new Option('--no-prediction-log', 'do not write the prediction and feedback logs'))
    .option(
      '--prediction-log-dir <dir>',
      'where prediction logs go, one folder per model (default $CAIRN_HOME/predictions)',
    )
    .option('--prediction-log-max-file-mb <n>', 'rotate a log file past this size (default 64)')
    .option(
      '--prediction-log-max-total-mb <n>',
      'delete the oldest log files beyond this total per model (default 1024)',
    )
    .option('--cache-dir <dir>', 'where downloaded models are kept (default $CAIRN_HOME/models)')
    .option('--max-request-mb <n>', 'largest request body, in MiB (default 16)')
    .option('--log-level <level>', 'trace, debug, info, warn, error (env CAIRN_LOG_LEVEL; default info)')
    .option('--validate <mode>', VALIDATE_HELP)
    .helpOption('--help', 'show help for this command')
    .action(async (uri: string, flags: ServeFlags) => {
      const config = resolveServeConfig(uri, flags)
      const logger = createLogger({ level: config.logLevel })
      const running = await startServe(config, logger)
      const dep = running.service.deployments[0]!
      logger.info(
        { url: running.url, uri, model: dep.name, version: dep.primary.model?.origin.version },
        'cairn serve listening',
      )
      process.stderr.write(
        `Serving ${uri} (${dep.name}${dep.primary.model?.origin.version ? ` version ${dep.primary.model.origin.version}` : ''}) on ${running.url}\n`,
      )
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
