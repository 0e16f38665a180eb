/**
 * `cairn pipeline run|resume|cancel|runs|show|logs`. Runs started here are orchestrated by this
 * process (see pipeline-run.ts); the records live on the tracking server, so every other
 * subcommand works from any terminal that reaches it.
 */
import { resolve } from 'node:path'
import { Option, type Command } from 'commander'
import { loadPipelineFile } from '../../pipelines/spec/load.js'
import { parseParamArgs, resolveParams } from '../../pipelines/spec/params.js'
import { planResume } from '../../pipelines/orchestrator/resume.js'
import { PipelinesClient } from '../../pipelines/client.js'
import { jsonText } from '../format/values.js'
import type { KubernetesFlags } from '../../pipelines/executors/kubernetes/options.js'
import { addKubernetesOptions, kubernetesSettings } from './kubernetes-options.js'
import { registerPipelineInspect } from './pipeline-inspect.js'
import { EXIT_FOR_STATUS, executePipeline, summary } from './pipeline-run.js'
import {
  addTrackingOptions,
  collect,
  positiveInt,
  withClient,
  type TrackingFlags,
} from './tracking-options.js'

interface RunFlags extends TrackingFlags, KubernetesFlags {
  param?: string[]
  backend: string
  cache: boolean
  experiment?: string
  runName?: string
  parallelism?: number
  maxConcurrent?: number
  workdir?: string
  logs?: boolean
}

export const backendOption = (): Option =>
  new Option(
    '--backend <name>',
    'where steps run: local (child processes here) or kubernetes (a Job per step, see the kubernetes flags)',
  )
    .choices(['local', 'kubernetes'])
    .default('local')

export function registerPipelineCommand(program: Command): void {
  const pipeline = program
    .command('pipeline')
    .description('Run pipelines and look at their runs, steps and logs')

  addTrackingOptions(
    pipeline
      .command('run')
      .description(
        'Run a pipeline (YAML, JSON, or a JS/TS module exporting a builder) with this process as its orchestrator',
      )
      .argument('<file>', 'pipeline file')
      .option(
        '--param <name=value>',
        'set a pipeline parameter (repeatable); parsed by its declared type',
        collect,
      )
      .addOption(backendOption())
      .option('--no-cache', 'run every step, ignoring cached outputs')
      .option(
        '--experiment <name>',
        "record in this experiment (default: the spec's, else the pipeline's name)",
      )
      .option('--run-name <name>', 'name of the pipeline run')
      .option('--parallelism <n>', "most steps at once (default: the spec's parallelism)", positiveInt)
      .option(
        '--max-concurrent <n>',
        'most step processes at once on this machine (default: CPU count)',
        positiveInt,
      )
      .option('--workdir <dir>', "the pipeline's folder: commands run there (default: the file's folder)")
      .option('--logs', "print the steps' output as they run, prefixed with the step"),
  ).action(async (file: string, flags: RunFlags) => {
    await withClient(flags, async (client) => {
      const loaded = await loadPipelineFile(file)
      const spec = flags.parallelism ? { ...loaded.spec, parallelism: flags.parallelism } : loaded.spec
      const params = resolveParams(spec, parseParamArgs(flags.param ?? []))
      const kubernetes = kubernetesSettings(flags.backend, flags)
      const result = await executePipeline({
        client,
        backend: flags.backend,
        ...(flags.maxConcurrent !== undefined ? { maxConcurrent: flags.maxConcurrent } : {}),
        ...(kubernetes ? { kubernetes } : {}),
        logs: flags.logs === true,
        json: flags.json === true,
        run: {
          spec,
          params,
          workdir: flags.workdir ? resolve(flags.workdir) : loaded.workdir,
          useCache: flags.cache,
          source: loaded.file,
          ...(flags.experiment !== undefined ? { experimentName: flags.experiment } : {}),
          ...(flags.runName !== undefined ? { runName: flags.runName } : {}),
        },
      })
      if (flags.json) process.stdout.write(jsonText(result))
      else process.stderr.write(summary(result, client.trackingUri))
      process.exitCode = EXIT_FOR_STATUS[result.status]
    })
  })

  addTrackingOptions(
    pipeline
      .command('resume')
      .description(
        'Run a failed or cancelled pipeline run again from where it failed, reusing the outputs of steps that succeeded',
      )
      .argument('<run-id>', 'the pipeline run to resume')
      .addOption(backendOption())
      .option('--max-concurrent <n>', 'most step processes at once on this machine', positiveInt)
      .option('--logs', "print the steps' output as they run"),
  ).action(async (runId: string, flags: RunFlags) => {
    await withClient(flags, async (client) => {
      const plan = await planResume(new PipelinesClient(client.http), runId)
      const kubernetes = kubernetesSettings(flags.backend, flags)
      const result = await executePipeline({
        client,
        backend: flags.backend,
        ...(flags.maxConcurrent !== undefined ? { maxConcurrent: flags.maxConcurrent } : {}),
        ...(kubernetes ? { kubernetes } : {}),
        logs: flags.logs === true,
        json: flags.json === true,
        run: {
          spec: plan.spec,
          params: plan.params,
          workdir: plan.workdir,
          useCache: plan.useCache,
          experimentName: plan.experimentName,
          resume: plan.resume,
        },
      })
      if (flags.json) process.stdout.write(jsonText(result))
      else process.stderr.write(summary(result, client.trackingUri))
      process.exitCode = EXIT_FOR_STATUS[result.status]
    })
  })

  addTrackingOptions(
    pipeline
      .command('cancel')
      .description(
        'Cancel a running pipeline run (its orchestrator stops running steps within a couple of seconds)',
      )
      .argument('<run-id>', 'the pipeline run'),
  ).action(async (runId: string, flags: TrackingFlags) => {
    await withClient(flags, async (client) => {
      const run = await new PipelinesClient(client.http).cancelRun(runId)
      if (flags.json) process.stdout.write(jsonText(run))
      else if (run.status === 'running')
        process.stdout.write(
          `cancel requested for ${runId}; its orchestrator (${run.orchestrator}) stops it on its next heartbeat\n`,
        )
      else
        process.stdout.write(
          `pipeline run ${runId} is ${run.status}${run.cancelRequested ? '' : ' (nothing to cancel)'}\n`,
        )
    })
  })

  for (const name of ['run', 'resume'])
    addKubernetesOptions(
      pipeline.commands.find((c) => c.name() === name)!,
      { image: true },
    )
  registerPipelineInspect(pipeline)
}
