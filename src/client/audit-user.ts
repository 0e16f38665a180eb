/**
 * Who the registry's audit trail names for this client's changes: sent as the `X-Cairn-User`
 * header on every request (servers other than Cairn ignore it).
 */
import { userInfo } from 'node:os'
import { CairnError } from '../protocol/errors.js'
import type { Env } from './config.js'

export const AUDIT_USER_HEADER = 'X-Cairn-User'

// fetch sends header values as Latin-1 bytes and refuses anything else; control characters
// would break the header line.
const SENDABLE = /^[\u0020-\u007e\u00a0-\u00ff]+$/

function osUser(env: Env): string | undefined {
  try {
    return userInfo().username
  } catch {
    return env['USER'] ?? env['USERNAME']
  }
}

/**
 * The `user` option, else CAIRN_USER, else the OS user name. A name given explicitly (option or
 * environment) that cannot be sent in a header is refused; an unsendable OS name is left out.
 */
export function auditUser(explicit: string | undefined, env: Env): string | undefined {
  const given = [explicit, env['CAIRN_USER']].map((v) => v?.trim()).find((v) => v !== undefined && v !== '')
  if (given !== undefined) {
    if (!SENDABLE.test(given)) {
      throw new CairnError(
        'INVALID_PARAMETER_VALUE',
        `The audit user name ${JSON.stringify(given)} cannot be sent in the ${AUDIT_USER_HEADER} header: use Latin-1 letters, digits and punctuation (no control characters).`,
      )
    }
    return given
  }
  const os = osUser(env)?.trim()
  return os !== undefined && os !== '' && SENDABLE.test(os) ? os : undefined
}
