import { describe, expect, it } from 'vitest'
import { sdkRetry } from './client/index.ts'
import { assembleVariants, runParallel } from './parallel.ts'
import type { RunSummary } from './results/index.ts'
import { runScenario } from './runner.ts'
import { defineScenario, type Mitigation, ScenarioFileError, type ScenarioInput } from './scenario/index.ts'

const retryLayer = (s: Parameters<typeof sdkRetry>[0]): Mitigation => sdkRetry(s)

/** Three variants over the quota: standard retries, none, and a quota increase; the aws latency model. */
const input: ScenarioInput = {
  name: 'parallel-variants',
  duration: 3,
  seed: 7,
  keys: [{ name: 'k' }],
  fleet: { hosts: 4 },
  arrivals: { shape: 'spike', base: 800, peak: 3000, at: 1, duration: 1 },
  requests: [{ kind: 'op', operation: 'Encrypt', key: 'k', payloadBytes: 64 }],
  quotas: { symmetric: 1000 },
  variants: [
    { name: 'standard' },
    { name: 'no-retries', retry: { mode: 'none', maxAttempts: 1 } },
    { name: 'more-quota', quotas: { symmetric: 5000 } },
  ],
}

describe('runParallel in virtual time: variants on worker threads', () => {
  it('writes the summary of a sequential run, byte for byte', async () => {
    const sequential = await runScenario(defineScenario(input), { retryLayer, clock: 'virtual' })
    const parallel = await runParallel({ scenario: { input }, options: { clock: 'virtual' } }, { workers: 2 })
    // Nothing excluded: virtual time has no wall-clock field (startedAt is the virtual epoch).
    expect(JSON.stringify(parallel, null, 2)).toBe(JSON.stringify(sequential, null, 2))
    expect(parallel.variants.map((v) => v.name)).toEqual(['standard', 'no-retries', 'more-quota'])
    // The variants differ (a summary copied across variants would pass the comparison too).
    const [a, b, c] = parallel.variants
    expect(a?.retries).toBeGreaterThan(0)
    expect(b?.retries).toBe(0)
    expect(c?.completed.throttled).toBe(0)
    expect(a?.completed.throttled).toBeGreaterThan(0)
  }, 120_000)

  it('with the calling thread as one of the lanes (inline), writes the same summary', async () => {
    const sequential = await runScenario(defineScenario(input), { retryLayer, clock: 'virtual' })
    const lanes: (number | undefined)[] = []
    const parallel = await runParallel(
      { scenario: { input }, options: { clock: 'virtual' } },
      { workers: 2, inline: true, onProgress: (p) => lanes.push(p.variantIndex) },
    )
    expect(JSON.stringify(parallel, null, 2)).toBe(JSON.stringify(sequential, null, 2))
    // Progress names the variant of the whole run, whichever lane ran it.
    expect(new Set(lanes).size).toBeGreaterThan(1)
    // One lane alone (no thread at all) is the sequential run too.
    const alone = await runParallel(
      { scenario: { input }, options: { clock: 'virtual' } },
      { workers: 1, inline: true },
    )
    expect(JSON.stringify(alone, null, 2)).toBe(JSON.stringify(sequential, null, 2))
  }, 120_000)

  it('stopped while the lanes run: the variants up to the first cut one, marked incomplete, no error', async () => {
    const long: ScenarioInput = { ...input, duration: 3600 }
    const controller = new AbortController()
    const s = await runParallel(
      { scenario: { input: long }, options: { clock: 'virtual' } },
      { workers: 2, inline: true, signal: controller.signal, onProgress: () => controller.abort() },
    )
    expect(s.complete).toBe(false)
    expect(s.variants[0]?.name).toBe('standard')
    expect(s.variants[0]?.offered.requests).toBeLessThan(3600 * 800)
  }, 120_000)

  it("inline: a bad-input error of the calling thread's own variant is the engine's own error", async () => {
    const traced: ScenarioInput = { ...input, arrivals: { shape: 'trace', file: 'no-such-trace.csv' } }
    const run = runParallel(
      { scenario: { input: traced }, options: { clock: 'virtual' }, baseDir: '/nonexistent' },
      { workers: 2, inline: true },
    )
    await expect(run).rejects.toBeInstanceOf(ScenarioFileError)
  }, 120_000)

  it("gives a worker's bad-input error back as the engine's own error", async () => {
    const traced: ScenarioInput = { ...input, arrivals: { shape: 'trace', file: 'no-such-trace.csv' } }
    const run = runParallel(
      { scenario: { input: traced }, options: { clock: 'virtual' }, baseDir: '/nonexistent' },
      { workers: 2 },
    )
    await expect(run).rejects.toBeInstanceOf(ScenarioFileError)
    await expect(run).rejects.toThrow("cannot read the trace file 'no-such-trace.csv': no such file")
  }, 120_000)
})

describe('assembleVariants', () => {
  const part = (name: string, assumptions: string[], complete = true): RunSummary =>
    ({ scenario: 's', complete, assumptions, variants: [{ name }] }) as unknown as RunSummary

  it("keeps the sequential set's order of assumptions and stops at the first interrupted variant", () => {
    const s = assembleVariants([
      part('a', ['base', 'a: x', 'model']),
      part('b', ['base', 'model', 'b: y'], false),
      part('c', ['base', 'c: z']),
    ])
    expect(s.assumptions).toEqual(['base', 'a: x', 'model', 'b: y'])
    expect(s.variants.map((v) => v.name)).toEqual(['a', 'b'])
    expect(s.complete).toBe(false)
  })
})
