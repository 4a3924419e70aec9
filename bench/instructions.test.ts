/**
 * The instruction count of bench/instructions.bench.ts, run for real on a few calls: valgrind
 * zeroes and dumps its counters at the two libuv functions the child calls around each loop,
 * so a Node whose binary no longer exports them (or a child that fails) shows up here, not only
 * in a bench run. Skipped where valgrind is not installed.
 */
import { describe, expect, it } from 'vitest'
import { hasValgrind, measureInstructions } from './instructions.bench.ts'

describe.skipIf(!hasValgrind())('Decrypt counted in instructions (callgrind)', () => {
  it('counts both loops apart: a Decrypt runs more than a bare open, which is thousands of instructions', async () => {
    const r = await measureInstructions({ calls: 500, warmup: 500 })
    expect(r).toBeDefined()
    if (r === undefined) return
    // A bare AES-256-GCM open is some 27,000 instructions here; a core Decrypt adds its own work.
    expect(r.barePerCall).toBeGreaterThan(5_000)
    expect(r.oursPerCall).toBeGreaterThan(r.barePerCall)
    expect(r.ratio).toBeCloseTo(r.barePerCall / r.oursPerCall, 2)
  }, 180_000)
})
