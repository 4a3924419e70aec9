/**
 * `kms-bench plan SCENARIO|WORKLOAD [--growth RATE] [--months N] [--out DIR]`: a capacity
 * plan (plan/plan.ts): quota utilisation and headroom per account, Region and pool, the month
 * throttling starts under compound growth, cost per month, mitigations ranked by KMS calls
 * and dollars saved with their security exposure, and the exact quota increase to request.
 * Writes plan.md, plan.json and plan.html. Runs in virtual time: a year of growth plans in
 * seconds. A WORKLOAD is a JSON file of peak operations per second per key (WorkloadSchema).
 */
import { dirname, extname, resolve } from 'node:path'
import { buildPlan, parseWorkload, probeQuotas, variantsNeedingProbe, workloadScenario } from '../plan/index.ts'
import {
  type CapacityPlan,
  runScenario,
  type RunOptions,
  ScenarioError,
  type Scenario,
  type RunSummary,
  sdkRetry,
} from '../load/index.ts'
import { BUILT_IN_MITIGATIONS, increaseCommand, serviceQuotaOf } from '../mitigations/index.ts'
import { renderPlanHtml, renderPlanMarkdown, planVerdict } from '../report/index.ts'
import { integerArg, onePositional, parseCommandArgs, seedArg } from './args.ts'
import { CliError, EXIT_INTERRUPTED, EXIT_USAGE, usageError } from './cli-error.ts'
import { parseDurationArg } from './duration.ts'
import { readJsonFile } from './files.ts'
import type { CliIo, Command } from './io.ts'
import { checkOutDir, defaultOutDir, writeOutputFiles } from './output.ts'
import { inputError, loadScenario, runEnvironment, traceFileReader } from './scenario-input.ts'

const USAGE = `Usage: kms-bench plan SCENARIO|WORKLOAD [--growth RATE] [--months N] [--out DIR]

Capacity plan: runs every variant once in virtual time at today's rate, then projects
compound growth month by month. For each account, Region and quota pool: peak rate against
the quota, utilisation, headroom and the month throttling starts; cost per month; mitigations
ranked by KMS calls and dollars saved, each with its security exposure; and the exact quota
increase to request. Writes plan.md, plan.json and plan.html.

SCENARIO is a scenario file (scenarios/*.ts). WORKLOAD is a JSON file of today's peak rates:
  { "name": "checkout", "region": "eu-west-2",
    "keys": [ { "name": "orders", "operations": { "GenerateDataKey": 1200, "Decrypt": 3400 } } ],
    "peakToAverage": 3,
    "variants": [ { "name": "cached", "mitigations": [ { "name": "data-key-cache", "maxAge": "5m" } ] } ] }
  (optional: account, seconds (default 10), seed, profile, quotas, hosts, retry, description)
  A Decrypt rate is reads of envelope-encrypted messages, each under a data key of its own
  (so a cache of decrypted data keys saves none of them); other operations are single calls.

Options:
  --growth RATE     traffic growth per month, compound: 10%, 10%/month or 0.1 (default 0%)
  --months N        months to project (default 12)
  --variant NAME    plan only these variants (repeatable; default: all)
  --duration D      seconds of traffic to simulate (default: the scenario's)
  --seed N          random seed (default: the scenario's)
  --out DIR         output directory (default reports/<scenario>/plan-<timestamp>/)
  --quiet           print only where the plan was written
  -h, --help        show this help

Exits 130 when interrupted, without writing a plan.
`

const OPTIONS = {
  growth: { type: 'string' },
  months: { type: 'string' },
  variant: { type: 'string', multiple: true },
  duration: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
} as const

/** Parses a growth rate: `10%`, `10%/month`, `10 %/mo`, `0.1`; returns a fraction per month. */
export function parseGrowth(text: string): number {
  const t = text.trim().toLowerCase().replace(/\s+/g, '')
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(%?)(?:\/(?:month|mo|m))?$/.exec(t)
  const n = m === null ? Number.NaN : Number(m[1]) / (m[2] === '%' ? 100 : 1)
  if (!Number.isFinite(n) || n <= -1)
    throw usageError(`--growth must be a monthly rate such as 10%, 10%/month or 0.1 (above -100%), got '${text}'`)
  return n
}

/** Loads a scenario file or a WORKLOAD JSON file; every problem is a usage error. */
async function loadPlanInput(
  file: string,
  cwd: string,
): Promise<{ scenario: Scenario; source: 'scenario' | 'workload'; costFactor: number; baseDir: string }> {
  const path = resolve(cwd, file)
  if (extname(path).toLowerCase() !== '.json') {
    const loaded = await loadScenario(file, cwd, BUILT_IN_MITIGATIONS)
    return { scenario: loaded.scenario, source: 'scenario', costFactor: 1, baseDir: dirname(loaded.path) }
  }
  const json = await readJsonFile(path, { what: `workload file '${file}'` })
  try {
    const w = parseWorkload(json, file)
    return {
      scenario: workloadScenario(w, BUILT_IN_MITIGATIONS, file),
      source: 'workload',
      costFactor: 1 / w.peakToAverage,
      baseDir: dirname(path),
    }
  } catch (e) {
    if (e instanceof ScenarioError)
      throw new CliError(
        e.message,
        EXIT_USAGE,
        'a workload is { "keys": [ { "name": "k", "operations": { "Encrypt": 1000 } } ] }; see `kms-bench plan --help`',
      )
    throw e
  }
}

