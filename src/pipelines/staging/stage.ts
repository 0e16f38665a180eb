/**
 * Staging: what happens around a step's command wherever it runs (the local executor calls it in
 * process; a container entrypoint can call it in the pod). Inputs are downloaded from the
 * producing runs' artifacts through the tracking server's artifact proxy, outputs are uploaded to
 * the step run's artifacts, values are read from the files the step wrote. HTTP only, as all
 * step-side code is.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  artifactBaseUrl,
  forEachLimited,
  joinArtifactPath,
  listFiles,
  uploadFile,
} from '../../client/artifacts.js'
import type { HttpClient } from '../../client/http.js'
import { TRACKING_API } from '../../protocol/tracking-api.js'
import type { ArtifactOutput, OutputValue, StepOutputs } from '../../protocol/pipeline-entities.js'
import type { StepTask } from '../executor.js'
import { parseTemplate, shellQuote } from '../spec/template.js'
import type { ParamType, StepRun } from '../spec/types.js'
import { folderDigest } from './digest.js'
import { ENV } from './env-names.js'

const TRANSFER_CONCURRENCY = 8

/** A declared output the step did not produce, or a value it wrote that does not fit its type. */
export class StepOutputError extends Error {
  override name = 'StepOutputError'
}

export interface StagedStep {
  dir: string
  /** `task.env` plus the CAIRN_INPUT_/OUTPUT_/VALUE_ paths. */
  env: Record<string, string>
  /** `task.run` with `{{inputs.x}}` / `{{outputs.x}}` filled with local paths. */
  run: StepRun
  inputPaths: Record<string, string>
  outputPaths: Record<string, string>
  valuePaths: Record<string, string>
  /** After a zero exit: uploads the output folders and reads the values (StepOutputError when one is missing). */
  collect(): Promise<StepOutputs>
  cleanup(): Promise<void>
}

/** Artifact URIs of runs, looked up once per run. */
export class RunArtifactUris {
  private readonly uris = new Map<string, Promise<string>>()
  constructor(private readonly http: HttpClient) {}
  get(runId: string): Promise<string> {
    let p = this.uris.get(runId)
    if (!p) {
      p = this.http.call(TRACKING_API.getRun, { run_id: runId }).then((a) => a.run.info.artifact_uri)
      p.catch(() => this.uris.delete(runId))
      this.uris.set(runId, p)
    }
    return p
  }
}

/** Every file below `path` in a run's artifacts, relative to `path`. */
export async function listArtifactFiles(http: HttpClient, runId: string, path: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    let token = ''
    do {
      const page = await http.call(TRACKING_API.listArtifacts, {
        run_id: runId,
        path: dir,
        ...(token ? { page_token: token } : {}),
      })
      for (const f of page.files ?? []) {
        if (f.is_dir) await walk(f.path)
        else out.push(f.path.slice(path.length).replace(/^\/+/, ''))
      }
      token = page.next_page_token ?? ''
    } while (token !== '')
  }
  await walk(path)
  return out
}

export async function downloadArtifacts(
  http: HttpClient,
  source: { artifactUri: string; path: string; files: string[] },
  dest: string,
): Promise<void> {
  const base = artifactBaseUrl(source.artifactUri, http.trackingUri)
  await forEachLimited(source.files, TRANSFER_CONCURRENCY, async (rel) => {
    const artifactPath = joinArtifactPath(source.path, rel)
    const res = await http.send({
      method: 'GET',
      path: `${base}/${artifactPath.split('/').map(encodeURIComponent).join('/')}`,
      timeoutMs: null,
    })
    const target = join(dest, ...rel.split('/'))
    await mkdir(join(target, '..'), { recursive: true })
    await writeFile(target, Buffer.from(await res.arrayBuffer()))
  })
}

type LocalPaths = { inputs: Record<string, string>; outputs: Record<string, string> }

function fillText(text: string, paths: LocalPaths, shell: boolean): string {
  if (!text.includes('{{')) return text
  return parseTemplate(text)
    .map((p) => {
      if ('text' in p) return p.text
      const [head, name] = p.ref
      const path =
        head === 'inputs'
          ? paths.inputs[name ?? '']
          : head === 'outputs'
            ? paths.outputs[name ?? '']
            : undefined
      if (path === undefined) return `{{${p.ref.join('.')}}}`
      return shell ? shellQuote(path) : path
    })
    .join('')
}

function fillPaths(run: StepRun, paths: LocalPaths): StepRun {
  if (run.kind === 'shell') return { kind: 'shell', script: fillText(run.script, paths, true) }
  if (run.kind === 'argv') return { kind: 'argv', argv: run.argv.map((a) => fillText(a, paths, false)) }
  return run
}

