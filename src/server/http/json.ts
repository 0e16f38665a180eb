/**
 * JSON in and out.
 *
 * Python's json module (and so many MLflow clients) writes NaN, Infinity and -Infinity as bare
 * tokens, which JSON.parse refuses. MLflow's server accepted them and stored 0 at timestamp 0;
 * Cairn rewrites the bare tokens to proto3's string spellings ("NaN"...), which every double
 * field accepts, so the value sent is the value stored. Only bodies that fail strict parsing
 * pay for the rewrite.
 */
export function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err
    return JSON.parse(quoteNonFiniteTokens(text))
  }
}

/** Replaces bare NaN / Infinity / -Infinity outside string literals with quoted ones. */
export function quoteNonFiniteTokens(text: string): string {
  let out = ''
  let i = 0
  let last = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      i++
      while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 /* \ */ ? 2 : 1
      i++
      continue
    }
    for (const token of ['-Infinity', 'Infinity', 'NaN']) {
      if (text.startsWith(token, i)) {
        out += text.slice(last, i) + '"' + token + '"'
        i += token.length
        last = i
        break
      }
    }
    i++
  }
  return out + text.slice(last)
}
