/**
 * Moving an alias (champion by default) with a confirmation: a dry-run promote shows what the
 * alias's promotion policy says about the candidate, check by check, before anything moves.
 * Confirming promotes with the holder the person saw as `expected_current_version`, so a move
 * made meanwhile by someone else fails instead of being overwritten. Without a policy it is a
 * plain alias move; a rejected candidate can be forced with a reason (recorded in the audit trail).
 */
import { useEffect, useRef, useState } from 'react'
import type { PromotionOutcome } from '../../../../src/protocol/promotion-policy.js'
import type { ModelVersion } from '../../../../src/protocol/registry-entities.js'
import { errorMessage, isApiError, registry } from '../api/client.js'
import { formatNumber } from '../state/format.js'

type Check =
  | { state: 'checking' }
  | { state: 'verdict'; outcome: PromotionOutcome }
  | { state: 'no-policy' }
  | { state: 'refused'; message: string }

export interface MoveAliasProps {
  model: string
  alias: string
  versions: ModelVersion[]
  /** The version the alias points at now, or null when unset. */
  current: string | null
  initialVersion: string
  onClose: (moved: boolean) => void
}

export function MoveAliasDialog(props: MoveAliasProps): React.JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null)
  const [alias, setAlias] = useState(props.alias)
  const [version, setVersion] = useState(props.initialVersion)
  const [check, setCheck] = useState<Check>({ state: 'checking' })
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    dialog.current?.showModal()
  }, [])

  useEffect(() => {
    let live = true
    setCheck({ state: 'checking' })
    setError(null)
    registry.promote(props.model, version, { alias, dryRun: true }).then(
      (outcome) => live && setCheck({ state: 'verdict', outcome }),
      (err: unknown) => {
        if (!live) return
        const message = errorMessage(err)
        if (isApiError(err, 'INVALID_PARAMETER_VALUE') && /no (promotion )?policy/i.test(message))
          setCheck({ state: 'no-policy' })
        else setCheck({ state: 'refused', message })
      },
    )
    return () => {
      live = false
    }
  }, [props.model, alias, version])

  const passed = check.state === 'verdict' && check.outcome.passed
  const force = check.state === 'verdict' && !check.outcome.passed

  const confirm = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      if (check.state === 'no-policy')
        await registry.setAlias(props.model, alias, version, reason ? { reason } : {})
      else {
        const outcome = await registry.promote(props.model, version, {
          alias,
          expectedCurrentVersion: props.current,
          ...(force ? { force: true } : {}),
          ...(reason ? { reason } : {}),
        })
        if (!outcome.moved) throw new Error(outcome.message)
      }
      dialog.current?.close()
      props.onClose(true)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <dialog
      ref={dialog}
      aria-labelledby="move-title"
      onCancel={() => props.onClose(false)}
      data-testid="move-alias-dialog"
    >
      <h2 id="move-title">
        Move @{alias} of {props.model}
      </h2>
      <div className="toolbar-row">
        <label>
          Alias <input value={alias} onChange={(e) => setAlias(e.target.value)} size={12} />
        </label>
        <label>
          to version{' '}
          <select value={version} onChange={(e) => setVersion(e.target.value)}>
            {props.versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
                {v.aliases.length ? ` (@${v.aliases.join(', @')})` : ''}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">now: {props.current ? `v${props.current}` : 'unset'}</span>
      </div>
      <section aria-live="polite" aria-label="Promotion policy verdict">
        {check.state === 'checking' && <p className="muted">Asking the promotion policy (dry run)…</p>}
        {check.state === 'no-policy' && (
          <p>No promotion policy governs @{alias}: confirming moves it without checks.</p>
        )}
        {check.state === 'refused' && <p className="error">{check.message}</p>}
        {check.state === 'verdict' && (
          <>
            <table className="table" aria-label="Policy checks">
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Name</th>
                  <th scope="col" className="num">
                    Candidate v{check.outcome.candidate.version}
                  </th>
                  <th scope="col" className="num">
                    Current {check.outcome.current ? `v${check.outcome.current.version}` : '(unset)'}
                  </th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {check.outcome.checks.map((c, i) => (
                  <tr key={i}>
                    <td>{c.kind}</td>
                    <td>{c.kind === 'tag' ? c.key : c.metric}</td>
                    <td className="num">
                      {c.kind === 'tag' ? (c.actual ?? '—') : formatNumber(c.candidate)}
                    </td>
                    <td className="num">
                      {c.kind === 'compare'
                        ? formatNumber(c.current)
                        : c.kind === 'threshold'
                          ? `${c.op} ${c.value}`
                          : `= ${c.expected}`}
                    </td>
                    <td className={c.passed ? 'verdict-pass' : 'verdict-fail'} title={c.message}>
                      {c.passed ? 'pass' : 'fail'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className={passed ? 'verdict-pass' : 'verdict-fail'} data-testid="verdict">
              {passed ? 'PASS' : 'FAIL'}: {check.outcome.message}
            </p>
          </>
        )}
      </section>
      <label className="block">
        Reason{force ? ' (required to force)' : ''}{' '}
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          size={40}
          placeholder="for the audit trail"
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="toolbar-row">
        <span className="spacer" />
        <button
          type="button"
          onClick={() => {
            dialog.current?.close()
            props.onClose(false)
          }}
        >
          Cancel
        </button>
        <button
          type="button"
          className={force ? 'danger' : 'primary'}
          disabled={
            busy || check.state === 'checking' || check.state === 'refused' || (force && reason.trim() === '')
          }
          onClick={() => void confirm()}
          data-testid="confirm-move"
        >
          {force ? `Force @${alias} → v${version}` : `Move @${alias} → v${version}`}
        </button>
      </div>
    </dialog>
  )
}
