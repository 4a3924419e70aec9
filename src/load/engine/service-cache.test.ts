import { describe, expect, it } from 'vitest'
import type { EffectGenerator } from '../scenario/index.ts'
import { FAILED, type OutcomeCode, SUCCEEDED, THROTTLED_OUTCOME } from './effects.ts'
import { HostEnvironments, ServiceCache } from './service-cache.ts'

/** A fetch that makes one (pretend) KMS call and ends with `code`; counts its calls. */
function fetcher(code: () => OutcomeCode) {
  const f = {
    calls: 0,
    *fetch(): EffectGenerator<OutcomeCode> {
      f.calls++
      yield { kind: 'sleep', ms: 1 }
      return code()
    },
  }
  return f
}

/** Runs a use to its end (each effect answered at once). */
function run(g: EffectGenerator<OutcomeCode>): OutcomeCode {
  for (let r = g.next(); ; r = g.next()) if (r.done === true) return r.value
}

describe('ServiceCache', () => {
  it('fixed TTL: fetched once per period from the fetch', () => {
    let now = 0
    const cache = new ServiceCache({ ttlMs: 300_000 })
    const f = fetcher(() => SUCCEEDED)
    for (now = 0; now < 600_000; now += 1000)
      expect(
        run(
          cache.use(
            'q|p',
            () => now,
            () => f.fetch(),
          ),
        ),
      ).toBe(SUCCEEDED)
    // fetched at 0 and at 300 s: 2 calls for 600 uses
    expect(f.calls).toBe(2)
    expect(cache.stats).toMatchObject({ hits: 598, misses: 2 })
  })

  it('sliding: only five minutes without a use expires the entry', () => {
    let now = 0
    const cache = new ServiceCache({ ttlMs: 300_000, sliding: true })
    const f = fetcher(() => SUCCEEDED)
    for (now = 0; now < 3_600_000; now += 299_000)
      run(
        cache.use(
          'c',
          () => now,
          () => f.fetch(),
        ),
      )
    expect(f.calls).toBe(1)
    now += 300_001
    run(
      cache.use(
        'c',
        () => now,
        () => f.fetch(),
      ),
    )
    expect(f.calls).toBe(2)
  })

  it('concurrent uses of an entry being fetched wait for that fetch', () => {
    const cache = new ServiceCache({ ttlMs: 1000 })
    const f = fetcher(() => THROTTLED_OUTCOME)
    const first = cache.use(
      'k',
      () => 0,
      () => f.fetch(),
    )
    expect(first.next().value).toEqual({ kind: 'sleep', ms: 1 })
    const second = cache.use(
      'k',
      () => 0,
      () => f.fetch(),
    )
    const waited = second.next().value as { kind: string }
    expect(waited.kind).toBe('wait')
    expect(first.next()).toEqual({ done: true, value: THROTTLED_OUTCOME })
    // the waiter gets the fetch's outcome; a failed fetch caches nothing
    expect(cache.stats.joined).toBe(1)
    expect(f.calls).toBe(1)
    expect(
      run(
        cache.use(
          'k',
          () => 0,
          () => f.fetch(),
        ),
      ),
    ).toBe(THROTTLED_OUTCOME)
    expect(f.calls).toBe(2)
  })

  it('a fetch cut short (its request timed out) releases the waiters as failed', () => {
    const cache = new ServiceCache({ ttlMs: 1000 })
    const f = fetcher(() => SUCCEEDED)
    const first = cache.use(
      'k',
      () => 0,
      () => f.fetch(),
    )
    first.next()
    const second = cache.use(
      'k',
      () => 0,
      () => f.fetch(),
    )
    const flight = second.next().value as { flight: { settled: boolean; value: unknown } }
    first.return(FAILED)
    expect(flight.flight.settled).toBe(true)
    expect(flight.flight.value).toBe(FAILED)
  })

  it('serveStale: a failed refresh answers with the value held', () => {
    let now = 0
    let code: OutcomeCode = SUCCEEDED
    const cache = new ServiceCache({ ttlMs: 1000, serveStale: true })
    const f = fetcher(() => code)
    run(
      cache.use(
        's',
        () => now,
        () => f.fetch(),
      ),
    )
    now = 5000
    code = THROTTLED_OUTCOME
    expect(
      run(
        cache.use(
          's',
          () => now,
          () => f.fetch(),
        ),
      ),
    ).toBe(SUCCEEDED)
    expect(cache.stats.servedStale).toBe(1)
    // still expired: the next use tries again
    run(
      cache.use(
        's',
        () => now,
        () => f.fetch(),
      ),
    )
    expect(f.calls).toBe(3)
  })

  it('an entry of an earlier environment epoch is not used', () => {
    const envs = new HostEnvironments()
    const cache = new ServiceCache({ ttlMs: 3_600_000 })
    const f = fetcher(() => SUCCEEDED)
    run(
      cache.use(
        'h0',
        () => 0,
        () => f.fetch(),
        envs.of(0),
      ),
    )
    run(
      cache.use(
        'h0',
        () => 1,
        () => f.fetch(),
        envs.of(0),
      ),
    )
    envs.restart(0)
    run(
      cache.use(
        'h0',
        () => 2,
        () => f.fetch(),
        envs.of(0),
      ),
    )
    expect(f.calls).toBe(2)
    expect(envs.of(0)).toBe(1)
    expect(envs.of(1)).toBe(0)
  })
})
