/**
 * Semantic checks of a normalized spec: every reference names something that exists (steps,
 * params, inputs, outputs, value outputs), conditions parse and are boolean, types agree (a
 * fan-out runs over a list, an artifact is not used as a value or the other way round), and the
 * dependency graph has no cycle. Each problem names the step and the field.
 */
import { didYouMean, type Issues } from './errors.js'
import { typeOfExpr, type ExprType } from './expr/evaluate.js'
import { exprRefs, ExprError, parseExpr } from './expr/parse.js'
import { parseTemplate, TemplateError, valueRefs, wholeRef } from './template.js'
import type { ParamType, PipelineSpec, StepSpec } from './types.js'

export function exprTypeOf(t: ParamType): ExprType {
  return t === 'int' || t === 'float' ? 'number' : t
}

/** Where a template may appear, and so which references it may use. */
type Place = 'value' | 'command'

class RefError extends Error {}

/** Resolves the static type of a reference from `step`'s point of view; throws RefError. */
function refType(spec: PipelineSpec, step: StepSpec, path: string[], place: Place): ExprType {
  const [head, name, ...rest] = path
  const isExit = spec.onExit !== null && step === spec.onExit
  if (head === 'params') {
    const p = name === undefined ? undefined : spec.params[name]
    if (!p || rest.length > 0) {
      throw new RefError(
        `unknown parameter '${path.slice(1).join('.')}'${didYouMean(name ?? '', Object.keys(spec.params))}`,
      )
    }
    return exprTypeOf(p.type)
  }
  if (head === 'item') {
    if (!step.forEach) throw new RefError(`'item' is only defined in a step with forEach`)
    return 'any'
  }
  if (head === 'pipeline') {
    if (name === 'status' && isExit && rest.length === 0) return 'string'
    if ((name === 'run_id' || name === 'name') && rest.length === 0) return 'string'
    throw new RefError(
      `unknown '${path.join('.')}' (pipeline.run_id, pipeline.name; pipeline.status in onExit)`,
    )
  }
  if (head === 'inputs' || head === 'outputs') {
    if (place !== 'command')
      throw new RefError(`'${head}.…' (a local folder) can be used in commands and env only`)
    const names = head === 'inputs' ? Object.keys(step.inputs) : step.outputs.artifacts
    if (name === undefined || !names.includes(name) || rest.length > 0) {
      throw new RefError(
        `step has no ${head === 'inputs' ? 'input' : 'output artifact'} '${name ?? ''}'${didYouMean(name ?? '', names)}`,
      )
    }
    return 'string'
  }
  const up = spec.steps.find((s) => s.name === head)
  if (!up) {
    throw new RefError(
      `unknown step '${head}'${didYouMean(
        head ?? '',
        spec.steps.map((s) => s.name),
      )}`,
    )
  }
  if (isExit) throw new RefError(`onExit runs whatever happened, so it cannot use outputs of step '${head}'`)
  if (up === step) throw new RefError(`a step cannot use its own outputs`)
  if (name === undefined || rest.length > 0) throw new RefError(`expected '${head}.<value>'`)
  if (up.outputs.artifacts.includes(name)) {
    throw new RefError(
      `type mismatch: '${head}.${name}' is an artifact, not a value; pass it with inputs: { ${name}: ${head}.${name} }`,
    )
  }
  const t = up.outputs.values[name]
  if (t === undefined) {
    throw new RefError(
      `step '${head}' declares no value output '${name}'${didYouMean(name, Object.keys(up.outputs.values))}`,
    )
  }
  return up.forEach ? 'list' : exprTypeOf(t)
}

/** Steps a step waits for: explicit, from inputs, and from references in templates and `when`. */
export function stepDependencies(spec: PipelineSpec, step: StepSpec): Set<string> {
  const names = new Set(spec.steps.map((s) => s.name))
  const deps = new Set(step.dependsOn)
  for (const b of Object.values(step.inputs)) deps.add(b.step)
  const refs: string[][] = [...valueRefs(step.params), ...valueRefs(step.env), ...commandRefs(step)]
  if (step.forEach) refs.push(...valueRefs(step.forEach.items))
  if (step.when !== null) {
    try {
      refs.push(...exprRefs(parseExpr(step.when)))
    } catch {
      // Reported by validation.
    }
  }
  for (const r of refs) if (r[0] !== undefined && names.has(r[0])) deps.add(r[0])
  deps.delete(step.name)
  return deps
}

function commandRefs(step: StepSpec): string[][] {
  const texts = step.run.kind === 'shell' ? [step.run.script] : step.run.kind === 'argv' ? step.run.argv : []
  return texts.flatMap((t) => {
    try {
      return parseTemplate(t).flatMap((p) => ('ref' in p ? [p.ref] : []))
    } catch {
      return []
    }
  })
}

