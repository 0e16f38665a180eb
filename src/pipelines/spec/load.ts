/**
 * Reading a pipeline from a file: YAML (`.yaml`, `.yml`), JSON, or a JavaScript/TypeScript module
 * whose default export is a builder, a built spec or a raw definition. Relative paths in the
 * pipeline (commands' working folder, function modules, sources) are relative to the file's folder.
 */
import { readFile } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { invalidParameter } from '../../protocol/errors.js'
import { PipelineBuilder } from './builder.js'
import { normalizePipeline } from './normalize.js'
import type { PipelineSpec } from './types.js'

export interface LoadedPipeline {
  spec: PipelineSpec
  /** Absolute folder the pipeline's relative paths are relative to. */
  workdir: string
  file: string
}

export function parsePipelineText(text: string, file = 'pipeline.yaml'): PipelineSpec {
  let raw: unknown
  try {
    raw = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true })
  } catch (err) {
    throw invalidParameter(`Cannot parse ${file}: ${(err as Error).message}`)
  }
  return normalizePipeline(raw)
}

export async function loadPipelineFile(path: string): Promise<LoadedPipeline> {
  const file = resolve(path)
  const workdir = dirname(file)
  const ext = extname(file)
  if (['.yaml', '.yml', '.json'].includes(ext)) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      throw invalidParameter(
        `Cannot read pipeline file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      )
    }
    return { spec: parsePipelineText(text, file), workdir, file }
  }
  if (['.js', '.mjs', '.ts', '.mts'].includes(ext)) {
    if (ext === '.ts' || ext === '.mts') await registerTypeScript(path)
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown }
    const value = mod.default
    if (value instanceof PipelineBuilder) return { spec: value.build(), workdir, file }
    // A builder from another copy of Cairn (the module imports Cairn's source while this CLI runs
    // from dist, or another install) is not an instance of this class; its raw shape is the same.
    if (hasToRaw(value)) return { spec: normalizePipeline(value.toRaw()), workdir, file }
    if (value !== undefined) return { spec: normalizePipeline(value), workdir, file }
    throw invalidParameter(`${path} has no default export; export default pipeline('name')…`)
  }
  throw invalidParameter(
    `Unknown pipeline file type '${ext}' for ${path}; use .yaml, .yml, .json, .js, .mjs or .ts.`,
  )
}

function hasToRaw(value: unknown): value is { toRaw(): unknown } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { toRaw?: unknown }).toRaw === 'function'
  )
}

let tsRegistered = false

/** TypeScript modules load through tsx when it is installed (Node 20 cannot strip types itself). */
async function registerTypeScript(path: string): Promise<void> {
  if (tsRegistered) return
  try {
    const api = (await import('tsx/esm/api')) as { register: () => unknown }
    api.register()
    tsRegistered = true
  } catch {
    throw invalidParameter(
      `${path} is TypeScript: install tsx (npm i -D tsx) so Cairn can load it, or build it to JavaScript first.`,
    )
  }
}
