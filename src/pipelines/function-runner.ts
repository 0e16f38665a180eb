/**
 * Runs a TypeScript/JavaScript function step in its own process: imports the module named by
 * CAIRN_FUNCTION_MODULE (relative to the working folder, or a package name), calls the export
 * named by CAIRN_FUNCTION_EXPORT with a StepContext, and writes what it returns to the step's
 * value outputs. Being a process with a command line, a function step runs wherever a command
 * step does: locally, or in a container that has the module and Cairn installed
 * (`node node_modules/cairn/dist/pipelines/function-runner.js`).
 *
 * @example
 * // steps.ts — `function: ./steps.ts#evaluate` in the pipeline
 * export async function evaluate(ctx: StepContext) {
 *   const auc = score(await readFile(join(ctx.inputs.model, 'model.onnx')))
 *   return { auc, passed: auc >= Number(ctx.params.min_auc) }
 * }
 */
import { writeFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Value } from './spec/types.js'

export interface StepContext {
  step: string
  params: Record<string, Value>
  item: Value | undefined
  /** Input name → local folder. */
  inputs: Record<string, string>
  /** Output artifact name → local folder to write into. */
  outputs: Record<string, string>
  /** The step's own run: metrics logged to it (CairnClient picks MLFLOW_RUN_ID up) land there. */
  runId: string
  trackingUri: string
}

/** What the runner gets in CAIRN_FUNCTION_CONTEXT. */
export interface FunctionContextEnv extends StepContext {
  values: Record<string, string>
}

export type StepFunction = (ctx: StepContext) => unknown

function moduleUrl(spec: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) return pathToFileURL(resolve(process.cwd(), spec)).href
  return spec
}

export async function runFunction(env: NodeJS.ProcessEnv): Promise<number> {
  const module = env['CAIRN_FUNCTION_MODULE']
  const name = env['CAIRN_FUNCTION_EXPORT'] ?? 'default'
  const raw = env['CAIRN_FUNCTION_CONTEXT']
  if (!module || !raw) {
    process.stderr.write(
      'cairn function runner: CAIRN_FUNCTION_MODULE and CAIRN_FUNCTION_CONTEXT must be set\n',
    )
    return 2
  }
  const { values, ...ctx } = JSON.parse(raw) as FunctionContextEnv
  const mod = (await import(moduleUrl(module))) as Record<string, unknown>
  const fn = mod[name]
  if (typeof fn !== 'function') {
    const exported = Object.keys(mod).filter((k) => typeof mod[k] === 'function')
    process.stderr.write(
      `cairn function runner: ${module} has no exported function '${name}' (exported functions: ${exported.join(', ') || 'none'})\n`,
    )
    return 2
  }
  const result = await (fn as StepFunction)(ctx)
  if (result !== undefined && result !== null && typeof result === 'object' && !Array.isArray(result)) {
    for (const [key, path] of Object.entries(values)) {
      const v = (result as Record<string, unknown>)[key]
      if (v === undefined) continue
      await writeFile(path, typeof v === 'string' ? v : JSON.stringify(v))
    }
  }
  return 0
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) {
  runFunction(process.env).then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
      process.exitCode = 1
    },
  )
}
