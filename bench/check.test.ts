/**
 * The bench gate's rules (exact figures unchanged, ratios within a tolerance, info ungated)
 * and its command line against the committed baseline. The suite itself is not run here: it
 * takes a minute and its ratios depend on the machine (see `npm run bench:check`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BASELINE_PATH, checkBench, checkLines, loadBench } from './check.ts'
import { BENCH_SCHEMA_VERSION, type BenchFigure, type BenchResult } from './main.ts'

function result(figures: Record<string, BenchFigure>, extra: Partial<BenchResult> = {}): BenchResult {
  return {
    kind: 'kms-bench-bench',
    schemaVersion: BENCH_SCHEMA_VERSION,
    tool: { name: 'kms-bench', version: '0.1.0' },
    environment: { node: 'v20.0.0', platform: 'linux', arch: 'x64', cpus: 2, packages: {} },
    startedAt: '2026-01-01T00:00:00.000Z',
    wallSeconds: 60,
    simulationBudget: 1,
    stages: [],
    scenarios: [],
    figures,
    ...extra,
  }
}

const base = result({
  'scenario/s/baseline/kms.calls': { value: 1000, kind: 'exact', description: 'calls' },
  'scenario/s/baseline/costUsd.total': { value: 0.123456789, kind: 'exact', description: 'cost' },
  'micro/encrypt.vsBareAesGcm': { value: 0.8, kind: 'ratio', better: 'higher', description: 'ratio' },
  'latency.ratio': { value: 2, kind: 'ratio', better: 'lower', tolerance: 0.25, description: 'lower is better' },
  'serve.vsMoto': { value: 60, kind: 'ratio', optional: true, description: 'optional' },
  'micro/encrypt.opsPerSecond': { value: 123456, kind: 'info', description: 'info' },
})

describe('checkBench', () => {
  it('passes an identical run', () => {
    const r = checkBench(base, structuredClone(base))
    expect(r.passed).toBe(true)
    expect(checkLines(r).at(-1)).toBe('PASS: exact 2 unchanged; ratios 3 within tolerance')
  })

  it('fails when a deterministic figure changes, however little', () => {
    const cur = structuredClone(base) as { figures: Record<string, BenchFigure> }
    cur.figures['scenario/s/baseline/costUsd.total'] = {
      ...(base.figures['scenario/s/baseline/costUsd.total'] as BenchFigure),
      value: 0.12345679,
    }
    const r = checkBench(base, cur as BenchResult)
    expect(r.passed).toBe(false)
    expect(checkLines(r)[0]).toBe(
      'FAIL exact scenario/s/baseline/costUsd.total: changed: 0.123456789 → 0.12345679 (deterministic figure)',
    )
  })

  it('gates ratios with a tolerance in the better direction only', () => {
    const at = (ratio: number, lower: number): BenchResult =>
      result({
        ...base.figures,
        'micro/encrypt.vsBareAesGcm': { ...(base.figures['micro/encrypt.vsBareAesGcm'] as BenchFigure), value: ratio },
        'latency.ratio': { ...(base.figures['latency.ratio'] as BenchFigure), value: lower },
      })
    expect(checkBench(base, at(0.41, 2.4)).passed).toBe(true) // lost 49 %; lower-is-better rose 20 % (tolerance 25 %)
    expect(checkBench(base, at(5, 0.1)).passed).toBe(true) // faster is never a failure
    expect(checkBench(base, at(0.39, 2)).passed).toBe(false) // lost more than 50 %
    expect(checkBench(base, at(0.8, 2.6)).passed).toBe(false) // rose 30 %
    expect(checkBench(base, at(0.7, 2), { tolerance: 0.1 }).passed).toBe(false)
  })

  it('fails a missing exact figure, lets optional ones go, and lists new figures ungated', () => {
    const { ['scenario/s/baseline/kms.calls']: _gone, ['serve.vsMoto']: _moto, ...rest } = base.figures
    const cur = result({ ...rest, 'scenario/t/baseline/kms.calls': { value: 5, kind: 'exact', description: 'new' } })
    const r = checkBench(base, cur)
    expect(r.passed).toBe(false)
    expect(r.checks.find((c) => c.key === 'scenario/s/baseline/kms.calls')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/not measured in this run/),
    })
    expect(r.checks.find((c) => c.key === 'serve.vsMoto')?.status).toBe('missing-optional')
    expect(r.checks.find((c) => c.key === 'scenario/t/baseline/kms.calls')?.status).toBe('new')
    // info figures are never gated
    expect(r.checks.some((c) => c.key === 'micro/encrypt.opsPerSecond')).toBe(false)
  })
})

describe('bench:check command line (against files, without running the suite)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url))
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-bench-check-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  const check = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench/check.ts'), ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    })

  it('the committed baseline is a valid bench.json with exact scenario figures', async () => {
    expect(existsSync(BASELINE_PATH)).toBe(true)
    const b = await loadBench(BASELINE_PATH)
    expect(Object.values(b.figures).filter((f) => f.kind === 'exact').length).toBeGreaterThan(50)
    expect(b.scenarios.filter((s) => s.status === 'ok').length).toBeGreaterThanOrEqual(2)
  })

  it('passes the baseline against itself, exits 1 when a deterministic figure changes and 2 on a bad file', async () => {
    const same = check('--current', BASELINE_PATH)
    expect(same.stdout).toMatch(/^PASS: exact \d+ unchanged/m)
    expect(same.status).toBe(0)

    const b = JSON.parse(await readFile(BASELINE_PATH, 'utf8')) as { figures: Record<string, BenchFigure> }
    const key = Object.keys(b.figures).find((k) => k.endsWith('/kms.calls') && b.figures[k]?.kind === 'exact') as string
    const changed = {
      ...b,
      figures: { ...b.figures, [key]: { ...(b.figures[key] as BenchFigure), value: (b.figures[key]?.value ?? 0) + 1 } },
    }
    await writeFile(join(dir, 'changed.json'), JSON.stringify(changed))
    const r = check('--current', join(dir, 'changed.json'))
    expect(r.status).toBe(1)
    expect(r.stdout).toContain(`FAIL exact ${key}: changed:`)

    await writeFile(join(dir, 'broken.json'), '{"kind": "something-else"}')
    const bad = check('--current', join(dir, 'broken.json'))
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/is not a kms-bench bench\.json/)
  })

  it('refuses a bench.json without its environment or stage lists (exit 2 naming the problem, never a TypeError)', async () => {
    const { environment: _e, ...noEnvironment } = JSON.parse(await readFile(BASELINE_PATH, 'utf8')) as BenchResult
    await writeFile(join(dir, 'no-env.json'), JSON.stringify(noEnvironment))
    await expect(loadBench(join(dir, 'no-env.json'))).rejects.toThrow(/has no environment/)
    await writeFile(join(dir, 'no-stages.json'), JSON.stringify({ ...noEnvironment, environment: {}, stages: null }))
    await expect(loadBench(join(dir, 'no-stages.json'))).rejects.toThrow(/has no stages or scenarios list/)
  })
})
