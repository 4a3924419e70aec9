/**
 * Runs a {@link RunPlan} once: in this thread, or on worker threads through the load engine's
 * `runParallel` (real time: each thread 1/N of every rate; virtual time: the variants side by
 * side, with the summary of a sequential run).
 */
import { availableParallelism } from 'node:os'
import {
  compileShape,
  parseDuration,
  type RunProgress,
  type RunSummary,
  runParallel,
  runScenario,
  type Scenario,
  scenarioSchedule,
  scenarioSeconds,
  sdkRetry,
  targetOf,
  type TargetSpec,
  usableWorkers,
} from '../../load/index.ts'
import { usageError } from '../cli-error.ts'
import { traceFileReader } from '../scenario-input.ts'
import { runFailure } from './failure.ts'
import type { LiveFile } from './live.ts'
import { planParallelRun, planRunOptions, type RunPlan } from './plan.ts'

/**
 * Virtual time, without `--workers`: the variants run side by side on one lane per core (the
 * main thread is one of them, the others are worker threads), as long as every lane gets at
 * least this many of the run's requests. A worker thread takes about 1.5 s of one core to start
 * (the TypeScript loader and the whole engine load again in it), about what 150,000 simulated
 * requests take; a lane with less work than twice that does not win its start back.
 */
export const MIN_REQUESTS_PER_LANE = 300_000

/** How a run is spread over threads. */
export interface WorkerChoice {
  mode: 'inline' | 'shards' | 'variants'
  /** threads (1 inline) */
  count: number
  /** a note on stderr and in the assumptions: `--workers N` ran as fewer */
  note?: string
}

/**
 * Real time: `--workers N` (default 1), fewer when N does not divide the fleet (hosts are split
 * across workers, never shared: a host is one SDK client with one retry quota and one limiter,
 * and two workers sending for the same host would double them). Virtual time: `--workers N`
 * variants side by side (the main thread and N − 1 worker threads), by default one per core
 * while each gets enough work ({@link MIN_REQUESTS_PER_LANE}), never more than the variants run.
 */
export function chooseWorkers(plan: RunPlan, scenario: Scenario): WorkerChoice {
  if (plan.realClock) {
    const workers = plan.workers ?? 1
    const shards = plan.shard?.count ?? 1
    const hosts = scenario.fleet.hosts
    const usable = usableWorkers(workers, hosts, shards)
    const note =
      usable < workers
        ? `--workers ${workers} ran as ${usable} worker${usable === 1 ? '' : 's'}: hosts are split across workers (each host keeps one SDK client and one retry quota), so the worker count must divide the ${hosts} host${hosts === 1 ? '' : 's'} of the fleet${shards > 1 ? ` shard` : ''}.`
        : undefined
    return { mode: usable > 1 ? 'shards' : 'inline', count: usable, ...(note !== undefined ? { note } : {}) }
  }
  const variants = plan.variants?.length ?? scenario.variants.length
  if (plan.workers !== undefined && plan.workers > 1 && variants <= 1)
    throw usageError(
      '--workers needs real time (--clock real, or an endpoint target) to split one variant: a virtual run of a variant is one deterministic event loop (with several variants, --workers runs them side by side)',
    )
  const wanted = plan.workers ?? defaultLanes(offeredRequests(plan, scenario, variants), variants)
  const count = Math.max(1, Math.min(wanted, variants))
  return { mode: count > 1 ? 'variants' : 'inline', count }
}

/** Lanes of a virtual run without `--workers`: one per core and variant, each with at least {@link MIN_REQUESTS_PER_LANE} requests. */
function defaultLanes(requests: number, variants: number): number {
  let lanes = Math.min(availableParallelism(), variants)
  while (lanes > 1 && requests / lanes < MIN_REQUESTS_PER_LANE) lanes--
  return lanes
}

/** The requests a run offers in all (every variant), from the schedule's integral; 0 when the schedule does not compile (the run then says why). */
function offeredRequests(plan: RunPlan, scenario: Scenario, variants: number): number {
  try {
    const seconds = plan.durationSeconds ?? scenarioSeconds(scenario)
    const shape = compileShape(scenarioSchedule(scenario, traceFileReader(plan.baseDir)), seconds, parseDuration)
    return shape.cumulative(seconds * 1000) * (plan.scale ?? 1) * variants
  } catch {
    return 0
  }
}

/** The name a target goes by in messages (the endpoint URL, `aws`, `embedded`). */
function targetName(spec: TargetSpec): string {
  return spec.kind === 'url' ? spec.url : spec.kind
}

/** Runs the plan once as `choice` says; a failure that is bad input is a usage error (exit 2). */
export async function runPlanOnce(
  plan: RunPlan,
  scenario: Scenario,
  choice: WorkerChoice,
  io: { cwd: string; signal: AbortSignal },
  onProgress: (p: RunProgress) => void,
  live?: LiveFile,
): Promise<RunSummary> {
  const withNote = (s: RunSummary): RunSummary =>
    choice.note !== undefined ? { ...s, assumptions: [...s.assumptions, choice.note] } : s
  if (choice.mode !== 'inline') {
    try {
      const merged = await runParallel(planParallelRun(plan, io.cwd), {
        workers: choice.count,
        // Virtual time: the main thread runs variants too (one thread fewer to start).
        inline: choice.mode === 'variants',
        signal: io.signal,
        onProgress,
      })
      // Worker threads hand back whole variants: their seconds are written when they end.
      live?.writeSummary(merged)
      return withNote(merged)
    } catch (e) {
      throw runFailure(e, targetName(plan.target)) ?? e
    }
  }
  const target = targetOf(plan.target)
  try {
    return withNote(
      await runScenario(scenario, {
        ...planRunOptions(plan),
        target,
        retryLayer: (s) => sdkRetry(s),
        signal: io.signal,
        onProgress,
        ...(live !== undefined ? { onSecond: live.write } : {}),
        readTraceFile: traceFileReader(plan.baseDir),
      }),
    )
  } catch (e) {
    await target.close().catch(() => undefined)
    throw runFailure(e, target.name) ?? e
  }
}
