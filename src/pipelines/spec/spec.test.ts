import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { pipeline, ref } from './builder.js'
import { PipelineSpecError } from './errors.js'
import { loadPipelineFile, parsePipelineText } from './load.js'
import { normalizePipeline } from './normalize.js'
import { coerceParam, resolveParams } from './params.js'

const YAML = `
name: train-eval
description: every feature once
experiment: demo
parallelism: 3
params:
  min_auc: { type: float, default: 0.7 }
  tickers: { type: list, default: [AAPL, MSFT] }
  epochs: 5
defaults:
  image: python:3.11-slim
  retries: 1
steps:
  - name: ingest
    command: [node, ingest.js, --out, "{{outputs.dataset}}"]
    outputs: [dataset]
    timeout: 2m
  - name: train
    function: ./steps.ts#train
    params: { epochs: "{{params.epochs}}", lr: 0.01 }
    inputs: { data: ingest.dataset }
    outputs: { artifacts: [model], values: { auc: float } }
    resources: { cpu: 2, memory: 4Gi, gpu: 1 }
    retries: { limit: 3, backoff: 2s, factor: 3, max_backoff: 1m }
    cache: false
  - name: per-ticker
    command: python3 score.py --ticker {{item}}
    for_each: { items: "{{params.tickers}}", parallelism: 2 }
    depends_on: [train]
    env: { MODE: fast }
  - name: promote
    command: echo promote
    when: train.auc >= params.min_auc
    image: alpine:3
    sources: [promote.sh]
on_exit:
  name: cleanup
  command: echo done {{pipeline.status}}
`

function built() {
  return pipeline('train-eval', { description: 'every feature once', experiment: 'demo', parallelism: 3 })
    .param('min_auc', 'float', 0.7)
    .param('tickers', 'list', ['AAPL', 'MSFT'])
    .param('epochs', 'int', 5)
    .defaults({ image: 'python:3.11-slim', retries: 1 })
    .step('ingest', {
      command: ['node', 'ingest.js', '--out', ref.output('dataset')],
      outputs: ['dataset'],
      timeout: '2m',
    })
    .step('train', {
      function: { module: './steps.ts', export: 'train' },
      params: { epochs: ref.param('epochs'), lr: 0.01 },
      inputs: { data: 'ingest.dataset' },
      outputs: { artifacts: ['model'], values: { auc: 'float' } },
      resources: { cpu: '2', memory: '4Gi', gpu: 1 },
      retries: { limit: 3, backoff: 2000 / 1000, factor: 3, maxBackoff: '60s' },
      cache: false,
    })
    .step('per-ticker', {
      command: `python3 score.py --ticker ${ref.item()}`,
      forEach: { items: ref.param('tickers'), parallelism: 2 },
      dependsOn: ['train'],
      env: { MODE: 'fast' },
    })
    .step('promote', {
      command: 'echo promote',
      when: 'train.auc >= params.min_auc',
      image: 'alpine:3',
      sources: ['promote.sh'],
    })
    .onExit('cleanup', { command: 'echo done {{pipeline.status}}' })
    .build()
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof PipelineSpecError)
      return err.issues.map((i) => `${i.step ?? '-'} | ${i.field} | ${i.message}`)
    throw err
  }
  throw new Error('expected a PipelineSpecError')
}

const base = (steps: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'p', steps, ...extra })

