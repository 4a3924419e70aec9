/**
 * `npm run bench:check`: the CI gate of the benchmark suite. Runs the suite (`bench/main.ts`)
 * and compares its `bench.json` with the committed baseline, `reports/baseline/bench.json`:
 *
 * - **exact** figures (virtual time: KMS calls, throttles, retries, cost, virtual latency,
 *   limiter slots) must be identical. They are deterministic, so any change is a change of
 *   behaviour: a regression, or an improvement to accept by updating the baseline. A
 *   baseline figure missing from the run fails too (a scenario that stopped running).
 * - **ratio** figures (speed against a reference measured in the same run) may lose at most
 *   their tolerance (default 50 % of the baseline value, `--tolerance`) before failing: on a
 *   shared machine they move by tens of percent, so only a gross slowdown fails.
 * - **info** figures (absolute numbers on this machine) are never gated.
 * New figures (a scenario added since the baseline) are listed and pass.
 *
 * Usage: `npm run bench:check -- [--current FILE] [--baseline FILE] [--tolerance F] [--update]`
 * - `--current FILE`: check an existing bench.json instead of running the suite;
 * - `--update`: after running, write the result as the new baseline (review the diff, commit).
 * Exit codes: 0 pass; 1 a figure regressed; 2 a missing or malformed file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BENCH_SCHEMA_VERSION, runSuite, type BenchFigure, type BenchResult } from './main.ts'

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))
/** The committed baseline. */
export const BASELINE_PATH = resolve(ROOT, 'reports/baseline/bench.json')
/** Share of a ratio's baseline value a run may lose before the gate fails. */
export const DEFAULT_TOLERANCE = 0.5

/** A file that is not a bench.json this build reads. */
export class BenchFileError extends Error {
  override readonly name = 'BenchFileError'
}

/** Reads and checks a bench.json. */
export async function loadBench(path: string): Promise<BenchResult> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as { code?: string }).code
    throw new BenchFileError(
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}`,
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new BenchFileError(`${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
  const r = json as Partial<BenchResult> | null
  if (r === null || typeof r !== 'object' || r.kind !== 'kms-bench-bench')
    throw new BenchFileError(`${path} is not a kms-bench bench.json (no "kind": "kms-bench-bench")`)
  if (r.schemaVersion !== BENCH_SCHEMA_VERSION)
    throw new BenchFileError(
      `${path}: schemaVersion ${JSON.stringify(r.schemaVersion)} is not supported (this build reads ${BENCH_SCHEMA_VERSION}); regenerate it with npm run bench`,
    )
  if (r.figures === null || typeof r.figures !== 'object') throw new BenchFileError(`${path} has no figures`)
  if (r.environment === null || typeof r.environment !== 'object')
    throw new BenchFileError(`${path} has no environment`)
  if (!Array.isArray(r.stages) || !Array.isArray(r.scenarios))
    throw new BenchFileError(`${path} has no stages or scenarios list`)
  for (const [k, f] of Object.entries(r.figures)) {
    if (typeof f?.value !== 'number' || !['exact', 'ratio', 'info'].includes(f.kind))
      throw new BenchFileError(`${path}: figure '${k}' is malformed`)
  }
  return r as BenchResult
}

/** One checked figure. */
export interface FigureCheck {
  readonly key: string
  readonly kind: BenchFigure['kind']
  readonly status: 'pass' | 'fail' | 'new' | 'missing-optional'
  readonly baseline?: number
  readonly current?: number
  readonly reason: string
}

/** The outcome of a check. */
export interface BenchCheck {
  readonly passed: boolean
  readonly checks: readonly FigureCheck[]
  readonly notes: readonly string[]
}

function fmt(x: number): string {
  return Number.isInteger(x) ? x.toLocaleString('en-US') : String(x)
}

