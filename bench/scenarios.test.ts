/**
 * The bench's scenario stage, figure by figure, against the committed baseline
 * (`reports/baseline/bench.json`). Those figures (KMS calls, throttles, retries, cost, virtual
 * latency of the headline scenarios) are deterministic, so any change is a change of simulated
 * behaviour: CI catches it here, in `npm test`, not only when someone runs `npm run bench:check`.
 * An intended change is accepted by regenerating the baseline (`npm run bench:check -- --update`)
 * and committing it with the change that caused it.
 *
 * The stage runs the same code as `npm run bench` (the suite with `--only scenarios`): about
 * 30 s on two idle cores, 1.2 million simulated requests at most per scenario.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BASELINE_PATH, loadBench } from './check.ts'
import { runSuite, type BenchFigure, type BenchResult } from './main.ts'

/** The deterministic figures of the scenario stage, by key. */
function scenarioFigures(r: BenchResult): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [key, f] of Object.entries(r.figures) as [string, BenchFigure][])
    if (f.kind === 'exact' && key.startsWith('scenario/')) out[key] = f.value
  return out
}

describe('bench scenario stage (virtual time) against reports/baseline/bench.json', () => {
  let dir = ''
  let current: BenchResult
  let baseline: BenchResult
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-bench-bench-'))
    baseline = await loadBench(BASELINE_PATH)
    let log = ''
    current = await runSuite({ only: ['scenarios'], out: dir, progress: { write: (t: string) => (log += t) } })
    if (current.scenarios.some((s) => s.status !== 'ok')) throw new Error(`a headline scenario failed:\n${log}`)
  }, 600_000)
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it('runs the same headline scenarios at the same size', () => {
    const shape = (r: BenchResult) =>
      r.scenarios.map((s) => ({
        name: s.name,
        status: s.status,
        scale: s.scale,
        durationSeconds: s.durationSeconds,
        expectedRequests: s.expectedRequests,
        variants: s.variants,
      }))
    expect(shape(current)).toEqual(shape(baseline))
  })

  it('gives exactly the baseline figures (KMS calls, throttles, retries, cost, latency)', () => {
    const expected = scenarioFigures(baseline)
    expect(Object.keys(expected).length).toBeGreaterThan(100)
    expect(scenarioFigures(current)).toEqual(expected)
  })
})
