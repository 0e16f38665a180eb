/** A run's tags, editable in place: change a value, delete a tag, add one. */
import { useState } from 'react'
import { TRACKING_API } from '../../../../src/protocol/tracking-api.js'
import type { WireTag } from '../../../../src/protocol/wire.js'
import { call, errorMessage } from '../api/client.js'

export function TagEditor(props: {
  runId: string
  tags: WireTag[]
  onChanged: () => void
}): React.JSX.Element {
  const [editing, setEditing] = useState<WireTag | null>(null)
  const [adding, setAdding] = useState<WireTag>({ key: '', value: '' })
  const [error, setError] = useState<string | null>(null)
  const act = async (f: () => Promise<unknown>): Promise<boolean> => {
    try {
      await f()
      setError(null)
      props.onChanged()
      return true
    } catch (err) {
      setError(errorMessage(err))
      return false
    }
  }
  const setTag = (t: WireTag): Promise<boolean> =>
    act(() => call(TRACKING_API.setTag, { run_id: props.runId, key: t.key, value: t.value }))
  return (
    <div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="table" aria-label="Tags">
        <tbody>
          {props.tags.map((t) => (
            <tr key={t.key}>
              <th scope="row">{t.key}</th>
              <td>
                {editing?.key === t.key ? (
                  <form
                    className="inline-form"
                    onSubmit={(e) => {
                      e.preventDefault()
                      void setTag(editing).then((ok) => ok && setEditing(null))
                    }}
                  >
                    <label className="sr-only" htmlFor={`tag-${t.key}`}>
                      Value of {t.key}
                    </label>
                    <input
                      id={`tag-${t.key}`}
                      autoFocus
                      value={editing.value}
                      onChange={(e) => setEditing({ ...editing, value: e.target.value })}
                    />
                    <button type="submit">Save</button>
                    <button type="button" onClick={() => setEditing(null)}>
                      Cancel
                    </button>
                  </form>
                ) : (
                  t.value
                )}
              </td>
              <td className="actions">
                <button type="button" aria-label={`Edit tag ${t.key}`} onClick={() => setEditing(t)}>
                  Edit
                </button>
                <button
                  type="button"
                  className="danger"
                  aria-label={`Delete tag ${t.key}`}
                  onClick={() =>
                    void act(() => call(TRACKING_API.deleteTag, { run_id: props.runId, key: t.key }))
                  }
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="inline-form"
        aria-label="Add a tag"
        onSubmit={(e) => {
          e.preventDefault()
          if (adding.key.trim())
            void setTag({ key: adding.key.trim(), value: adding.value }).then(
              (ok) => ok && setAdding({ key: '', value: '' }),
            )
        }}
      >
        <label htmlFor="new-tag-key">Key</label>
        <input
          id="new-tag-key"
          value={adding.key}
          onChange={(e) => setAdding({ ...adding, key: e.target.value })}
        />
        <label htmlFor="new-tag-value">Value</label>
        <input
          id="new-tag-value"
          value={adding.value}
          onChange={(e) => setAdding({ ...adding, value: e.target.value })}
        />
        <button type="submit">Add tag</button>
      </form>
    </div>
  )
}