describe('pipeline spec', () => {
  it('YAML and the TypeScript builder produce the same spec object', () => {
    const fromYaml = parsePipelineText(YAML)
    expect(built()).toStrictEqual(fromYaml)
    expect(JSON.parse(JSON.stringify(fromYaml))).toStrictEqual(fromYaml)
  })

  it('expands shorthands and fills defaults', () => {
    const spec = parsePipelineText(YAML)
    const [ingest, train, perTicker, promote] = spec.steps
    expect(ingest!.run).toEqual({ kind: 'argv', argv: ['node', 'ingest.js', '--out', '{{outputs.dataset}}'] })
    expect(ingest!.timeoutMs).toBe(120_000)
    expect(ingest!.retries).toEqual({ limit: 1, backoffMs: 1000, factor: 2, maxBackoffMs: 3_600_000 })
    expect(ingest!.image).toBe('python:3.11-slim')
    expect(train!.run).toEqual({ kind: 'function', module: './steps.ts', export: 'train' })
    expect(train!.retries).toEqual({ limit: 3, backoffMs: 2000, factor: 3, maxBackoffMs: 60_000 })
    expect(train!.resources).toEqual({ cpu: '2', memory: '4Gi', gpu: 1 })
    expect(perTicker!.forEach).toEqual({ items: '{{params.tickers}}', parallelism: 2 })
    expect(perTicker!.run).toEqual({ kind: 'shell', script: 'python3 score.py --ticker {{item}}' })
    expect(promote!.image).toBe('alpine:3')
    expect(spec.params['epochs']).toEqual({ type: 'int', default: 5, description: '' })
    expect(spec.onExit?.name).toBe('cleanup')
  })

  it('refuses a dependency cycle, naming the steps in it', () => {
    const issues = issuesOf(() =>
      normalizePipeline(
        base([
          { name: 'a', command: 'x', dependsOn: ['c'] },
          { name: 'b', command: 'x', dependsOn: ['a'] },
          { name: 'c', command: 'x', dependsOn: ['b'] },
        ]),
      ),
    )
    expect(issues).toEqual(['a | dependsOn | dependency cycle: a → c → b → a'])
  })

  it('finds cycles made by artifact passing and value references too', () => {
    const issues = issuesOf(() =>
      normalizePipeline(
        base([
          { name: 'a', command: 'x', inputs: { m: 'b.model' }, outputs: { values: { ok: 'bool' } } },
          { name: 'b', command: 'x', when: 'a.ok', outputs: ['model'] },
        ]),
      ),
    )
    expect(issues[0]).toMatch(/dependency cycle: a → b → a/)
  })

  it('names an unknown step with a suggestion', () => {
    const issues = issuesOf(() =>
      normalizePipeline(
        base([
          { name: 'train', command: 'x', outputs: ['model'] },
          { name: 'eval', command: 'x', dependsOn: ['trian'], inputs: { m: 'trainer.model' } },
        ]),
      ),
    )
    expect(issues).toEqual([
      "eval | dependsOn | unknown step 'trian' (did you mean 'train'?)",
      "eval | inputs.m | unknown step 'trainer' (did you mean 'train'?)",
    ])
  })

  it('refuses an input naming an artifact the upstream step does not declare', () => {
    const issues = issuesOf(() =>
      normalizePipeline(
        base([
          { name: 'train', command: 'x', outputs: ['model'] },
          { name: 'eval', command: 'x', inputs: { m: 'train.modle' } },
        ]),
      ),
    )
    expect(issues).toEqual([
      "eval | inputs.m | missing artifact: step 'train' declares no output artifact 'modle' (did you mean 'model'?)",
    ])
  })

  it('refuses a parameter default that does not fit its declared type', () => {
    const issues = issuesOf(() =>
      normalizePipeline(
        base([{ name: 'a', command: 'x' }], { params: { epochs: { type: 'int', default: 'ten' } } }),
      ),
    )
    expect(issues).toEqual(['- | params.epochs.default | type mismatch: "ten" is not a int'])
  })

  it('reports type mismatches between steps with the step and field', () => {
    const more = issuesOf(() =>
      normalizePipeline(
        base(
          [
            {
              name: 'train',
              command: 'x',
              outputs: { artifacts: ['model'], values: { auc: 'float', ok: 'bool' } },
            },
            { name: 'a', command: 'x', inputs: { m: 'train.auc' } },
            { name: 'b', command: 'x', forEach: '{{params.name}}' },
            { name: 'c', command: 'x', when: 'train.ok > 0.5' },
            { name: 'd', command: 'x', params: { m: '{{train.model}}' } },
            { name: 'e', command: 'x', when: 'train.auc' },
          ],
          { params: { name: 'x' } },
        ),
      ),
    )
    expect(more).toEqual([
      "a | inputs.m | type mismatch: 'train.auc' is a value (float), not an artifact; use it as '{{train.auc}}' in params",
      'b | forEach.items | type mismatch: {{params.name}} is string, not a list',
      'c | when | \'>\' needs number or string, but train.ok is bool in "train.ok > 0.5"',
      "d | params.m | {{train.model}}: type mismatch: 'train.model' is an artifact, not a value; pass it with inputs: { model: train.model }",
      "e | when | type mismatch: the condition is number, not a boolean (compare it, e.g. 'train.auc > 0.5')",
    ])
  })

  it('reports unknown fields, bad durations and references it cannot resolve, all at once', () => {
    const issues = issuesOf(() =>
      normalizePipeline(
        base([
          { name: 'a', comand: 'x' },
          { name: 'b', command: 'x {{params.nope}} {{item}}', timeout: 'soon', retries: -1 },
          { name: 'params', command: 'x' },
          { name: 'c', command: 'x', when: 'b.ok ==' },
        ]),
      ),
    )
    expect(issues).toEqual([
      "a | comand | unknown field (did you mean 'command'?)",
      "a | command | a step needs a 'command' (shell line or list) or a 'function' (module#export)",
      'b | timeout | "soon" is not a duration (e.g. 30s, 10m, 1h30m, or seconds)',
      'b | retries | must be a whole number of retries (0 or more)',
      "params | name | 'params' is reserved; choose another step name",
      'c | when | expected a value at 8, found the end in "b.ok =="',
    ])
  })

  it('checks references once the structure is sound', () => {
    const issues = issuesOf(() =>
      normalizePipeline(
        base([
          { name: 'b', command: 'x {{params.nope}} {{item}}' },
          { name: 'b', command: 'y' },
        ]),
      ),
    )
    expect(issues).toEqual([
      "b | name | duplicate step name 'b'",
      "b | command | {{params.nope}}: unknown parameter 'nope'",
      "b | command | {{item}}: 'item' is only defined in a step with forEach",
    ])
  })

  it('keeps onExit independent of the steps it cleans up after', () => {
    const issues = issuesOf(() =>
      normalizePipeline(
        base([{ name: 'a', command: 'x', outputs: { values: { ok: 'bool' } }, dependsOn: ['cleanup'] }], {
          onExit: { name: 'cleanup', command: 'echo {{a.ok}}', when: 'a.ok' },
        }),
      ),
    )
    expect(issues).toEqual([
      "cleanup | command | {{a.ok}}: onExit runs whatever happened, so it cannot use outputs of step 'a'",
      'cleanup | when | a.ok: onExit runs whatever happened, so it cannot use outputs of step \'a\' in "a.ok"',
      'cleanup | when | onExit always runs; it cannot have a condition',
      "a | dependsOn | 'cleanup' is the onExit step; nothing can depend on it",
    ])
  })

  it('loads YAML files and builder modules, relative to their folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-spec-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'p.yaml'), YAML)
    writeFileSync(
      join(dir, 'p.mjs'),
      `export default { name: 'from-module', steps: [{ name: 'a', command: 'true' }] }\n`,
    )
    const y = await loadPipelineFile(join(dir, 'p.yaml'))
    expect(y.workdir).toBe(dir)
    expect(y.spec.name).toBe('train-eval')
    expect((await loadPipelineFile(join(dir, 'p.mjs'))).spec.steps[0]!.name).toBe('a')
    await expect(loadPipelineFile(join(dir, 'missing.yaml'))).rejects.toThrow('ENOENT')
    await expect(loadPipelineFile(join(dir, 'p.txt'))).rejects.toThrow("Unknown pipeline file type '.txt'")
  })

  it("loads a builder made by another copy of Cairn's builder module (not an instance of this one)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-spec-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(
      join(dir, 'other-copy.mjs'),
      `class PipelineBuilder {
  constructor() { this.opts = {}; this.stepDefaults = null }
  toRaw() { return { name: 'other-copy', steps: [{ name: 'a', command: 'true' }] } }
}
export default new PipelineBuilder()
`,
    )
    const loaded = await loadPipelineFile(join(dir, 'other-copy.mjs'))
    expect(loaded.spec.name).toBe('other-copy')
    expect(loaded.spec.steps.map((s) => s.name)).toEqual(['a'])
  })
})