export function validateSpec(spec: PipelineSpec, issues: Issues): void {
  const all = spec.onExit ? [...spec.steps, spec.onExit] : spec.steps
  const seen = new Set<string>()
  for (const s of all) {
    if (seen.has(s.name)) issues.add(s.name, 'name', `duplicate step name '${s.name}'`)
    seen.add(s.name)
  }
  for (const step of all) checkStep(spec, step, issues)
  if (spec.onExit) {
    const exit = spec.onExit
    if (Object.keys(exit.inputs).length > 0)
      issues.add(exit.name, 'inputs', 'onExit cannot take inputs: upstream steps may not have produced them')
    if (exit.when !== null) issues.add(exit.name, 'when', 'onExit always runs; it cannot have a condition')
    if (exit.forEach) issues.add(exit.name, 'forEach', 'onExit cannot fan out')
    if (exit.dependsOn.length > 0)
      issues.add(exit.name, 'dependsOn', 'onExit runs after every step; it has no dependencies')
    for (const s of spec.steps) {
      if (s.dependsOn.includes(exit.name))
        issues.add(s.name, 'dependsOn', `'${exit.name}' is the onExit step; nothing can depend on it`)
    }
  }
  if (issues.list.length === 0) findCycle(spec, issues)
}

function checkStep(spec: PipelineSpec, step: StepSpec, issues: Issues): void {
  const add = (field: string, message: string): void => issues.add(step.name, field, message)
  const names = spec.steps.map((s) => s.name)
  for (const d of step.dependsOn) {
    if (d === spec.onExit?.name) continue
    if (d === step.name) add('dependsOn', 'a step cannot depend on itself')
    else if (!names.includes(d)) add('dependsOn', `unknown step '${d}'${didYouMean(d, names)}`)
  }
  for (const [inName, b] of Object.entries(step.inputs)) {
    const up = spec.steps.find((s) => s.name === b.step)
    const field = `inputs.${inName}`
    if (!up) add(field, `unknown step '${b.step}'${didYouMean(b.step, names)}`)
    else if (up === step) add(field, 'a step cannot use its own outputs')
    else if (b.artifact in up.outputs.values) {
      add(
        field,
        `type mismatch: '${b.step}.${b.artifact}' is a value (${up.outputs.values[b.artifact]}), not an artifact; use it as '{{${b.step}.${b.artifact}}}' in params`,
      )
    } else if (!up.outputs.artifacts.includes(b.artifact)) {
      add(
        field,
        `missing artifact: step '${b.step}' declares no output artifact '${b.artifact}'${didYouMean(b.artifact, up.outputs.artifacts)}`,
      )
    }
  }
  const checkRefs = (field: string, text: string, place: Place): void => {
    let parts
    try {
      parts = parseTemplate(text)
    } catch (err) {
      if (err instanceof TemplateError) return add(field, err.message)
      throw err
    }
    for (const p of parts) {
      if (!('ref' in p)) continue
      try {
        refType(spec, step, p.ref, place)
      } catch (err) {
        if (err instanceof RefError) add(field, `{{${p.ref.join('.')}}}: ${err.message}`)
        else throw err
      }
    }
  }
  const walk = (field: string, v: unknown, place: Place): void => {
    if (typeof v === 'string') checkRefs(field, v, place)
    else if (Array.isArray(v)) v.forEach((x, i) => walk(`${field}[${i}]`, x, place))
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) walk(`${field}.${k}`, x, place)
  }
  walk('params', step.params, 'value')
  walk('env', step.env, 'command')
  if (step.run.kind === 'shell') checkRefs('command', step.run.script, 'command')
  if (step.run.kind === 'argv') step.run.argv.forEach((a, i) => checkRefs(`command[${i}]`, a, 'command'))
  if (step.forEach) {
    const items = step.forEach.items
    if (typeof items === 'string') {
      const ref = wholeRef(items)
      if (!ref)
        add('forEach.items', `must be a list or one template naming a list, got ${JSON.stringify(items)}`)
      else if (ref[0] === 'item') add('forEach.items', 'cannot fan out over the item itself')
      else {
        try {
          const t = refType(spec, step, ref, 'value')
          if (t !== 'list' && t !== 'any')
            add('forEach.items', `type mismatch: {{${ref.join('.')}}} is ${t}, not a list`)
        } catch (err) {
          if (err instanceof RefError) add('forEach.items', `{{${ref.join('.')}}}: ${err.message}`)
          else throw err
        }
      }
    } else walk('forEach.items', items, 'value')
  }
  if (step.when !== null) {
    try {
      const t = typeOfExpr(parseExpr(step.when), (path) => {
        try {
          return refType(spec, step, path, 'value')
        } catch (err) {
          if (err instanceof RefError) throw new ExprError(`${path.join('.')}: ${err.message}`, 0)
          throw err
        }
      })
      if (t !== 'bool' && t !== 'any')
        add(
          'when',
          `type mismatch: the condition is ${t}, not a boolean (compare it, e.g. '${step.when} > 0.5')`,
        )
    } catch (err) {
      add('when', `${(err as Error).message} in ${JSON.stringify(step.when)}`)
    }
  }
}

function findCycle(spec: PipelineSpec, issues: Issues): void {
  const deps = new Map(spec.steps.map((s) => [s.name, [...stepDependencies(spec, s)]]))
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const visit = (name: string): boolean => {
    if (state.get(name) === 'done') return false
    if (state.get(name) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name]
      issues.add(name, 'dependsOn', `dependency cycle: ${cycle.join(' → ')}`)
      return true
    }
    state.set(name, 'visiting')
    stack.push(name)
    for (const d of deps.get(name) ?? []) if (visit(d)) return true
    stack.pop()
    state.set(name, 'done')
    return false
  }
  for (const s of spec.steps) if (visit(s.name)) return
}
