/**
 * Helpers shared by the load engine's tests (not exported from the package).
 */
import { Flight, sleep, wait } from './engine/index.ts'
import type { KmsOutcome, Mitigation } from './scenario/index.ts'

/**
 * A mitigation whose requests wait for a flight nobody settles, beside a background loop
 * that never ends: requests that can never finish, in a run whose events never run out.
 */
export const neverSettles: Mitigation = {
  name: 'never-settles',
  params: {},
  start: () => ({
    wrap: () =>
      function* () {
        return yield* wait(new Flight<KmsOutcome>())
      },
    background: () =>
      (function* () {
        for (;;) yield* sleep(1000)
      })(),
  }),
}
