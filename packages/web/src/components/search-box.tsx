/**
 * The filter box: the server's search language (docs/search.md, with OR and parentheses), key
 * completion from the columns seen so far, and inline errors. Text is checked as it is typed
 * with the same parser the server uses (src/protocol/filter); what the server still refuses
 * comes back as its 400 message and is shown the same way.
 */
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { parseSearchFilter } from '../../../../src/protocol/filter/index.js'
import { searchKey } from '../state/columns.js'

export interface SearchBoxProps {
  value: string
  /** Column ids (`metrics.acc`, …) to complete. */
  keys: string[]
  onSubmit: (filter: string) => void
  serverError: string | null
  placeholder?: string
}

const PREFIXES = ['metrics.', 'params.', 'tags.', 'attributes.', 'datasets.']
const KEYWORDS = ['AND', 'OR', 'LIKE', 'ILIKE', 'IN', 'NOT IN']

/** The identifier being typed at the caret, if any: its start and text. */
export function tokenAt(text: string, caret: number): { start: number; word: string } | null {
  let start = caret
  while (start > 0 && /[\w.`"-]/.test(text[start - 1]!)) start--
  const word = text.slice(start, caret)
  if (word === '' || /^\d/.test(word)) return null
  // Inside a quoted string value: no completion.
  const quotes = (text.slice(0, start).match(/'/g) ?? []).length
  return quotes % 2 === 1 ? null : { start, word }
}

export function completions(word: string, keys: string[], limit = 12): string[] {
  const w = word.toLowerCase().replaceAll('`', '')
  const out: string[] = []
  for (const p of PREFIXES) if (p.startsWith(w) && p !== w) out.push(p)
  for (const k of keys) {
    const full = searchKey(k)
    if (full.toLowerCase().replaceAll('`', '').startsWith(w) && full !== word) out.push(full)
    if (out.length >= limit) break
  }
  if (!w.includes('.'))
    for (const kw of KEYWORDS) if (kw.toLowerCase().startsWith(w) && kw.toLowerCase() !== w) out.push(kw)
  return out.slice(0, limit)
}

/** The client-side verdict: null when the filter parses, else the parser's message. */
export function checkFilter(text: string): string | null {
  try {
    parseSearchFilter('runs', text)
    return null
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}

function errorPosition(message: string): number | null {
  const m = /at position (\d+)/.exec(message)
  return m ? Number(m[1]) : null
}

export function SearchBox(props: SearchBoxProps): React.JSX.Element {
  const [text, setText] = useState(props.value)
  const [caret, setCaret] = useState(0)
  const [open, setOpen] = useState(false)
  const [pick, setPick] = useState(0)
  const [localError, setLocalError] = useState<string | null>(null)
  const input = useRef<HTMLInputElement>(null)
  const id = useId()

  useEffect(() => setText(props.value), [props.value])

  const token = tokenAt(text, caret)
  const options = useMemo(() => (token ? completions(token.word, props.keys) : []), [token?.word, props.keys])
  const error = localError ?? (text === props.value ? props.serverError : null)
  const position = error ? errorPosition(error) : null

  const accept = (option: string): void => {
    if (!token) return
    const next = text.slice(0, token.start) + option + (option.endsWith('.') ? '' : ' ') + text.slice(caret)
    const at = token.start + option.length + (option.endsWith('.') ? 0 : 1)
    setText(next)
    setOpen(option.endsWith('.'))
    setPick(0)
    requestAnimationFrame(() => {
      input.current?.setSelectionRange(at, at)
      setCaret(at)
    })
  }

  const submit = (): void => {
    const problem = text.trim() === '' ? null : checkFilter(text)
    setLocalError(problem)
    setOpen(false)
    if (problem === null) props.onSubmit(text.trim())
  }

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (open && options.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault()
        setPick((pick + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length)
        return
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && token && options[pick] !== undefined)) {
        e.preventDefault()
        accept(options[pick]!)
        return
      }
      if (e.key === 'Escape') {
        e.preventDefault()
        setOpen(false)
        return
      }
    }
    if (e.key === 'Enter') {
      e.preventDefault()
      submit()
    }
  }

  return (
    <div className="search-box">
      <label htmlFor={`${id}-input`} className="sr-only">
        Filter runs
      </label>
      <input
        id={`${id}-input`}
        ref={input}
        type="search"
        role="combobox"
        aria-expanded={open && options.length > 0}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-invalid={error !== null}
        aria-describedby={error ? `${id}-error` : `${id}-help`}
        aria-activedescendant={open && options.length > 0 ? `${id}-opt-${pick}` : undefined}
        spellCheck={false}
        autoComplete="off"
        placeholder={
          props.placeholder ?? "metrics.acc > 0.9 AND (params.opt = 'adam' OR tags.team LIKE 'ml%')"
        }
        value={text}
        onChange={(e) => {
          setText(e.target.value)
          setCaret(e.target.selectionStart ?? e.target.value.length)
          setLocalError(null)
          setOpen(true)
          setPick(0)
        }}
        onKeyDown={onKeyDown}
        onKeyUp={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
        onClick={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        data-testid="filter-input"
      />
      <button type="button" onClick={submit}>
        Search
      </button>
      {open && options.length > 0 && (
        <ul id={`${id}-list`} role="listbox" className="completions" aria-label="Key suggestions">
          {options.map((o, i) => (
            <li
              key={o}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === pick}
              className={i === pick ? 'picked' : undefined}
              onMouseDown={(e) => {
                e.preventDefault()
                accept(o)
              }}
            >
              {o}
            </li>
          ))}
        </ul>
      )}
      {error ? (
        <div id={`${id}-error`} className="filter-error" role="alert" data-testid="filter-error">
          {position !== null && position <= text.length && (
            <code className="error-caret" aria-hidden="true">
              {text.slice(0, position)}
              <mark>{text.slice(position, position + 1) || ' '}</mark>
              {text.slice(position + 1)}
            </code>
          )}
          <span>{error}</span>
        </div>
      ) : (
        <div id={`${id}-help`} className="sr-only">
          Search language: key comparator value, joined by AND and OR. Tab completes keys.
        </div>
      )}
    </div>
  )
}
