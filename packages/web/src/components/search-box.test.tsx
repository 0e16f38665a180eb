import { afterEach, describe, expect, it, vi } from 'vitest'
import { press, render, typeInto, type Rendered } from '../test-support/render.js'
import { checkFilter, completions, SearchBox, tokenAt } from './search-box.js'

describe('filter box', () => {
  let r: Rendered | null = null
  afterEach(() => {
    r?.unmount()
    r = null
  })

  it('finds the identifier being typed, but not inside a quoted value', () => {
    expect(tokenAt('metrics.ac', 10)).toEqual({ start: 0, word: 'metrics.ac' })
    expect(tokenAt("params.a = 'x AND met", 21)).toBeNull()
    expect(tokenAt('metrics.acc > 0.', 16)).toBeNull()
  })

  it('completes prefixes, keys (quoted when needed) and keywords', () => {
    const keys = ['metrics.accuracy', 'metrics.f1-score', 'params.lr']
    expect(completions('met', keys)).toEqual(['metrics.', 'metrics.accuracy', 'metrics.`f1-score`'])
    expect(completions('metrics.f', keys)).toEqual(['metrics.`f1-score`'])
    expect(completions('o', keys)).toContain('OR')
  })

  it("checks filters with the server's parser, naming the position of a typo", () => {
    expect(checkFilter("metrics.acc > 0.9 OR params.opt = 'adam'")).toBeNull()
    expect(checkFilter('metrics.acc >> 0.9')).toMatch(/position 13/)
    expect(checkFilter("paramz.x = 'a'")).toMatch(/paramz/)
  })

  it('shows a typo inline with role=alert and does not submit it; submits a valid filter', () => {
    const onSubmit = vi.fn()
    r = render(<SearchBox value="" keys={['metrics.acc']} serverError={null} onSubmit={onSubmit} />)
    const input = r.container.querySelector('input')!
    typeInto(input, 'metrics.acc >> 1')
    press(input, 'Enter')
    const alert = r.container.querySelector('[role="alert"]')
    expect(alert?.textContent).toMatch(/position 13/)
    expect(alert?.querySelector('mark')?.textContent).toBe('>')
    expect(input.getAttribute('aria-invalid')).toBe('true')
    expect(onSubmit).not.toHaveBeenCalled()
    typeInto(input, 'metrics.acc > 1')
    press(input, 'Enter')
    expect(onSubmit).toHaveBeenCalledWith('metrics.acc > 1')
    expect(r.container.querySelector('[role="alert"]')).toBeNull()
  })

  it("shows the server's message for the filter it refused", () => {
    r = render(
      <SearchBox
        value="tags.x = 1"
        keys={[]}
        serverError="Invalid filter: expected a string at position 9"
        onSubmit={() => {}}
      />,
    )
    expect(r.container.querySelector('[role="alert"]')?.textContent).toContain('expected a string')
  })
})
