/**
 * `cairn job submit [options] -- COMMAND …`: one command as a tracked run, a one-step pipeline.
 * The command's output streams to this terminal, its exit code becomes this one's, and what it
 * logs with MLflow's client or the Cairn SDK lands on its step run (MLFLOW_RUN_ID is set).
 */
import { Option, type Command } from 'commander'
import { normalizePipeline } from '../../pipelines/spec/normalize.js'
import { formatDuration } from '../../pipelines/spec/duration.js'
import { jsonText } from '../format/values.js'
import type { KubernetesFlags } from '../../pipelines/executors/kubernetes/options.js'
import { addKubernetesOptions, kubernetesSettings } from './kubernetes-options.js'
import { backendOption } from './pipeline.js'
import { executePipeline } from './pipeline-run.js'
import {
  addTrackingOptions,
  collect,
  positiveInt,
  withClient,
  type TrackingFlags,
} from './tracking-options.js'

interface JobFlags extends TrackingFlags, Omit<KubernetesFlags, 'image'> {
  backend: string
  experiment: string
  name: string
  image?: string
  gpu?: number
  cpu?: string
  memory?: string
  timeout?: string
  retries?: number
  env?: string[]
  shell?: boolean
}

/** Exit codes when the command has none of its own: timeout (as coreutils' timeout), cancel (Ctrl-C). */
const TIMED_OUT = 124
const CANCELLED = 130

export function registerJobCommand(program: Command): void {
  const job = program.command('job').description('Run single commands as tracked jobs')
  addTrackingOptions(
    job
      .command('submit')
      .description(
        'Run one command as a tracked one-step pipeline: output streamed, exit code passed through',
      )
      .argument('<command...>', 'the command and its arguments (put them after --)')
      .addOption(backendOption())
      .option('--experiment <name>', 'experiment to record the run in', 'Default')
      .option('--name <name>', 'name of the job (the pipeline and run name)', 'job')
      .option('--image <image>', 'container image (used by the kubernetes backend)')
      .option('--gpu <n>', 'GPUs to request (kubernetes backend)', positiveInt)
      .option('--cpu <quantity>', 'CPUs to request, e.g. 2 or 500m (kubernetes backend)')
      .option('--memory <quantity>', 'memory to request, e.g. 4Gi (kubernetes backend)')
      .option('--timeout <duration>', 'stop the job after this long, e.g. 30m')
      .option('--retries <n>', 'run it again this many times if it fails', (v) => Number(v))
      .option('--env <NAME=value>', 'environment variable for the command (repeatable)', collect)
      .addOption(new Option('--shell', 'run the command through sh -c (one string with pipes, redirects…)')),
  ).action(async (command: string[], flags: JobFlags) => {
    await withClient(flags, async (client) => {
      const env = Object.fromEntries(
        (flags.env ?? []).map((e) => {
          const eq = e.indexOf('=')
          if (eq <= 0) throw new Error(`--env expects NAME=value, got '${e}'`)
          return [e.slice(0, eq), e.slice(eq + 1)]
        }),
      )
      const resources = {
        ...(flags.cpu ? { cpu: flags.cpu } : {}),
        ...(flags.memory ? { memory: flags.memory } : {}),
        ...(flags.gpu ? { gpu: flags.gpu } : {}),
      }
      const spec = normalizePipeline({
        name: flags.name,
        steps: [
          {
            name: 'main',
            command: flags.shell ? command.join(' ') : command,
            ...(flags.image ? { image: flags.image } : {}),
            ...(Object.keys(resources).length ? { resources } : {}),
            ...(flags.timeout ? { timeout: flags.timeout } : {}),
            ...(flags.retries !== undefined ? { retries: flags.retries } : {}),
            ...(Object.keys(env).length ? { env } : {}),
            cache: false,
          },
        ],
      })
      let exitCode: number | null = null
      let timedOut = false
      const started = Date.now()
      // --image is the step's own image here, not a default for steps without one.
      const { image: _stepImage, ...k8sFlags } = flags
      const kubernetes = kubernetesSettings(flags.backend, k8sFlags)
      const result = await executePipeline({
        client,
        backend: flags.backend,
        ...(kubernetes ? { kubernetes } : {}),
        logs: false,
        quiet: true,
        json: flags.json === true,
        run: {
          spec,
          params: {},
          workdir: process.cwd(),
          useCache: false,
          experimentName: flags.experiment,
          runName: flags.name,
          source: command.join(' '),
        },
        onEvent: (e) => {
          if (e.type === 'step-log' && !flags.json) process.stdout.write(`${e.line}\n`)
          if (e.type === 'step-started' && !flags.json)
            process.stderr.write(
              `cairn: job ${flags.name} running as step run ${e.runId}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}\n`,
            )
          if (e.type === 'step-finished' && e.key === 'main') {
            exitCode = e.exitCode
            timedOut = e.message.startsWith('timed out')
          }
        },
      })
      const code =
        result.status === 'cancelled'
          ? CANCELLED
          : timedOut
            ? TIMED_OUT
            : result.status === 'succeeded'
              ? 0
              : (exitCode ?? 1)
      if (flags.json) process.stdout.write(jsonText({ ...result, exitCode: code }))
      else {
        process.stderr.write(
          `cairn: job ${flags.name} ${result.status} in ${formatDuration(Date.now() - started)} (exit ${code}); pipeline run ${result.runId}${result.status === 'succeeded' ? '' : `: ${result.message}`}\n`,
        )
      }
      process.exitCode = code
    })
  })
  addKubernetesOptions(
    job.commands.find((c) => c.name() === 'submit')!,
    { image: false },
  )
}