describe('pipeline parameters', () => {
  const spec = parsePipelineText(YAML)

  it('parses command-line values by declared type and keeps defaults', () => {
    expect(resolveParams(spec, { epochs: '7', tickers: 'A,B,C' })).toEqual({
      min_auc: 0.7,
      tickers: ['A', 'B', 'C'],
      epochs: 7,
    })
    expect(resolveParams(spec, { tickers: '["X"]' })['tickers']).toEqual(['X'])
    expect(coerceParam('flag', 'yes', 'bool')).toBe(true)
  })

  it('refuses unknown names and values of the wrong type', () => {
    expect(() => resolveParams(spec, { epoch: '3' })).toThrow(
      "has no parameter 'epoch' (did you mean 'epochs'?)",
    )
    expect(() => resolveParams(spec, { epochs: '3.5' })).toThrow(
      'Parameter \'epochs\' is a int; "3.5" is not an integer.',
    )
    expect(() => resolveParams(spec, { min_auc: 'high' })).toThrow('is not a number')
  })

  it('requires parameters that have no default', () => {
    const s = normalizePipeline({
      name: 'p',
      params: { day: { type: 'string' } },
      steps: [{ name: 'a', command: 'x' }],
    })
    expect(() => resolveParams(s, {})).toThrow("needs parameter 'day' (string); pass --param day=…")
  })
})

describe('spec round trip', () => {
  it('a spec turned back into its raw form normalizes to the same spec', async () => {
    const { specToRaw, revalidateSpec } = await import('./raw.js')
    const spec = parsePipelineText(YAML)
    expect(normalizePipeline(specToRaw(spec))).toStrictEqual(spec)
    expect(revalidateSpec(JSON.parse(JSON.stringify(spec)))).toStrictEqual(spec)
    expect(() => revalidateSpec({ ...spec, steps: [{ ...spec.steps[0]!, dependsOn: ['nope'] }] })).toThrow(
      "unknown step 'nope'",
    )
  })
})
