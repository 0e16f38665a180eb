/**
 * A small router over the History API: the path picks the page, the query string holds the
 * page's whole view state (so a URL reproduces what a person saw). No dependency needed.
 */
import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react'

const listeners = new Set<() => void>()
const notify = (): void => listeners.forEach((l) => l())
window.addEventListener('popstate', notify)

function subscribe(l: () => void): () => void {
  listeners.add(l)
  return () => listeners.delete(l)
}

const snapshot = (): string => location.pathname + location.search

export interface Location {
  path: string
  query: URLSearchParams
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot)
  const q = href.indexOf('?')
  return {
    path: q === -1 ? href : href.slice(0, q),
    query: new URLSearchParams(q === -1 ? '' : href.slice(q)),
  }
}

/** Goes to `to`; `replace` for view-state changes that should not fill the back button. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return
  if (opts.replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  notify()
}

export function withQuery(path: string, query: URLSearchParams): string {
  const s = query.toString()
  return s === '' ? path : `${path}?${s}`
}

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }): React.JSX.Element {
  const { to, onClick, ...rest } = props
  const click = (e: MouseEvent<HTMLAnchorElement>): void => {
    onClick?.(e)
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(to)
  }
  return <a href={to} onClick={click} {...rest} />
}

/** Sets the document title while a page is shown. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Cairn` : 'Cairn'
  }, [title])
}
