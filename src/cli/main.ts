/** The `cairn` command line. Each command lives in commands/<name>.ts and registers itself here. */
import { Command, CommanderError } from 'commander'
import { CAIRN_VERSION } from '../version.js'
import { registerExperimentsCommand } from './commands/experiments.js'
import { registerJobCommand } from './commands/job.js'
import { registerModelsCommand } from './commands/models.js'
import { registerMonitorCommand } from './commands/monitor.js'
import { registerPipelineCommand } from './commands/pipeline.js'
import { registerRunsCommand } from './commands/runs.js'
import { registerScheduleCommand } from './commands/schedule.js'
import { registerServeCommand } from './commands/serve.js'
import { registerServerCommand } from './commands/server.js'
import { registerValidateCommand } from './commands/validate.js'

export function buildProgram(): Command {
  const program = new Command()
    .name('cairn')
    .description('Cairn: track experiments, register and serve models, run pipelines, monitor them.')
    .version(CAIRN_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
  registerServerCommand(program)
  registerExperimentsCommand(program)
  registerRunsCommand(program)
  registerModelsCommand(program)
  registerPipelineCommand(program)
  registerScheduleCommand(program)
  registerJobCommand(program)
  registerServeCommand(program)
  registerValidateCommand(program)
  registerMonitorCommand(program)
  return program
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram()
  // Commands report failure through process.exitCode; start clean so an earlier in-process run
  // (tests, embedders) cannot leak its code into this one.
  process.exitCode = undefined
  try {
    await program.parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; bad arguments (already printed) exit 2.
      return err.exitCode === 0 ? 0 : 2
    }
    process.stderr.write(`cairn: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}