export function parseValue(name: string, text: string, type: ParamType): OutputValue {
  const t = text.replace(/\r?\n$/, '')
  const bad = (want: string): never => {
    throw new StepOutputError(
      `value output '${name}' is declared ${type}, but the step wrote ${JSON.stringify(t.slice(0, 100))} (not ${want})`,
    )
  }
  switch (type) {
    case 'string':
      return t
    case 'int':
      return /^\s*-?\d+\s*$/.test(t) ? Number(t) : bad('an integer')
    case 'float': {
      const n = Number(t)
      return t.trim() !== '' && Number.isFinite(n) ? n : bad('a number')
    }
    case 'bool': {
      const v = t.trim().toLowerCase()
      return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : bad('true or false')
    }
    case 'list':
    case 'object': {
      let v: unknown
      try {
        v = JSON.parse(t)
      } catch {
        return bad(`JSON`)
      }
      const ok = type === 'list' ? Array.isArray(v) : typeof v === 'object' && v !== null && !Array.isArray(v)
      return ok ? (v as OutputValue) : bad(`a JSON ${type}`)
    }
  }
}

export async function stageStep(
  task: StepTask,
  opts: { http: HttpClient; dir: string },
): Promise<StagedStep> {
  const { http, dir } = opts
  const uris = new RunArtifactUris(http)
  const inputPaths: Record<string, string> = {}
  const outputPaths: Record<string, string> = {}
  const valuePaths: Record<string, string> = {}
  const env: Record<string, string> = { ...task.env }
  await mkdir(join(dir, 'values'), { recursive: true })

  for (const [name, source] of Object.entries(task.inputs)) {
    const dest = join(dir, 'inputs', name)
    await mkdir(dest, { recursive: true })
    const sources: [ArtifactOutput, string][] = Array.isArray(source)
      ? source.map((s, i) => [s, join(dest, String(i))])
      : [[source, dest]]
    for (const [s, into] of sources) {
      const files = await listArtifactFiles(http, s.runId, s.path)
      await downloadArtifacts(http, { artifactUri: await uris.get(s.runId), path: s.path, files }, into)
    }
    inputPaths[name] = dest
    env[ENV.input(name)] = dest
  }
  for (const name of task.outputs.artifacts) {
    const p = join(dir, 'outputs', name)
    await mkdir(p, { recursive: true })
    outputPaths[name] = p
    env[ENV.output(name)] = p
  }
  for (const name of Object.keys(task.outputs.values)) {
    valuePaths[name] = join(dir, 'values', name)
    env[ENV.value(name)] = valuePaths[name]
  }
  env['CAIRN_VALUES_DIR'] = join(dir, 'values')
  for (const [k, v] of Object.entries(task.env))
    env[k] = fillText(v, { inputs: inputPaths, outputs: outputPaths }, false)

  const collect = async (): Promise<StepOutputs> => {
    const out: StepOutputs = { artifacts: {}, values: {} }
    const read = async (name: string, type: ParamType): Promise<void> => {
      let text: string
      try {
        text = await readFile(valuePaths[name]!, 'utf8')
      } catch {
        throw new StepOutputError(`value output '${name}' was not written (write it to $${ENV.value(name)})`)
      }
      out.values[name] = parseValue(name, text, type)
    }
    for (const [name, type] of Object.entries(task.outputs.values)) await read(name, type)
    const artifactUri = task.outputs.artifacts.length > 0 ? await uris.get(task.tracking.runId) : ''
    for (const name of task.outputs.artifacts) {
      const folder = outputPaths[name]!
      const files = await listFiles(folder)
      if (files.length === 0) {
        throw new StepOutputError(
          `output artifact '${name}' was not written: $${ENV.output(name)} (${folder}) is empty`,
        )
      }
      const path = `outputs/${name}`
      const base = artifactBaseUrl(artifactUri, http.trackingUri)
      await forEachLimited(files, TRANSFER_CONCURRENCY, (rel) =>
        uploadFile(http, { base, artifactPath: joinArtifactPath(path, rel) }, join(folder, rel)),
      )
      out.artifacts[name] = { runId: task.tracking.runId, path, digest: await folderDigest(folder, files) }
    }
    return out
  }

  return {
    dir,
    env,
    run: fillPaths(task.run, { inputs: inputPaths, outputs: outputPaths }),
    inputPaths,
    outputPaths,
    valuePaths,
    collect,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}