/** Compares a run with the baseline (see the module comment for the rules). */
export function checkBench(
  baseline: BenchResult,
  current: BenchResult,
  options: { tolerance?: number } = {},
): BenchCheck {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE
  const checks: FigureCheck[] = []
  for (const [key, b] of Object.entries(baseline.figures)) {
    const c = current.figures[key]
    if (b.kind === 'info') continue
    if (c === undefined) {
      checks.push(
        b.optional === true
          ? {
              key,
              kind: b.kind,
              status: 'missing-optional',
              baseline: b.value,
              reason: 'not measured in this run (optional)',
            }
          : {
              key,
              kind: b.kind,
              status: 'fail',
              baseline: b.value,
              reason:
                'in the baseline but not measured in this run (a stage or scenario failed, was removed or renamed)',
            },
      )
      continue
    }
    if (b.kind === 'exact') {
      const same = Object.is(b.value, c.value)
      checks.push({
        key,
        kind: 'exact',
        status: same ? 'pass' : 'fail',
        baseline: b.value,
        current: c.value,
        reason: same ? 'unchanged' : `changed: ${fmt(b.value)} → ${fmt(c.value)} (deterministic figure)`,
      })
      continue
    }
    const tol = b.tolerance ?? tolerance
    const higher = (b.better ?? 'higher') === 'higher'
    const limit = higher ? b.value * (1 - tol) : b.value * (1 + tol)
    const bad = higher ? c.value < limit : c.value > limit
    checks.push({
      key,
      kind: 'ratio',
      status: bad ? 'fail' : 'pass',
      baseline: b.value,
      current: c.value,
      reason: `${fmt(b.value)} → ${fmt(c.value)} (${higher ? 'higher' : 'lower'} is better; fails ${higher ? 'below' : 'above'} ${fmt(Number(limit.toPrecision(4)))}, a ${Math.round(tol * 100)}% tolerance)`,
    })
  }
  for (const [key, c] of Object.entries(current.figures)) {
    if (c.kind !== 'info' && baseline.figures[key] === undefined)
      checks.push({
        key,
        kind: c.kind,
        status: 'new',
        current: c.value,
        reason: 'new since the baseline: not gated (update the baseline to gate it)',
      })
  }
  const notes: string[] = []
  if (baseline.environment.node !== current.environment.node)
    notes.push(
      `Node ${baseline.environment.node} made the baseline, ${current.environment.node} this run: ratios may shift.`,
    )
  if (baseline.environment.cpus !== current.environment.cpus)
    notes.push(`${baseline.environment.cpus} CPUs made the baseline, ${current.environment.cpus} this run.`)
  for (const s of current.stages) if (s.status === 'failed') notes.push(`Stage ${s.name} failed: ${s.note}`)
  for (const s of current.scenarios)
    if (s.status === 'failed') notes.push(`Scenario ${s.name} failed: ${s.reason ?? ''}`)
  return { passed: checks.every((c) => c.status !== 'fail'), checks, notes }
}

/** The check in lines: failures first, then counts. */
export function checkLines(r: BenchCheck): string[] {
  const fails = r.checks.filter((c) => c.status === 'fail')
  const count = (kind: string, status: string): number =>
    r.checks.filter((c) => c.kind === kind && c.status === status).length
  const lines: string[] = []
  for (const c of fails) lines.push(`FAIL ${c.kind} ${c.key}: ${c.reason}`)
  for (const c of r.checks.filter((x) => x.status === 'new'))
    lines.push(`new  ${c.kind} ${c.key} = ${fmt(c.current ?? 0)}: ${c.reason}`)
  for (const n of r.notes) lines.push(`note: ${n}`)
  lines.push(
    `${r.passed ? 'PASS' : 'FAIL'}: exact ${count('exact', 'pass')} unchanged${count('exact', 'fail') > 0 ? `, ${count('exact', 'fail')} changed or missing` : ''}; ratios ${count('ratio', 'pass')} within tolerance${count('ratio', 'fail') > 0 ? `, ${count('ratio', 'fail')} regressed or missing` : ''}`,
  )
  return lines
}

async function main(): Promise<number> {
  let values: { current?: string; baseline?: string; tolerance?: string; update?: boolean; help?: boolean }
  try {
    values = parseArgs({
      options: {
        current: { type: 'string' },
        baseline: { type: 'string' },
        tolerance: { type: 'string' },
        update: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values
  } catch (e) {
    process.stderr.write(`bench:check: ${e instanceof Error ? e.message : String(e)}\n`)
    return 2
  }
  if (values.help === true) {
    process.stdout.write(
      'Usage: npm run bench:check -- [--current FILE] [--baseline FILE] [--tolerance F] [--update]\n',
    )
    return 0
  }
  const tolerance = values.tolerance !== undefined ? Number(values.tolerance) : undefined
  if (tolerance !== undefined && !(tolerance >= 0 && tolerance < 1)) {
    process.stderr.write(
      `bench:check: --tolerance must be a fraction from 0 to 1 (e.g. 0.5), got '${values.tolerance}'\n`,
    )
    return 2
  }
  const baselinePath = resolve(values.baseline ?? BASELINE_PATH)
  try {
    let current: BenchResult
    if (values.current !== undefined) {
      if (values.update === true)
        throw new BenchFileError('--update writes a fresh run as the baseline: do not combine it with --current')
      current = await loadBench(resolve(values.current))
    } else {
      current = await runSuite()
    }
    if (values.update === true) {
      await mkdir(dirname(baselinePath), { recursive: true })
      await writeFile(`${baselinePath}.tmp`, `${JSON.stringify(current, null, 2)}\n`)
      await rename(`${baselinePath}.tmp`, baselinePath)
      process.stdout.write(
        `bench:check: wrote the baseline ${baselinePath} (${Object.keys(current.figures).length} figures); review and commit it\n`,
      )
      return current.stages.some((s) => s.status === 'failed') ? 1 : 0
    }
    const baseline = await loadBench(baselinePath)
    const r = checkBench(baseline, current, tolerance !== undefined ? { tolerance } : {})
    for (const l of checkLines(r)) process.stdout.write(`${l}\n`)
    return r.passed ? 0 : 1
  } catch (e) {
    if (e instanceof BenchFileError) {
      process.stderr.write(`bench:check: ${e.message}\n`)
      return 2
    }
    throw e
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = await main()
