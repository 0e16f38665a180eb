/** vega-datasets' flights-3m.parquet (3,000,000 US flights of 2001: date, delay, distance, origin, destination). */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export function flightsParquetPath(): string {
  // The package's exports map hides data/, so find it beside the package's entry.
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  return join(dirname(entry), '..', 'data', 'flights-3m.parquet')
}
