import { describe, expect, it } from 'vitest'
import { describeFault, FaultSpecError, parseFaultSpec } from './fault-spec.ts'
import { CALL_FAULTS, FaultInjector, TRANSPORT_FAULTS } from './injector.ts'

describe('fault specs', () => {
  it('parses the CLI form', () => {
    expect(parseFaultSpec('KMSInternalException,op=Decrypt+Encrypt,percent=20,start=30s,duration=500ms')).toEqual({
      kind: 'KMSInternalException',
      operations: ['Decrypt', 'Encrypt'],
      percent: 20,
      start: 30,
      duration: 0.5,
    })
    expect(parseFaultSpec('kind=latency,ms=100-500').latency).toEqual({ min: 100, max: 500 })
    expect(parseFaultSpec('latency,ms=exp:200').latency).toEqual({ mean: 200 })
    expect(parseFaultSpec('latency,ms=2s').latency).toEqual({ ms: 2000 })
    expect(describeFault(parseFaultSpec('hang,percent=1'))).toBe(
      'Injected fault: no answer (endpoint only) on 1 % of calls to every operation, for the whole run (seeded).',
    )
  })

  it('names what is wrong', () => {
    expect(() => parseFaultSpec('Boom')).toThrow("unknown kind 'Boom'")
    expect(() => parseFaultSpec('latency')).toThrow('a latency fault needs ms')
    expect(() => parseFaultSpec('reset,percent=150')).toThrow('percent must be from 0 to 100, got 150')
    expect(() => parseFaultSpec('reset,when=now')).toThrow(FaultSpecError)
    expect(() => parseFaultSpec('reset,start=soon')).toThrow("'soon' is not a duration")
  })
})

describe('FaultInjector', () => {
  it('hits exactly the calls in its window, seeded, one stream per fault', () => {
    const inj = new FaultInjector(
      [
        { kind: 'KMSInternalException', operations: ['Decrypt'], start: 2, duration: 3 },
        { kind: 'latency', percent: 25, latency: { ms: 40 } },
      ],
      { epochMs: 1_000_000, seed: 9 },
    )
    let errors = 0
    let slow = 0
    // One Decrypt every 100 ms for 10 s: the error fault takes all 30 of [2 s, 5 s).
    for (let i = 0; i < 100; i++) {
      const hit = inj.pick('Decrypt', 1_000_000 + i * 100, CALL_FAULTS)
      if (hit?.kind === 'KMSInternalException') errors++
      if (hit?.kind === 'latency') slow++
      expect(inj.pick('Decrypt', 1_000_000 + i * 100, TRANSPORT_FAULTS)).toBeUndefined()
    }
    expect(errors).toBe(30)
    expect(inj.hits).toEqual([30, slow])
    // 25 % of the 70 other calls, drawn from fault 1's own stream: the same seed, the same calls.
    const again = new FaultInjector(inj.faults, { epochMs: 1_000_000, seed: 9 })
    let slow2 = 0
    for (let i = 0; i < 100; i++)
      if (again.pick('Decrypt', 1_000_000 + i * 100, CALL_FAULTS)?.kind === 'latency') slow2++
    expect(slow2).toBe(slow)
    expect(slow).toBeGreaterThan(5)
    expect(slow).toBeLessThan(35)
  })
})
