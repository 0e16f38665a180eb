/**
 * A clock that never gives the same millisecond twice in this process. Model versions are listed
 * newest-update first by default (as MLflow does); two changes a client makes within one
 * millisecond must still list in the order they were made.
 */
import type { Clock } from '../util/clock.js'

export function monotonicClock(base: Clock): Clock {
  let last = Number.NEGATIVE_INFINITY
  return {
    now: () => {
      const t = base.now()
      last = t > last ? t : last + 1
      return last
    },
  }
}
