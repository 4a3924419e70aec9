/**
 * `kms-bench run`: runs a scenario file (or one operation at a fixed rate, the ad-hoc form)
 * against the embedded emulator, a KMS endpoint URL or real AWS, and writes the reports
 * (summary.json, report.md, report.html, one .hgrm per variant, timeline.csv) with
 * `writeRunOutputs`. Bad input (a scenario that fails validation, a missing file, an unknown
 * flag, an unreachable endpoint, bad credentials) ends with exit 2 and one clear message.
 * SIGINT stops scheduling, drains in-flight requests, writes everything marked
 * `complete: false`, and exits 130.
 *
 * The pieces are in run/: argv → a serialisable RunPlan (plan.ts), the real-AWS projection,
 * execution in this thread or on worker threads (execute.ts), progress and failures.
 */
import { resolve } from 'node:path'
import { evaluateThresholds, type RunSummary, type Scenario, scenarioSeconds, type Threshold } from '../load/index.ts'
import { variantConsoleLine } from '../report/index.ts'
import { EXIT_GATE_FAILED, EXIT_INTERRUPTED, usageError } from './cli-error.ts'
import type { CliIo, Command } from './io.ts'
import { checkOutDir, defaultOutDir, writeRunOutputs } from './output.ts'
import { chooseWorkers, runPlanOnce, type WorkerChoice } from './run/execute.ts'
import { checkAwsCredentials } from './run/failure.ts'
import { type LiveFile, openLiveFile } from './run/live.ts'
import { parseRunPlan, planScenario, type RunPlan } from './run/plan.ts'
import { progressPrinter } from './run/progress.ts'
import { projection } from './run/projection.ts'
import { OPTIONS, USAGE } from './run/usage.ts'
import { traceFileReader } from './scenario-input.ts'
import { runThresholds, thresholdLines, withRepetitions } from './thresholds.ts'
import { at } from '../util/index.ts'

export { usableWorkers } from '../load/index.ts'
export { parseShard } from './run/plan.ts'

/** `--target aws`: prints what the run would send and cost, then needs --yes-real-aws and working credentials. */
async function confirmRealAws(plan: RunPlan, scenario: Scenario, io: CliIo): Promise<void> {
  if (plan.target.kind !== 'aws') return
  const seconds = plan.durationSeconds ?? scenarioSeconds(scenario)
  const variantCount = plan.variants?.length ?? scenario.variants.length
  const p = projection(scenario, seconds, plan.scale ?? 1, variantCount, traceFileReader(plan.baseDir))
  io.stdout.write(`${p.text}\n`)
  if (!plan.yesRealAws)
    throw usageError('--target aws sends real requests to AWS and costs money: add --yes-real-aws to go ahead')
  await checkAwsCredentials(plan.region ?? scenario.region)
}

/** Runs the plan `--runs` times (stopping early on SIGINT); several runs keep every run's figures. */
async function runRepeated(
  plan: RunPlan,
  scenario: Scenario,
  choice: WorkerChoice,
  io: CliIo,
  live: LiveFile | undefined,
): Promise<RunSummary> {
  const quiet = plan.quiet || io.env['CI'] === 'true' || io.stderr.isTTY !== true
  const progress = progressPrinter(io.stderr, !quiet ? 'line' : plan.quiet ? 'off' : 'start')
  if (choice.note !== undefined && !plan.quiet) io.stderr.write(`note: ${choice.note}\n`)
  const results: RunSummary[] = []
  for (let r = 0; r < plan.runs; r++) {
    if (r > 0 && io.signal.aborted) break
    if (plan.runs > 1 && !plan.quiet) io.stderr.write(`run ${r + 1} of ${plan.runs}\n`)
    try {
      live?.startRun(r + 1)
      results.push(await runPlanOnce(plan, scenario, choice, io, (p) => progress.update(p), live))
    } finally {
      progress.clear()
    }
  }
  return plan.runs > 1 ? withRepetitions(results) : at(results, 0)
}

/** Prints the variants, where the reports went and the gates; returns the exit code. */
function finish(summary: RunSummary, plan: RunPlan, io: CliIo, outDir: string, files: number): number {
  const interrupted = io.signal.aborted || !summary.complete
  if (!plan.quiet) {
    for (const variant of summary.variants) io.stdout.write(`${variantConsoleLine(variant)}\n`)
    io.stdout.write(
      `${interrupted ? 'interrupted: partial results' : 'reports'} in ${resolve(io.cwd, outDir)} (${files} files)\n`,
    )
  }
  const gateFailed = summary.thresholds.some((t) => !t.passed)
  const gateLines = thresholdLines(summary.thresholds)
  if (!plan.quiet) for (const l of gateLines) io.stdout.write(`${l}\n`)
  else if (gateFailed) for (const l of gateLines) io.stderr.write(`${l}\n`)
  return interrupted ? EXIT_INTERRUPTED : gateFailed ? EXIT_GATE_FAILED : 0
}

/** The summary with the run's gates evaluated (those of variants that ran). */
function gated(summary: RunSummary, thresholds: readonly Threshold[]): RunSummary {
  const ran = summary.variants.map((x) => x.name)
  return {
    ...summary,
    thresholds: evaluateThresholds(
      summary,
      thresholds.filter((t) => t.variant === undefined || ran.includes(t.variant)),
    ),
  }
}

/** The `run` command. */
export const runCommand: Command = {
  name: 'run',
  summary: 'run a scenario (or one operation at a fixed rate) and write reports',
  usage: USAGE,
  options: OPTIONS,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const plan = await parseRunPlan(argv, io)
    const scenario = await planScenario(plan, io.cwd)
    const choice = chooseWorkers(plan, scenario)
    const thresholds = runThresholds(scenario, plan.thresholds, plan.variants ?? scenario.variants.map((x) => x.name))
    // Checked before the run, so a long run never ends unable to write its reports.
    const outDir = plan.out ?? defaultOutDir(scenario.name)
    await checkOutDir(outDir, io.cwd)
    const live = plan.live !== undefined ? openLiveFile(plan.live, io.cwd, plan.runs) : undefined
    let summary: RunSummary
    try {
      await confirmRealAws(plan, scenario, io)
      summary = gated(await runRepeated(plan, scenario, choice, io, live), thresholds)
    } finally {
      live?.close()
    }
    const written = await writeRunOutputs(summary, outDir, { env: io.env, cwd: io.cwd })
    return finish(summary, plan, io, outDir, written.length)
  },
}
