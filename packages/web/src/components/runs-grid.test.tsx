import { afterEach, describe, expect, it, vi } from 'vitest'
import { toRow } from '../state/columns.js'
import { press, render, type Rendered } from '../test-support/render.js'
import { RunsGrid } from './runs-grid.js'

const COLUMNS = Array.from({ length: 1000 }, (_, i) => `metrics.m${i}`)
const rowAt = (i: number) =>
  toRow({
    info: {
      run_id: `run${i}`,
      run_uuid: `run${i}`,
      experiment_id: '1',
      run_name: `run ${i}`,
      user_id: '',
      status: 'FINISHED',
      start_time: i,
      artifact_uri: '',
      lifecycle_stage: 'active',
    },
    data: { metrics: [{ key: 'm0', value: i, timestamp: 0, step: 0 }] },
    inputs: {},
  })

describe('runs grid', () => {
  let r: Rendered | null = null
  afterEach(() => {
    r?.unmount()
    r = null
  })

  function grid(props: Partial<Parameters<typeof RunsGrid>[0]> = {}): Rendered {
    return render(
      <RunsGrid
        rowCount={100_000}
        row={rowAt}
        columns={COLUMNS}
        widths={new Map()}
        sort={null}
        onSort={() => {}}
        selected={new Set()}
        onToggle={() => {}}
        onVisible={() => {}}
        version={0}
        {...props}
      />,
    )
  }

  it('puts only the rows and columns in view in the DOM, at 100,000 runs × 1,000 columns', () => {
    r = grid()
    const g = r.container.querySelector('[role="grid"]')!
    expect(g.getAttribute('aria-rowcount')).toBe('100001')
    expect(g.getAttribute('aria-colcount')).toBe('1002')
    const rows = r.container.querySelectorAll('.grid-body [role="row"]').length
    const cells = r.container.querySelectorAll('.grid-body [role="gridcell"]').length
    expect(rows).toBeGreaterThan(0)
    expect(rows).toBeLessThan(60)
    expect(cells).toBeLessThan(60 * 25)
  })

  it('asks for the visible rows, sorts by a clicked header, and moves, selects and sorts with the keyboard', () => {
    const onVisible = vi.fn()
    const onSort = vi.fn()
    const onToggle = vi.fn()
    r = grid({ onVisible, onSort, onToggle })
    expect(onVisible).toHaveBeenCalledWith(0, expect.any(Number))
    const header = [...r.container.querySelectorAll('[role="columnheader"]')].find(
      (h) => h.textContent === 'm1',
    )!
    ;(header as HTMLElement).click()
    expect(onSort).toHaveBeenCalledWith('metrics.m1')
    const g = r.container.querySelector('[role="grid"]')!
    press(g, 'ArrowDown')
    press(g, ' ')
    expect(onToggle).toHaveBeenCalledWith('run1')
    expect(g.getAttribute('aria-activedescendant')).toBe('grid-active')
    expect(
      r.container.querySelector('#grid-active')?.closest('[role="row"]')?.getAttribute('aria-rowindex'),
    ).toBe('3')
    // Up past the first row reaches the header, where Enter sorts.
    press(g, 'ArrowUp')
    press(g, 'ArrowUp')
    press(g, 'ArrowRight')
    expect(r.container.querySelector('#grid-active')?.getAttribute('role')).toBe('columnheader')
    press(g, 'Enter')
    expect(onSort).toHaveBeenLastCalledWith('metrics.m0')
  })
})
