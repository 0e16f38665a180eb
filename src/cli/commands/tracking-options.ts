/** What every command that talks to a tracking server shares: flags, the client, error messages. */
import { InvalidArgumentError, type Command } from 'commander'
import { CairnApiError, CairnClient, CairnNetworkError } from '../../client/index.js'
import { normalizeTrackingUri } from '../../client/config.js'
import { styleFor, type Style } from '../format/style.js'

export interface TrackingFlags {
  trackingUri?: string
  json?: boolean
}

export function addTrackingOptions(cmd: Command): Command {
  return cmd
    .option(
      '--tracking-uri <uri>',
      'tracking server (default: $CAIRN_TRACKING_URI, $MLFLOW_TRACKING_URI, or http://127.0.0.1:5000)',
      (value: string) => {
        try {
          return normalizeTrackingUri(value)
        } catch (err) {
          throw new InvalidArgumentError((err as Error).message)
        }
      },
    )
    .option('--json', 'print machine-readable JSON on stdout')
}

export function positiveInt(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive integer, got '${value}'`)
  }
  return n
}

/** Collects a repeatable option into a list. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

export function clientFor(flags: TrackingFlags): CairnClient {
  return new CairnClient({
    ...(flags.trackingUri ? { trackingUri: flags.trackingUri } : {}),
    handleExit: false,
    // A person is waiting: fail within a second or two when the server is down.
    retry: { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 1000 },
    timeoutMs: 30_000,
  })
}

export interface Output {
  style: Style
  /** Cut long cells only where a person reads a terminal. */
  maxCellWidth: number | undefined
  write(text: string): void
  note(text: string): void
}

export function terminalOutput(): Output {
  const tty = process.stdout.isTTY === true
  return {
    style: styleFor(process.stdout),
    maxCellWidth: tty ? 48 : undefined,
    write: (text) => void process.stdout.write(text),
    note: (text) => void process.stderr.write(`${text}\n`),
  }
}

/** Server and network failures as one clear line (main prints it and exits 1). */
export function explain(err: unknown, client: CairnClient | null): Error {
  if (err instanceof CairnNetworkError) {
    return new Error(
      `cannot reach the tracking server at ${client?.trackingUri ?? 'the tracking URI'} (${err.message}). Start one with \`cairn server\`, or pass --tracking-uri / set CAIRN_TRACKING_URI.`,
    )
  }
  if (err instanceof CairnApiError) return new Error(`${err.code}: ${err.message}`)
  return err instanceof Error ? err : new Error(String(err))
}

/** Runs a command body with a client, turning its failures into clear messages. */
export async function withClient(
  flags: TrackingFlags,
  body: (client: CairnClient) => Promise<void>,
): Promise<void> {
  const client = clientFor(flags)
  try {
    await body(client)
  } catch (err) {
    throw explain(err, client)
  }
}
