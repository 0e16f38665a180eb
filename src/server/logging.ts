/** Structured JSON logs (pino). One logger is made at start and passed down. */
import { pino, type Logger as PinoLogger } from 'pino'

export type Logger = PinoLogger

export interface LoggerOptions {
  level?: string
  /** Destination file descriptor or path; default stdout. */
  destination?: number | string
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    { level: opts.level ?? process.env['CAIRN_LOG_LEVEL'] ?? 'info', base: { service: 'cairn' } },
    pino.destination({ dest: opts.destination ?? 1, sync: false }),
  )
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
