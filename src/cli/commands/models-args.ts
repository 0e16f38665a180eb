/** Arguments the `cairn models` commands share. */
import { InvalidArgumentError } from 'commander'

/** A model version number as an argument: a positive integer (exit 2 otherwise). */
export function versionArg(value: string): string {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError(`expected a version number (1, 2, …), got '${value}'`)
  }
  return String(Number(value))
}

/** A filter value in the search language's quotes. */
export const quoted = (s: string): string => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`
