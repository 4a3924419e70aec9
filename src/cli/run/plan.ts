/**
 * `kms-bench run`'s argv as a {@link RunPlan}: plain, serialisable data (what worker threads
 * are given), checked flag by flag with one clear usage error each, in the order the flags are
 * documented. The scenario it names is loaded by {@link planScenario}.
 */
import { dirname, extname, isAbsolute, resolve } from 'node:path'
import {
  clientSetting,
  defineScenario,
  type EndpointCredentials,
  isSdkName,
  type LatencySetting,
  LatencySpecError,
  type ParallelRun,
  parseLatencySpec,
  type RetrySetting,
  type RunSummary,
  type Scenario,
  SDK_NAMES,
  type SdkRetryMode,
  sdkModes,
  type TargetSpec,
  type Threshold,
  withMaxAttempts,
  type WorkerRunOptions,
} from '../../load/index.ts'
import { BUILT_IN_MITIGATIONS } from '../../mitigations/index.ts'
import { integerArg, numberArg, parseCommandArgs, regionArg, seedArg } from '../args.ts'
import { usageError } from '../cli-error.ts'
import { parseDurationArg } from '../duration.ts'
import { readJsonFile } from '../files.ts'
import type { CliIo } from '../io.ts'
import { parseQuotaArgs, type QuotaArgs } from '../quota-args.ts'
import { inputError, loadScenario, runEnvironment, toolVersion } from '../scenario-input.ts'
import { parseThresholdArgs } from '../thresholds.ts'
import { type AdHocSpec, adHocInput, adHocSource } from './ad-hoc.ts'
import { OPTIONS } from './usage.ts'

/** A run as plain data: argv checked and resolved (scenario file path, overrides, target, clock, outputs). */
export interface RunPlan {
  /** the scenario file, absolute (absent for the ad-hoc form) */
  scenarioPath?: string
  /** the scenario file as given on the command line */
  scenarioArg?: string
  adHoc?: AdHocSpec
  target: TargetSpec
  clock?: 'virtual' | 'real'
  /** true when the run is in real time (`--clock real`, or an endpoint target) */
  realClock: boolean
  durationSeconds?: number
  seed?: number
  region?: string
  /** `--retry`/`--sdk` (with `--max-attempts`): every variant's client */
  retry?: RetrySetting
  /** `--max-attempts` without `--retry`: applied to the scenario's own retry settings */
  maxAttempts?: number
  scale?: number
  shard?: { index: number; count: number }
  variants?: string[]
  latency?: LatencySetting
  profile?: QuotaArgs['profile']
  quotas?: Record<string, number>
  maxInFlight?: number
  /** --live FILE, as given */
  live?: string
  /** --drain, ms */
  drainMs?: number
  /** --timeout, ms */
  timeoutMs?: number
  /** `--workers N` as given */
  workers?: number
  runs: number
  /** `--threshold` gates */
  thresholds: Threshold[]
  /** `--out` as given */
  out?: string
  /** `--quiet` */
  quiet: boolean
  yesRealAws: boolean
  environment: RunSummary['environment']
  toolVersion: string
  /** directory trace files are relative to */
  baseDir: string
}

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values']

