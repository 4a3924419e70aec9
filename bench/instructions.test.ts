/**
 * The instruction count of bench/instructions.bench.ts, run for real on a few calls: valgrind
 * zeroes and dumps its counters at the two libuv functions the child calls around each loop,
 * so a Node whose binary no longer exports them (or a child that fails) shows up here, not only
 * in a bench run. Skipped where valgrind is not installed.
 */
import { describe, expect, it } from 'vitest'
import { estimatedCycles, hasValgrind, measureInstructions, sideCounts } from './instructions.bench.ts'

describe.skipIf(!hasValgrind())('Decrypt counted in instructions (callgrind)', () => {
  it('counts both loops apart: a Decrypt runs more than a bare open, which is thousands of instructions', async () => {
    const r = await measureInstructions({ calls: 500, warmup: 500 })
    expect(r).toBeDefined()
    if (r === undefined) return
    // A bare AES-256-GCM open is some 27,000 instructions here; a core Decrypt adds its own work.
    expect(r.barePerCall).toBeGreaterThan(5_000)
    expect(r.oursPerCall).toBeGreaterThan(r.barePerCall)
    expect(r.ratio).toBeCloseTo(r.barePerCall / r.oursPerCall, 2)
    // The cache simulation ran: both sides miss the first-level caches (a bare open's native
    // code alone spans more than 32 KiB), and the estimate charges those misses.
    expect(r.bare.l1Misses).toBeGreaterThan(0)
    expect(r.ours.l1Misses).toBeGreaterThan(0)
    expect(estimatedCycles(r.bare)).toBeGreaterThan(r.bare.instructions)
    expect(r.cyclesRatio).toBeCloseTo(estimatedCycles(r.bare) / estimatedCycles(r.ours), 6)
  }, 180_000)
})

describe('callgrind dump totals', () => {
  const dump = [
    'positions: instr line',
    'events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw',
    'totals: 3000 900 500 30 20 10 1 2',
  ].join('\n')

  it('reads each event by its name, a missing trailing count as 0, per call', () => {
    expect(sideCounts(dump, 10)).toEqual({ instructions: 300, l1Misses: 6, lastLevelMisses: 0.3 })
  })

  it('charges 10 cycles per first-level miss and 200 per last-level miss', () => {
    expect(estimatedCycles({ instructions: 300, l1Misses: 6, lastLevelMisses: 0.3 })).toBeCloseTo(300 + 60 + 60, 9)
  })

  it('refuses a dump without the simulated caches, naming the event', () => {
    expect(() => sideCounts('events: Ir\ntotals: 3000', 10)).toThrow(/no I1mr total/)
  })
})