/** Runs the plan's simulations (today's run and the unthrottled probes) and builds the plan. */
export async function planFromScenario(
  scenario: Scenario,
  options: {
    growthPerMonth: number
    months: number
    costFactor: number
    source: 'scenario' | 'workload'
    run: Omit<RunOptions, 'retryLayer' | 'clock'>
    onStage?: (text: string) => void
  },
): Promise<{ plan: CapacityPlan; run: RunSummary; probes: Map<string, RunSummary> }> {
  const base: RunOptions = { ...options.run, clock: 'virtual', retryLayer: (s) => sdkRetry(s) }
  options.onStage?.(
    `simulating ${scenario.name} at today's rate (${variantCount(options.run.variants?.length ?? scenario.variants.length)}, virtual time)`,
  )
  const run = await runScenario(scenario, base)
  const probes = new Map<string, RunSummary>()
  for (const v of variantsNeedingProbe(run)) {
    options.onStage?.(`measuring the unthrottled demand of ${v.name} (retries off, throttled quotas lifted)`)
    probes.set(
      v.name,
      await runScenario(scenario, {
        ...base,
        variants: [v.name],
        retry: { mode: 'none', maxAttempts: 1 },
        quotas: { ...(options.run.quotas ?? {}), ...probeQuotas(v) },
      }),
    )
  }
  const plan = buildPlan(run, probes, {
    growthPerMonth: options.growthPerMonth,
    months: options.months,
    costFactor: options.costFactor,
    source: options.source,
    serviceQuota: (pool, region, desired) => {
      const q = serviceQuotaOf(pool)
      return q === undefined
        ? undefined
        : {
            name: q.name,
            adjustable: q.adjustable,
            ...(q.adjustable ? { command: increaseCommand(q, region, desired) } : {}),
          }
    },
  })
  return { plan, run, probes }
}

/** The `plan` command. */
export const planCommand: Command = {
  name: 'plan',
  summary: 'capacity plan: quota headroom, growth, cost, ranked mitigations',
  usage: USAGE,
  options: OPTIONS,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseCommandArgs('plan', argv, OPTIONS)
    const v = parsed.values
    const file = onePositional(
      'plan',
      parsed.positionals,
      'SCENARIO or WORKLOAD (a scenario file, or a JSON workload file)',
    )
    const growth = v.growth !== undefined ? parseGrowth(v.growth) : 0
    const months = integerArg('--months', v.months, 0, 600) ?? 12
    const seed = seedArg(v.seed)
    const duration = v.duration !== undefined ? parseDurationArg('--duration', v.duration) : undefined
    const input = await loadPlanInput(file, io.cwd)
    const scenario = input.scenario
    // Checked before the simulations, so they never end unable to write the plan.
    const outDir = resolve(io.cwd, v.out ?? defaultOutDir(scenario.name, 'plan-'))
    await checkOutDir(v.out ?? outDir, io.cwd)
    const stage = (text: string): void => {
      if (v.quiet !== true) io.stderr.write(`${text}\n`)
    }
    let result: Awaited<ReturnType<typeof planFromScenario>>
    try {
      result = await planFromScenario(scenario, {
        growthPerMonth: growth,
        months,
        costFactor: input.costFactor,
        source: input.source,
        onStage: stage,
        run: {
          ...(seed !== undefined ? { seed } : {}),
          ...(duration !== undefined ? { durationSeconds: duration } : {}),
          ...(v.variant !== undefined ? { variants: v.variant } : {}),
          signal: io.signal,
          environment: runEnvironment(),
          readTraceFile: traceFileReader(input.baseDir),
        },
      })
    } catch (e) {
      throw inputError(e) ?? e
    }
    if (io.signal.aborted || !result.run.complete) throw new CliError('interrupted: no plan written', EXIT_INTERRUPTED)
    const plan = result.plan
    await writeOutputFiles(outDir, [
      { name: 'plan.md', content: renderPlanMarkdown(plan) },
      { name: 'plan.html', content: renderPlanHtml(plan) },
      // plan.json last: a reader that waits for it finds the others already in place.
      { name: 'plan.json', content: `${JSON.stringify(plan, null, 2)}\n` },
    ])
    if (v.quiet !== true) for (const l of planVerdict(plan)) io.stdout.write(`${l}\n`)
    io.stdout.write(`plan in ${outDir} (plan.md, plan.html, plan.json)\n`)
    return 0
  },
}

/** `1 variant`, `4 variants`. */
function variantCount(n: number): string {
  return `${n} ${n === 1 ? 'variant' : 'variants'}`
}