/** Parses and checks `kms-bench run`'s argv; every problem is a usage error (exit 2). */
export async function parseRunPlan(argv: readonly string[], io: CliIo): Promise<RunPlan> {
  const { values: v, positionals } = parseCommandArgs('run', argv, OPTIONS)
  const adHoc = v.op !== undefined
  checkForm(v, positionals, adHoc)
  const target = parseTarget(v.target, io.env)
  const clock = v.clock
  if (clock !== undefined && clock !== 'virtual' && clock !== 'real')
    throw usageError(`--clock must be virtual or real, got '${clock}'`)
  if (clock === 'virtual' && target.kind !== 'embedded')
    throw usageError('--clock virtual needs --target embedded: endpoints run in real time')
  const client = parseClient(v)
  const seed = seedArg(v.seed)
  const region = regionArg('--region', v.region)
  const scale = numberArg('--scale', v.scale, (n) => n > 0, 'a number greater than 0')
  const shard = v.shard !== undefined ? parseShard(v.shard, io.env) : undefined
  const maxInFlight = numberArg(
    '--max-in-flight',
    v['max-in-flight'],
    (n) => Number.isInteger(n) && n >= 1,
    'an integer >= 1',
  )
  const workers = integerArg('--workers', v.workers, 1, 64)
  const realClock = clock === 'real' || (clock === undefined && target.kind !== 'embedded')
  const runs = integerArg('--runs', v.runs, 1, 1000) ?? 1
  if (runs > 1 && !realClock)
    throw usageError(
      '--runs needs real time (--clock real, or an endpoint target): virtual runs are deterministic, every repetition would be the same',
    )
  const thresholds = parseThresholdArgs(v.threshold)
  const duration = v.duration !== undefined ? parseDurationArg('--duration', v.duration) : undefined
  const timeout = v.timeout !== undefined ? parseDurationArg('--timeout', v.timeout) : undefined
  const drain = v.drain !== undefined ? parseDurationArg('--drain', v.drain, true) : undefined
  if (drain !== undefined && !realClock)
    throw usageError('--drain needs real time (--clock real, or an endpoint target)')
  const quotaArgs = await parseQuotaArgs({ profile: v.profile, quota: v.quota }, io.cwd)
  const latency = await parseLatency(v.latency, io.cwd)
  const adHocSpec = adHoc ? parseAdHoc(v, duration, region) : undefined
  const scenarioArg = positionals[0]
  const scenarioPath = scenarioArg !== undefined ? resolvePath(io.cwd, scenarioArg) : undefined
  return {
    ...(scenarioPath !== undefined ? { scenarioPath, scenarioArg } : {}),
    ...(adHocSpec !== undefined ? { adHoc: adHocSpec } : {}),
    target,
    ...(clock !== undefined ? { clock } : {}),
    realClock,
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(region !== undefined ? { region } : {}),
    ...client,
    ...(scale !== undefined ? { scale } : {}),
    ...(shard !== undefined ? { shard } : {}),
    ...(v.variant !== undefined ? { variants: v.variant } : {}),
    ...(latency !== undefined ? { latency } : {}),
    ...(v.profile !== undefined ? { profile: quotaArgs.profile } : {}),
    ...(Object.keys(quotaArgs.quotas).length > 0 ? { quotas: { ...quotaArgs.quotas } } : {}),
    ...(maxInFlight !== undefined ? { maxInFlight } : {}),
    ...(drain !== undefined ? { drainMs: drain * 1000 } : {}),
    ...(v.live !== undefined ? { live: v.live } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
    ...(workers !== undefined ? { workers } : {}),
    runs,
    thresholds,
    ...(v.out !== undefined ? { out: v.out } : {}),
    quiet: v.quiet === true,
    yesRealAws: v['yes-real-aws'] === true,
    environment: runEnvironment(),
    toolVersion: toolVersion(),
    baseDir: scenarioPath !== undefined ? dirname(scenarioPath) : io.cwd,
  }
}

function resolvePath(cwd: string, file: string): string {
  return isAbsolute(file) ? file : resolve(cwd, file)
}

/** A scenario file or the ad-hoc form, not both; ad-hoc flags only with `--op`. */
function checkForm(v: Values, positionals: readonly string[], adHoc: boolean): void {
  if (adHoc && positionals.length > 0) throw usageError('give either a SCENARIO file or --op, not both')
  if (!adHoc && positionals.length === 0)
    throw usageError(
      'missing SCENARIO (a scenario file) or --op OP --rate RPS --duration D',
      'run `kms-bench run --help`',
    )
  if (positionals.length > 1)
    throw usageError(`one scenario per run, got ${positionals.length}: ${positionals.join(' ')}`)
  if (!adHoc)
    for (const f of ['rate', 'payload-bytes', 'hosts'] as const)
      if (v[f] !== undefined) throw usageError(`--${f} belongs to the ad-hoc form (--op)`)
}

/**
 * `--sdk`, `--retry`, `--max-attempts`: `--retry` replaces every variant's retry setting;
 * `--max-attempts` alone changes only the attempts. `--sdk` replaces every host's client
 * (groups included), in its default mode unless `--retry` names one.
 */
function parseClient(v: Values): { retry?: RetrySetting; maxAttempts?: number } {
  const retryMode = v.retry
  const sdk = v.sdk
  if (sdk !== undefined && !isSdkName(sdk))
    throw usageError(`--sdk must be one of ${SDK_NAMES.join(', ')}, got '${sdk}'`)
  const modes: readonly string[] = sdk !== undefined ? sdkModes(sdk) : ['none', 'standard', 'adaptive']
  if (retryMode !== undefined && !modes.includes(retryMode))
    throw usageError(
      `--retry must be ${modes.slice(0, -1).join(', ')} or ${modes.at(-1)}${sdk !== undefined ? ` for --sdk ${sdk}` : ''}, got '${retryMode}'`,
    )
  const maxAttempts = integerArg('--max-attempts', v['max-attempts'], 1, 100)
  const retry: RetrySetting | undefined =
    sdk !== undefined
      ? clientSetting({
          sdk,
          ...(retryMode !== undefined ? { mode: retryMode as SdkRetryMode } : {}),
          ...(maxAttempts !== undefined ? { maxAttempts } : {}),
        })
      : retryMode !== undefined
        ? { mode: retryMode as SdkRetryMode, maxAttempts: maxAttempts ?? 3 }
        : undefined
  const attemptsOnly = retryMode === undefined && sdk === undefined ? maxAttempts : undefined
  return {
    ...(retry !== undefined ? { retry } : {}),
    ...(attemptsOnly !== undefined ? { maxAttempts: attemptsOnly } : {}),
  }
}

function parseAdHoc(v: Values, duration: number | undefined, region: string | undefined): AdHocSpec {
  const rate = numberArg('--rate', v.rate, (n) => n > 0, 'a number of requests per second greater than 0')
  if (rate === undefined) throw usageError('--op needs --rate RPS')
  if (duration === undefined) throw usageError('--op needs --duration D (e.g. 30s)')
  const payloadBytes = integerArg('--payload-bytes', v['payload-bytes'], 1, 4096) ?? 32
  const hosts = integerArg('--hosts', v.hosts, 1, 100_000) ?? 1
  const spec = { op: v.op as string, rate, durationSeconds: duration, region, payloadBytes, hosts }
  adHocInput(spec) // an unknown or unsupported operation is a usage error now, before anything runs
  return spec
}

/**
 * `--shard I/N`: shard I of N, numbered from 1 (`1/4` … `4/4`, as the README runs them on four
 * machines); `auto` reads a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` (0-based) and
 * `JOB_COMPLETION_COUNT` (https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode).
 * Returns the 0-based index the engine uses.
 */
export function parseShard(
  text: string,
  env: Readonly<Record<string, string | undefined>> = {},
): { index: number; count: number } {
  if (text.trim() === 'auto') {
    const i = env['JOB_COMPLETION_INDEX']
    const n = env['JOB_COMPLETION_COUNT']
    const index = Number(i)
    const count = Number(n)
    if (
      i === undefined ||
      n === undefined ||
      !Number.isInteger(index) ||
      !Number.isInteger(count) ||
      count < 1 ||
      index < 0 ||
      index >= count
    )
      throw usageError(
        `--shard auto needs JOB_COMPLETION_INDEX (0..N-1) and JOB_COMPLETION_COUNT (N) from a Kubernetes Indexed Job, got JOB_COMPLETION_INDEX=${i ?? '(unset)'} JOB_COMPLETION_COUNT=${n ?? '(unset)'}`,
        'set completionMode: Indexed and env JOB_COMPLETION_COUNT (see docs/kubernetes-shards.yaml)',
      )
    return { index, count }
  }
  const m = /^(\d+)\/(\d+)$/.exec(text.trim())
  const index = Number(m?.[1])
  const count = Number(m?.[2])
  if (m === null || count < 1 || index < 1 || index > count)
    throw usageError(
      `--shard must be I/N with 1 <= I <= N (shards are numbered from 1: --shard 1/4 ... --shard 4/4), or auto, got '${text}'`,
    )
  return { index: index - 1, count }
}

/** `--target`: embedded, aws or an endpoint URL (with the AWS_* credentials of the environment). */
function parseTarget(text: string | undefined, env: Readonly<Record<string, string | undefined>>): TargetSpec {
  if (text === undefined || text === 'embedded') return { kind: 'embedded' }
  if (text === 'aws') return { kind: 'aws' }
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw usageError(`--target must be embedded, aws or an endpoint URL (http://host:port), got '${text}'`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(`--target URL must be http:// or https://, got '${text}'`)
  const key = env['AWS_ACCESS_KEY_ID']
  const secret = env['AWS_SECRET_ACCESS_KEY']
  const token = env['AWS_SESSION_TOKEN']
  const credentials: EndpointCredentials | undefined =
    key !== undefined && secret !== undefined
      ? { accessKeyId: key, secretAccessKey: secret, ...(token !== undefined ? { sessionToken: token } : {}) }
      : undefined
  return { kind: 'url', url: url.href.replace(/\/$/, ''), ...(credentials !== undefined ? { credentials } : {}) }
}

async function parseLatency(text: string | undefined, cwd: string): Promise<LatencySetting | undefined> {
  if (text === undefined) return undefined
  if (text === 'none' || text === 'aws') return text
  const json = await readJsonFile(resolvePath(cwd, text), {
    flag: '--latency',
    what: `'${text}'`,
    hint: 'use none, aws, or a JSON latency spec file',
  })
  try {
    return parseLatencySpec(json)
  } catch (e) {
    if (e instanceof LatencySpecError) throw usageError(`--latency ${text}: ${e.message}`)
    throw e
  }
}

/** The scenario a plan runs (the file, or the ad-hoc input), with `maxAttempts` applied. */
export async function planScenario(plan: RunPlan, cwd: string): Promise<Scenario> {
  let scenario: Scenario
  if (plan.adHoc !== undefined) {
    try {
      scenario = defineScenario(adHocInput(plan.adHoc), { source: adHocSource(plan.adHoc) })
    } catch (e) {
      throw inputError(e) ?? e
    }
  } else scenario = (await loadScenario(plan.scenarioArg as string, cwd, BUILT_IN_MITIGATIONS)).scenario
  return plan.maxAttempts !== undefined ? withMaxAttempts(scenario, plan.maxAttempts) : scenario
}

/** The run options a plan gives every variant (plain data: worker threads get them too). */
export function planRunOptions(plan: RunPlan): WorkerRunOptions {
  return {
    ...(plan.clock !== undefined ? { clock: plan.clock } : {}),
    ...(plan.durationSeconds !== undefined ? { durationSeconds: plan.durationSeconds } : {}),
    ...(plan.seed !== undefined ? { seed: plan.seed } : {}),
    ...(plan.region !== undefined ? { region: plan.region } : {}),
    ...(plan.retry !== undefined ? { retry: plan.retry } : {}),
    ...(plan.scale !== undefined ? { scale: plan.scale } : {}),
    ...(plan.shard !== undefined ? { shard: plan.shard } : {}),
    ...(plan.variants !== undefined ? { variants: plan.variants } : {}),
    ...(plan.latency !== undefined ? { latency: plan.latency } : {}),
    ...(plan.profile !== undefined ? { profile: plan.profile } : {}),
    ...(plan.quotas !== undefined ? { quotas: plan.quotas } : {}),
    ...(plan.maxInFlight !== undefined || plan.drainMs !== undefined
      ? {
          realTime: {
            ...(plan.maxInFlight !== undefined ? { maxInFlight: plan.maxInFlight } : {}),
            ...(plan.drainMs !== undefined ? { drainMs: plan.drainMs } : {}),
          },
        }
      : {}),
    ...(plan.timeoutMs !== undefined ? { timeoutMs: plan.timeoutMs } : {}),
    toolVersion: plan.toolVersion,
    environment: plan.environment,
  }
}

/**
 * The built-in mitigation table as a module worker threads import: `mitigations/index` beside
 * this tree, `.ts` in the checkout, `.js` in the installed package.
 */
const MITIGATIONS_MODULE = {
  module: new URL(`../../mitigations/index${extname(new URL(import.meta.url).pathname)}`, import.meta.url).href,
  export: 'BUILT_IN_MITIGATIONS',
} as const

/** A plan as the load engine's parallel run (worker threads load the scenario themselves). */
export function planParallelRun(plan: RunPlan, cwd: string): ParallelRun {
  return {
    scenario:
      plan.adHoc !== undefined
        ? { input: adHocInput(plan.adHoc), source: adHocSource(plan.adHoc) }
        : { file: plan.scenarioArg as string, cwd },
    mitigations: MITIGATIONS_MODULE,
    ...(plan.maxAttempts !== undefined ? { maxAttempts: plan.maxAttempts } : {}),
    target: plan.target,
    options: planRunOptions(plan),
    baseDir: plan.baseDir,
  }
}
