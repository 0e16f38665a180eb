/** The column chooser: every column seen so far, with a filter, per-kind show/hide-all and reset. */
import { useState } from 'react'
import { columnLabel, splitColumn } from '../state/columns.js'

export interface ColumnChooserProps {
  all: string[]
  visible: string[]
  onChange: (columns: string[] | null) => void
  onClose: () => void
}

export function ColumnChooser({ all, visible, onChange, onClose }: ColumnChooserProps): React.JSX.Element {
  const [text, setText] = useState('')
  const shown = new Set(visible)
  const matching = all.filter((c) => c.toLowerCase().includes(text.toLowerCase()))
  const LIMIT = 300
  const setMany = (ids: string[], on: boolean): void => {
    const next = on
      ? [...visible, ...ids.filter((c) => !shown.has(c))]
      : visible.filter((c) => !ids.includes(c))
    onChange(next)
  }
  return (
    <div
      className="popover"
      role="dialog"
      aria-label="Choose columns"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <div className="popover-head">
        <label htmlFor="col-filter" className="sr-only">
          Filter columns
        </label>
        <input
          id="col-filter"
          autoFocus
          type="search"
          placeholder={`Filter ${all.length} columns`}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="button" onClick={onClose} aria-label="Close column chooser">
          ✕
        </button>
      </div>
      <div className="popover-actions">
        <button type="button" onClick={() => setMany(matching, true)}>
          Show {text ? 'matching' : 'all'}
        </button>
        <button type="button" onClick={() => setMany(matching, false)}>
          Hide {text ? 'matching' : 'all'}
        </button>
        <button type="button" onClick={() => onChange(null)}>
          Reset
        </button>
      </div>
      <ul className="column-list">
        {matching.slice(0, LIMIT).map((c) => (
          <li key={c}>
            <label className="check">
              <input
                type="checkbox"
                checked={shown.has(c)}
                onChange={(e) => setMany([c], e.target.checked)}
              />
              <span className={`kind kind-${splitColumn(c).kind}`}>{splitColumn(c).kind}</span>{' '}
              {columnLabel(c)}
            </label>
          </li>
        ))}
      </ul>
      {matching.length > LIMIT && <p className="muted">{matching.length - LIMIT} more: narrow the filter.</p>}
    </div>
  )
}
