/**
 * Placeholders of the transcripts (`<EXP_2>`, `<RUN_1>`, `<TS>`, `<SUFFIX>`...) and their values in
 * this replay. Values the client chooses (suffix, user, base URL) are fixed at the start; values the
 * server chooses (ids, random run names) are bound the first time they appear in an answer.
 */

export const PLACEHOLDER =
  /<(EXP_\d+|RUN_\d+|TS|SUFFIX|SUFFIX_UPPER|USER|RANDOM_RUN_NAME|UUID|ARTIFACT_ROOT|TMPDIR|BASE_URL)>/g

/** What an unbound placeholder may stand for, as a regular-expression fragment. */
function patternOf(name: string): string {
  if (name.startsWith('EXP_')) return '\\d+'
  if (name.startsWith('RUN_') || name === 'UUID') return '[0-9a-f]{32}'
  if (name === 'TS') return '-?\\d+'
  if (name === 'SUFFIX' || name === 'SUFFIX_UPPER') return '[A-Za-z0-9]+'
  if (name === 'BASE_URL') return 'https?://[^/]+'
  if (name === 'USER') return '[\\s\\S]*?'
  return '[\\s\\S]+?'
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export class Bindings {
  private readonly values = new Map<string, string>()

  constructor(fixed: { suffix: string; user: string; baseUrl: string }) {
    this.values.set('SUFFIX', fixed.suffix)
    this.values.set('SUFFIX_UPPER', fixed.suffix.toUpperCase())
    this.values.set('USER', fixed.user)
    this.values.set('BASE_URL', fixed.baseUrl)
  }

  get(name: string): string | undefined {
    return this.values.get(name)
  }

  /** The placeholder a value is bound to (`RUN_3` for run 3's id), for re-sorting answers. */
  nameOf(value: string): string | undefined {
    for (const [k, v] of this.values) if (v === value) return k
    return undefined
  }

  /** Replaces every placeholder in request text; a server-chosen value not yet seen is an error. */
  fill(text: string): string {
    return text.replace(PLACEHOLDER, (_m, name: string) => {
      const v = this.values.get(name)
      if (v === undefined) throw new Error(`placeholder <${name}> is used before the server gave it a value`)
      return v
    })
  }

  /**
   * Matches an answer's string against a recorded string with placeholders, binding the ones not
   * yet seen. `<TS>` is never bound: each stands for its own timestamp.
   */
  match(recorded: string, actual: string): boolean {
    const names: string[] = []
    let re = '^'
    let last = 0
    for (const m of recorded.matchAll(PLACEHOLDER)) {
      const name = m[1]!
      re += escapeRe(recorded.slice(last, m.index))
      const bound = name === 'TS' ? undefined : this.values.get(name)
      if (bound !== undefined) re += escapeRe(bound)
      else {
        re += `(${patternOf(name)})`
        names.push(name)
      }
      last = m.index + m[0].length
    }
    re += escapeRe(recorded.slice(last)) + '$'
    const found = new RegExp(re).exec(actual)
    if (!found) return false
    const fresh = new Map<string, string>()
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!
      const value = found[i + 1]!
      if (name === 'TS') continue
      const seen = fresh.get(name)
      if (seen !== undefined && seen !== value) return false
      fresh.set(name, value)
    }
    for (const [k, v] of fresh) this.values.set(k, v)
    return true
  }
}

export function hasPlaceholder(s: string): boolean {
  return new RegExp(PLACEHOLDER.source).test(s)
}
