/**
 * `runScenario`: runs a scenario's variants, one after the other, against a target and
 * returns the run's summary (the `summary.json` object). Each variant gets a fresh
 * environment (clock, emulator or target session, random streams, latency model) and the
 * same arrivals: arrival times and request choices come from streams derived from the seed
 * and the shard only, so variants are compared on identical traffic.
 */
import { SystemClock, VirtualClock, VIRTUAL_EPOCH_MS, type Clock, type RealTimeClock } from '../clock.ts'
import {
  type CallerInput,
  type CustomKeyStoreType,
  type KeySpec,
  type KeyUsageType,
  billableKeys,
} from '../kms/index.ts'
import { ensureCustomKeyStore } from './custom-key-store-setup.ts'
import { resolveQuotaConfig, type QuotaProfileInput } from '../quota/index.ts'
import { allJavaScript, clientRetryLayer, resolveClient } from './client/index.ts'
import { shardHostsProblem } from './shard-hosts.ts'
import {
  DEFAULT_DRAIN_MS,
  directKms,
  Engine,
  type Progress,
  type RealTimeOptions,
  parseReplayTable,
  ReplayTableError,
  type ReplayRow,
  compileShape,
  type Schedule,
  parseRateTrace,
  CallerCache,
  compileWorkload,
  payloadOf,
  planFixtures,
  scenarioPrincipals,
  type FixtureNeed,
  type FixtureStore,
  type HostState,
} from './engine/index.ts'
import {
  parseDuration,
  type Effect,
  createLatencyModel,
  describeKeyStoreTerm,
  type ClientRetryConfig,
  type ClientRetrySetting,
  type Host,
  type Mitigation,
  type MitigationContext,
  type MitigationRun,
  type ResolvedKey,
  type SetupKms,
  scenarioSeconds,
  type LatencySetting,
  type Scenario,
  type VariantSpec,
} from './scenario/index.ts'
import {
  cloudWatchView,
  DEFAULT_USAGE_ALARM,
  GroupTally,
  initHistograms,
  VariantRecorder,
  SCHEMA_VERSION,
  type RunSummary,
  type VariantSummary,
  atFullSize,
  buildVariantSummary,
} from './results/index.ts'
import { describeFault } from '../faults/index.ts'
import type { Emulator } from '../emulator.ts'
import { LiveSeconds, type LiveSink } from './live-seconds.ts'
import { deriveSeed, randomFor } from '../random.ts'
import { embeddedTarget, type Target, type TargetSession } from './targets/index.ts'
import { at } from '../util/index.ts'

/** Host index → the principal of its fleet group, if the group names one. */
function hostGroups(s: Scenario): (h: number) => string | undefined {
  const ranges: [number, number, string | undefined][] = []
  let first = 0
  for (const g of s.fleet.groups ?? []) {
    ranges.push([first, first + g.hosts, g.principal])
    first += g.hosts
  }
  return (h) => ranges.find(([a, b]) => h >= a && h < b)?.[2]
}

/**
 * The request deadline when neither the scenario nor the CLI gives one: 29 s, the default
 * (and, until 2024, the maximum) integration timeout of Amazon API Gateway REST APIs
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html): a request served
 * behind API Gateway gets a 504 then, whatever the code behind it still waits for. The SDKs
 * themselves set no deadline for a whole call (JS v3 `requestTimeout` 0, botocore's 60 s
 * `read_timeout` is per attempt), which is why a run without one let requests wait forever.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 29_000

/** Where {@link DEFAULT_REQUEST_TIMEOUT_MS} comes from, as the reports say it. */
export const DEFAULT_TIMEOUT_SOURCE =
  'The default, 29 s, is the default integration timeout of Amazon API Gateway REST APIs (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html); set timeout in the scenario, or run --timeout D.'

/** Client retry settings as scenarios and the CLI give them (per SDK; host groups for a mixed fleet). */
export type RetrySetting = ClientRetrySetting

/** Live figures of the running variant. */
export interface RunProgress extends Progress {
  variant: string
  variantIndex: number
  variants: number
  totalSeconds: number
  p99Ms: number
}

/** Options of {@link runScenario}. */
export interface RunOptions {
  /** where calls go. @default embeddedTarget() */
  target?: Target
  /** @default 'virtual' on the embedded target, 'real' otherwise */
  clock?: 'virtual' | 'real'
  /** overrides the scenario's duration (seconds) */
  durationSeconds?: number
  /** overrides the scenario's seed */
  seed?: number
  /** overrides the scenario's default Region */
  region?: string
  /**
   * Replaces the client model's retry layer (a factory over each variant's resolved setting).
   * @default clientRetryLayer: the SDK's retries as the setting says (standard, 3 attempts unless overridden)
   */
  retryLayer?: (setting: RetrySetting) => Mitigation
  /** retry settings for every variant (the CLI's --retry/--max-attempts); else variant > scenario > standard/3 */
  retry?: RetrySetting
  /** multiplies every rate and quota (a scale model). @default 1 */
  scale?: number
  /** this process runs shard `index` of `count`. @default { index: 0, count: 1 } */
  shard?: { index: number; count: number }
  /** only these variants (in the scenario's order) */
  variants?: string[]
  /** overrides the scenario's latency model. @default the scenario's, else 'aws' in virtual time and 'none' in real time */
  latency?: LatencySetting
  /** every request's deadline in ms (`run --timeout`), instead of the scenario's and its request kinds'. @default DEFAULT_REQUEST_TIMEOUT_MS */
  timeoutMs?: number
  /** quota overrides on top of the scenario's and the variant's (pool → requests/s) */
  quotas?: Record<string, number>
  /** quota profile for every variant (a name or a profile object), instead of the scenario's */
  profile?: string | QuotaProfileInput
  /** stops scheduling (SIGINT); the summary is marked incomplete */
  signal?: AbortSignal
  /**
   * real-time engine settings; `drainMs` bounds the wait for requests in flight after the last
   * arrival (@default DEFAULT_DRAIN_MS, 10 s; `run --drain`)
   */
  realTime?: Omit<RealTimeOptions, 'yieldToEventLoop'>
  /** run the local AES-GCM of envelope requests. @default true in real time, false in virtual time */
  localCrypto?: boolean
  /** most fixtures (ciphertexts to decrypt) made per request kind. @default 100000 embedded, 1000 endpoints */
  maxFixtures?: number
  /** called about every 250 ms of wall time */
  onProgress?: (p: RunProgress) => void
  /**
   * The live view (`run --live`): called with each second of each variant's timeline once it is
   * final, in order, with the entry `summary.json`'s timeline will have (see live-seconds.ts).
   */
  onSecond?: LiveSink
  /** `environment` of the summary (the CLI fills in package versions). @default node and platform only */
  environment?: RunSummary['environment']
  /** version of kms-bench. @default '0.0.0' */
  toolVersion?: string
  /** reads a trace CSV file named by a scenario (the CLI passes a file reader). */
  readTraceFile?: (file: string) => string
  /**
   * Real time: called once a variant is set up; resolves to the epoch ms its second 0 starts
   * at. Parallel workers use it to start each variant together. @default the next whole second
   */
  startBarrier?: (variant: string) => Promise<number>
  /**
   * The wall clock: what a real-time run reads and sleeps on, and what paces progress reports.
   * Tests inject a simulated one (e.g. one that stalls mid-run) to check the real-time engine
   * deterministically. @default new SystemClock()
   */
  wallClock?: RealTimeClock
}

/** A run that could not start: bad options or a scenario the target cannot serve. */
export class RunError extends Error {
  override readonly name = 'RunError'
}

/** A run stopped by its signal (SIGINT, SIGTERM) before its first variant ran: nothing to report. */
export class RunInterruptedError extends Error {
  override readonly name = 'RunInterruptedError'
}

/** Runs a scenario and returns its summary. */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunSummary> {
  await initHistograms()
  const target = options.target ?? embeddedTarget()
  const clockKind = options.clock ?? (target.kind === 'embedded' ? 'virtual' : 'real')
  if (clockKind === 'virtual' && target.kind !== 'embedded')
    throw new RunError(`--clock virtual needs --target embedded (a remote endpoint runs in real time)`)
  const durationSeconds = options.durationSeconds ?? scenarioSeconds(scenario)
  if (!(durationSeconds > 0)) throw new RunError(`the duration must be positive, got ${durationSeconds}s`)
  const seed = options.seed ?? scenario.seed
  const region = options.region ?? scenario.region
  const scale = options.scale ?? 1
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RunError(`--scale must be a positive number, got ${scale}`)
  const shard = options.shard ?? { index: 0, count: 1 }
  if (
    !Number.isInteger(shard.count) ||
    shard.count < 1 ||
    !Number.isInteger(shard.index) ||
    shard.index < 0 ||
    shard.index >= shard.count
  ) {
    throw new RunError(`shard must be I/N with 0 <= I < N, got ${shard.index}/${shard.count}`)
  }
  const variants = selectVariants(scenario.variants, options.variants)
  const schedule = scenarioSchedule(scenario, options.readTraceFile)
  const replay = resolveReplayTables(scenario, options.readTraceFile)
  const shape = compileShape(schedule, durationSeconds, parseDuration)
  const wall = options.wallClock ?? new SystemClock()
  // Virtual time without a service-time model makes every latency 0 ms: the 'aws' model is the default there.
  const latencySetting: LatencySetting =
    options.latency ?? (scenario.latency as LatencySetting | undefined) ?? (clockKind === 'virtual' ? 'aws' : 'none')
  const deadline = resolveDeadline(scenario, options.timeoutMs)
  const localCrypto = options.localCrypto ?? clockKind === 'real'
  const maxFixtures = options.maxFixtures ?? (target.kind === 'embedded' ? 100_000 : 1000)
  const startedAt = new Date(clockKind === 'virtual' ? VIRTUAL_EPOCH_MS : wall.now()).toISOString()
  const assumptions = runAssumptions(scenario, { scale, shard, target, localCrypto, variants, options })

  const clientOf = (variant: VariantSpec): RetrySetting =>
    resolveClient({ override: options.retry, variant, scenario, groups: scenario.fleet.groups })
  const hostsProblem = shardHostsProblem(
    scenario.fleet.hosts,
    shard,
    variants.map((variant) => ({ variant, retry: clientOf(variant) })),
  )
  if (hostsProblem !== undefined) throw new RunError(hostsProblem)

  // A quota variant the target cannot apply is refused before any variant runs, not half-way.
  await target.checkQuotaOverrides?.({
    variants: variants.map((v) => ({
      name: v.name,
      quotas: variantQuotas(scenario, v, options),
    })),
    clock: wall,
    region,
    defaultAccount: (scenario.accounts[0] as { id: string }).id,
  })

  const results: VariantSummary[] = []
  let complete = true
  for (const [vi, variant] of variants.entries()) {
    if (options.signal?.aborted === true) {
      complete = false
      break
    }
    const retrySetting = clientOf(variant)
    const retryMitigation = (options.retryLayer ?? clientRetryLayer)(retrySetting)
    const r = await runVariant({
      scenario,
      variant,
      variantIndex: vi,
      variantCount: variants.length,
      target,
      clockKind,
      wall,
      durationSeconds,
      seed,
      region,
      scale,
      shard,
      shape,
      retryMitigation,
      retrySetting,
      latencySetting,
      localCrypto,
      maxFixtures,
      options,
      assumptions,
      replay,
      deadline,
    })
    results.push(r.summary)
    if (r.stopped) {
      complete = false
      break
    }
  }
  if (results.length === 0) throw new RunInterruptedError('the run was interrupted before its first variant started')
  await target.close()
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'kms-bench', version: options.toolVersion ?? '0.0.0' },
    scenario: scenario.name,
    ...(scenario.description !== undefined ? { description: scenario.description } : {}),
    target: target.name,
    clock: clockKind,
    seed,
    durationSeconds,
    region,
    scale,
    schedule: shape.description,
    shards: [{ index: shard.index, count: shard.count }],
    complete,
    startedAt,
    environment: options.environment ?? {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: 0,
      packages: {},
    },
    assumptions: [...assumptions],
    latencyModel: target.kind === 'embedded' ? latencyName(latencySetting) : 'endpoint',
    quotasApplied: target.kind === 'embedded' ? 'embedded' : 'endpoint-admin',
    deadline: {
      ms: deadline.ms,
      ...(deadline.byRequest.some((x) => x !== undefined)
        ? {
            byRequest: Object.fromEntries(
              scenario.requests.flatMap((r, i) => {
                const ms = deadline.byRequest[i]
                return ms !== undefined ? [[`requests[${i}] ${r.kind}`, ms]] : []
              }),
            ),
          }
        : {}),
      source: deadline.source,
    },
    thresholds: [],
    variants: results,
  }
}

/** What every result of the run states before its variants run: scale, shard, what virtual time leaves out, endpoint caveats. */
function runAssumptions(
  scenario: Scenario,
  x: {
    scale: number
    shard: { index: number; count: number }
    target: Target
    localCrypto: boolean
    variants: readonly VariantSpec[]
    options: RunOptions
  },
): Set<string> {
  const { scale, shard, target, localCrypto, variants, options } = x
  const assumptions = new Set<string>(scenario.assumptions)
  if (scale !== 1) {
    assumptions.add(
      target.kind === 'embedded'
        ? `A scale model ran: every rate and every quota was multiplied by ${scale}. Counts, rates, quotas and costs are reported at full size (what ran divided by ${scale}; the figures as run are in each variant's asRun); throttle fractions carry over, latency is as measured.`
        : `A scale model ran: every rate was multiplied by ${scale}; the endpoint enforces its own quotas (scale them alike, e.g. kms-bench serve --quota).`,
    )
  }
  if (shard.count > 1)
    assumptions.add(
      `Shard ${shard.index} of ${shard.count}: this result offers 1/${shard.count} of every rate${target.kind === 'embedded' ? ` against 1/${shard.count} of every quota` : ''}; merge the shards for the whole run.`,
    )
  if (!localCrypto && scenario.requests.some((r) => r.kind === 'envelope-encrypt' || r.kind === 'envelope-decrypt')) {
    assumptions.add(
      'Virtual time: the local AES-GCM of envelope payloads is not executed (KMS calls are; local CPU time is not part of simulated latency).',
    )
  }
  if (target.kind === 'embedded')
    assumptions.add('Keys and ciphertexts the requests consume were made before the run, outside its quota windows.')
  for (const r of scenario.requests)
    if (r.kind === 'envelope-decrypt')
      assumptions.add(
        r.dataKeysInStore === undefined
          ? 'Envelope decrypts: every read decrypts a data key of its own (in envelope encryption each message has its own data key unless the writers cached data keys); set dataKeysInStore when they did.'
          : r.dataKeysInStore === 'per-tenant'
            ? "Envelope decrypts: the store holds one encrypted data key per tenant's encryption context (dataKeysInStore: per-tenant, writers that cached one data key per tenant)."
            : `Envelope decrypts: reads draw uniformly from ${r.dataKeysInStore} distinct encrypted data keys in the store (dataKeysInStore).`,
      )
  if (target.kind !== 'embedded') {
    assumptions.add(
      "Endpoint targets: calls S3 makes on the caller's behalf are sent by the harness with the caller's credentials (kms:ViaService cannot travel over the wire).",
    )
    const overrides =
      scenario.quotas !== undefined ||
      options.quotas !== undefined ||
      variants.some((v) => v.quotas !== undefined || v.mitigations.some((m) => m.quotas !== undefined))
    if (overrides)
      assumptions.add(
        "Quota overrides were applied to the endpoint for the variants that have them (kms-bench serve's PUT /kms-bench/quotas, unscaled: the endpoint's quotas are its own) and its quotas restored after each.",
      )
    if (options.profile !== undefined || variants.some((v) => v.profile !== undefined))
      assumptions.add(
        'Quota profiles apply to the embedded target only: an endpoint enforces its own (kms-bench serve --profile).',
      )
  }
  return assumptions
}

/** The run's request deadlines: `--timeout` for everything, else the scenario's and its request kinds'. */
function resolveDeadline(
  s: Scenario,
  cliMs: number | undefined,
): { ms: number; byRequest: (number | undefined)[]; source: string } {
  const check = (ms: number, what: string): number => {
    if (!(ms > 0) || !Number.isFinite(ms)) throw new RunError(`${what} must be a positive duration, got ${ms} ms`)
    return ms
  }
  if (cliMs !== undefined)
    return {
      ms: check(cliMs, '--timeout'),
      byRequest: s.requests.map(() => undefined),
      source: 'Set with run --timeout for every request.',
    }
  const own = s.timeout !== undefined ? check(parseDuration(s.timeout) * 1000, 'the scenario timeout') : undefined
  return {
    ms: own ?? DEFAULT_REQUEST_TIMEOUT_MS,
    byRequest: s.requests.map((r, i) =>
      'timeout' in r && r.timeout !== undefined
        ? check(parseDuration(r.timeout) * 1000, `requests[${i}].timeout`)
        : undefined,
    ),
    source: own !== undefined ? "The scenario's timeout." : DEFAULT_TIMEOUT_SOURCE,
  }
}

function selectVariants(all: VariantSpec[], wanted: string[] | undefined): VariantSpec[] {
  if (wanted === undefined || wanted.length === 0) return all
  const unknown = wanted.filter((w) => !all.some((v) => v.name === w))
  if (unknown.length > 0)
    throw new RunError(
      `unknown variant ${unknown.map((u) => `'${u}'`).join(', ')} (the scenario has: ${all.map((v) => v.name).join(', ')})`,
    )
  return all.filter((v) => wanted.includes(v.name))
}

/** Reads the calls tables of a scenario's `replay` requests (files through the CLI's reader). */
function resolveReplayTables(
  s: Scenario,
  readFile: ((file: string) => string) | undefined,
): Map<number, readonly ReplayRow[]> {
  const out = new Map<number, readonly ReplayRow[]>()
  for (const [i, r] of s.requests.entries()) {
    if (r.kind !== 'replay') continue
    let text = r.csv
    if (text === undefined) {
      if (readFile === undefined)
        throw new RunError(`the calls table '${r.file}' can only be read by the CLI: pass its text as 'csv'`)
      text = readFile(r.file as string)
    }
    try {
      out.set(i, parseReplayTable(text, r.file ?? `requests[${i}].csv`))
    } catch (e) {
      if (e instanceof ReplayTableError) throw new RunError(e.message)
      throw e
    }
  }
  return out
}

/**
 * The arrival schedule a scenario offers, as plain data ({@link compileShape} compiles it): a
 * trace's rates read from its `csv` or its file (through `readFile`).
 */
export function scenarioSchedule(s: Scenario, readFile: ((file: string) => string) | undefined): Schedule {
  const a = s.arrivals
  if (a.shape !== 'trace') return a as Schedule
  const options = {
    ...(a.column !== undefined ? { column: a.column } : {}),
    ...(a.values !== undefined ? { values: a.values } : {}),
  }
  let rates = a.rates
  let source = a.source
  if (rates === undefined && a.csv !== undefined) rates = parseRateTrace(a.csv, options, source ?? 'trace')
  if (rates === undefined && a.file !== undefined) {
    if (readFile === undefined)
      throw new RunError(
        `the trace file '${a.file}' can only be read by the CLI: pass its text as 'csv' or its rates as 'rates'`,
      )
    rates = parseRateTrace(readFile(a.file), options, a.file)
    source ??= a.file
  }
  return {
    shape: 'trace',
    rates: rates ?? [],
    ...(a.process !== undefined ? { process: a.process } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(a.spread !== undefined ? { spread: a.spread } : {}),
  }
}

interface VariantRunArgs {
  scenario: Scenario
  variant: VariantSpec
  variantIndex: number
  variantCount: number
  target: Target
  clockKind: 'virtual' | 'real'
  wall: RealTimeClock
  durationSeconds: number
  seed: number
  region: string
  scale: number
  shard: { index: number; count: number }
  shape: ReturnType<typeof compileShape>
  retryMitigation: Mitigation | undefined
  retrySetting: RetrySetting
  latencySetting: LatencySetting
  localCrypto: boolean
  maxFixtures: number
  options: RunOptions
  assumptions: Set<string>
  /** calls tables of replay requests, by request index */
  replay: ReadonlyMap<number, readonly ReplayRow[]>
  deadline: ReturnType<typeof resolveDeadline>
}

/** What one variant runs with, before its session opens. */
interface VariantEnv {
  /** the scenario, with the variant's own requests when it has them */
  s: Scenario
  clock: Clock
  recorder: VariantRecorder
  /** epoch ms of the variant's second 0 (real time: set once the session is ready) */
  startMs: number
  embedded: boolean
  quotaScale: number
  quotas: Record<string, number>
  profile: NonNullable<RunOptions['profile']> | Scenario['profile']
}

type StartedMitigation = { mitigation: Mitigation; run: MitigationRun | undefined }

async function runVariant(a: VariantRunArgs): Promise<{ summary: VariantSummary; stopped: boolean }> {
  const env = variantEnv(a)
  const session = await openSession(a, env)
  try {
    const { s } = env
    session.grantPrincipals?.(scenarioPrincipals(s))
    const keys = await createKeys(s, session.setup, a.region, (ms) => new Promise((r) => a.wall.setTimer(ms, r)))
    const mitigations = await startMitigations(a, env, keys, session)
    const fixtures = await makeFixtures(planFixtures(s, a.replay), keys, session.setup, a.maxFixtures, a.assumptions)
    const callers = new CallerCache()
    const workload = compileWorkload(s, {
      keys,
      fixtures,
      callers,
      localCrypto: a.localCrypto,
      replay: a.replay,
      seed: a.seed,
      scale: a.scale,
    })
    for (const k of workload.kinds) for (const x of k.assumptions ?? []) a.assumptions.add(x)
    const fleet = buildFleet(a, env, callers, mitigations)
    const latency = createLatencyModel(
      a.latencySetting,
      (
        (r) => () =>
          r.next()
      )(randomFor(a.seed, 'latency', a.shard.index)),
    )
    await session.beginRun?.()
    // Real time starts on a whole second, so the timeline's seconds are the quota windows
    // (parallel workers agree on the second through the barrier).
    if (a.clockKind === 'real') {
      env.startMs =
        a.options.startBarrier !== undefined
          ? await a.options.startBarrier(a.variant.name)
          : Math.ceil((a.wall.now() + 50) / 1000) * 1000
    }
    const engine = createEngine(a, env, { workload, fleet, session, latency })
    if (a.clockKind === 'virtual' && latency.isZero)
      a.assumptions.add(
        "Latency model 'none': KMS calls took 0 ms of simulated time, so latencies show only retry backoff and waits (the default in virtual time is 'aws').",
      )
    if (!latency.isZero && env.embedded)
      a.assumptions.add(
        `Service time of KMS calls follows the '${latency.name}' latency model (an assumption: AWS publishes no KMS latency figures).`,
      )
    const live =
      a.options.onSecond !== undefined
        ? new LiveSeconds({
            variant: a.variant.name,
            sink: a.options.onSecond,
            recorder: env.recorder,
            settledMs: () => engine.settledMs(),
            durationSeconds: a.durationSeconds,
            startEpochSecond: () => Math.floor(env.startMs / 1000),
            ...(session.emulator !== undefined ? { usage: () => (session.emulator as Emulator).usage() } : {}),
            deferred: env.embedded && a.scale !== 1,
          })
        : undefined
    await driveEngine(a, engine, env.recorder, live)
    const stuck = noteRunEnd(a, engine, latency, session)
    const result = await summarizeVariant(a, env, {
      session,
      keys,
      mitigations,
      workload,
      engine,
      tallies: fleet.tallies,
      stuck,
    })
    live?.finish(result.summary.timeline)
    return result
  } finally {
    env.recorder.destroy()
    await session.close()
  }
}

/** The variant's clock, recorder and quota settings (a mitigation's quotas, the variant's, the run's). */
function variantEnv(a: VariantRunArgs): VariantEnv {
  const { variant: v, shard, options } = a
  // A variant may run requests of its own (a service setting such as an SQS reuse period).
  const s: Scenario = v.requests !== undefined ? { ...a.scenario, requests: v.requests } : a.scenario
  const clock: Clock = a.clockKind === 'virtual' ? new VirtualClock(VIRTUAL_EPOCH_MS) : a.wall
  const embedded = a.target.kind === 'embedded'
  return {
    s,
    clock,
    recorder: new VariantRecorder({ keepSecondHistograms: shard.count > 1 }),
    startMs: clock.now(),
    embedded,
    quotaScale: embedded ? a.scale / shard.count : a.scale,
    quotas: variantQuotas(s, v, options),
    profile: options.profile ?? v.profile ?? s.profile,
  }
}

/**
 * The quota overrides a variant runs under: the scenario's, a quota-increase mitigation's own,
 * the variant's (which win over its mitigation's), then the run's (--quota).
 */
function variantQuotas(s: Scenario, v: VariantSpec, options: RunOptions): Record<string, number> {
  const mitigationQuotas = Object.assign({}, ...v.mitigations.map((m) => m.quotas ?? {})) as Record<string, number>
  return { ...(s.quotas ?? {}), ...mitigationQuotas, ...(v.quotas ?? {}), ...(options.quotas ?? {}) }
}

/** Opens the target session of a variant (its emulator, or its SDK clients), faults included. */
async function openSession(a: VariantRunArgs, env: VariantEnv): Promise<TargetSession> {
  const { variant: v, shard } = a
  const { s, embedded } = env
  // The real JS client retries on endpoints; other SDKs are modelled in-process over one attempt.
  const clientRetry: ClientRetryConfig | undefined =
    a.retrySetting.mode === 'none' || a.retrySetting.mode === 'legacy' || !allJavaScript(a.retrySetting)
      ? { mode: 'standard', maxAttempts: 1 }
      : { mode: a.retrySetting.mode, maxAttempts: a.retrySetting.maxAttempts }
  const faults = v.faults ?? s.faults ?? []
  for (const f of faults)
    a.assumptions.add(
      embedded
        ? `${v.name}: ${describeFault(f)}`
        : `${v.name}: the fault (${f.kind}) was not injected: scenario faults apply to the embedded target; use kms-bench serve --fault for an endpoint.`,
    )
  return a.target.session({
    clock: env.clock,
    ...(a.options.signal !== undefined ? { stop: a.options.signal } : {}),
    profile: env.profile,
    quotas: env.quotas,
    quotaScale: env.quotaScale,
    variant: v.name,
    region: a.region,
    defaultAccount: (s.accounts[0] as { id: string }).id,
    durationSeconds: a.durationSeconds,
    recorder: env.recorder,
    clientRetry,
    startMs: () => env.startMs,
    ...(faults.length > 0 ? { faults, faultSeed: deriveSeed(a.seed, 'faults', v.name, shard.index) } : {}),
  })
}

/** Starts the client retry layer and the variant's mitigations (each with its own random stream), and runs their setup. */
async function startMitigations(
  a: VariantRunArgs,
  env: VariantEnv,
  keys: Map<string, ResolvedKey>,
  session: TargetSession,
): Promise<StartedMitigation[]> {
  const { variant: v, shard } = a
  const { s } = env
  const mitigations: StartedMitigation[] = []
  const all = [...(a.retryMitigation !== undefined ? [a.retryMitigation] : []), ...v.mitigations]
  const ctxFor = (m: Mitigation, i: number): MitigationContext => ({
    clock: env.clock,
    random: randomFor(a.seed, 'mitigation', v.name, i, m.name, shard.index),
    target: a.target.kind,
    variant: v.name,
    hosts: s.fleet.hosts,
    durationSeconds: a.durationSeconds,
    region: a.region,
    accounts: s.accounts.map((x) => x.id),
    keys,
    principals: scenarioPrincipals(s),
    requests: s.requests,
    scale: a.scale,
    localCrypto: a.localCrypto,
  })
  for (const [i, m] of all.entries()) {
    // On endpoints the real SDK client retries; the layer only reports its settings.
    const inProcess = env.embedded || m.clientRetry === undefined
    const run = inProcess ? m.start(ctxFor(m, i)) : undefined
    mitigations.push({ mitigation: m, run })
  }
  for (const m of mitigations) await m.run?.setup?.(session.setup)
  return mitigations
}

/** The hosts this shard reaches (global arrival j = i·N + I goes to host j mod H), wrapped by the mitigations. */
function buildFleet(
  a: VariantRunArgs,
  env: VariantEnv,
  callers: CallerCache,
  mitigations: readonly StartedMitigation[],
): {
  hosts: HostState[]
  background: { host: HostState; gen: Generator<Effect, void, unknown> }[]
  tallies: GroupTally[]
} {
  const { s, clock } = env
  const { shard } = a
  const fleet = s.fleet.hosts
  const principals = scenarioPrincipals(s)
  const hostRegions = s.fleet.regions ?? [a.region]
  const step = gcd(fleet, shard.count)
  const hosts: HostState[] = []
  const background: { host: HostState; gen: Generator<Effect, void, unknown> }[] = []
  const groupOf = hostGroups(s)
  // Results per fleet group (group-results.ts), in fleet order.
  const tallies = (s.fleet.groups ?? []).map((g) => new GroupTally(g.name, g.hosts))
  const tallyOf = (h: number): GroupTally | undefined => {
    let first = 0
    for (const [i, g] of (s.fleet.groups ?? []).entries()) {
      if (h < first + g.hosts) return tallies[i]
      first += g.hosts
    }
    return undefined
  }
  for (let h = shard.index % step; h < fleet; h += step) {
    const groupPrincipal = groupOf(h)
    const principalIndex = groupPrincipal !== undefined ? principals.indexOf(groupPrincipal) : h % principals.length
    const principal = at(principals, principalIndex)
    const hostRegion = at(hostRegions, h % hostRegions.length)
    const caller: CallerInput = callers.get(principal, hostRegion)
    const host: HostState = {
      index: h,
      id: `host-${h}`,
      caller,
      account: caller.account as string,
      region: hostRegion,
      principal,
      random: randomFor(a.seed, 'host', h),
      now: () => clock.now(),
      kms: directKms,
      direct: true,
      principalIndex,
    }
    const tally = tallyOf(h)
    if (tally !== undefined) host.group = tally
    for (const m of mitigations) if (m.run !== undefined) host.kms = m.run.wrap(host.kms, host as Host)
    host.direct = host.kms === directKms
    for (const m of mitigations) {
      const gen = m.run?.background?.(host)
      if (gen !== undefined) background.push({ host, gen })
    }
    hosts[h] = host
  }
  return { hosts, background, tallies }
}

/** The engine of a variant: its arrivals (this shard's part), hosts, latency model and deadlines. */
function createEngine(
  a: VariantRunArgs,
  env: VariantEnv,
  x: {
    workload: ReturnType<typeof compileWorkload>
    fleet: ReturnType<typeof buildFleet>
    session: TargetSession
    latency: ReturnType<typeof createLatencyModel>
  },
): Engine {
  const { variant: v, shard, options } = a
  const { workload, session } = x
  return new Engine({
    clock: env.clock,
    startMs: env.startMs,
    arrivals: workload.arrivals({
      shape: a.shape,
      durationMs: a.durationSeconds * 1000,
      factor: a.scale / shard.count,
      phase: shard.index / shard.count,
      random: randomFor(a.seed, 'arrivals', shard.index),
    }),
    workload,
    hosts: x.fleet.hosts,
    fleetSize: env.s.fleet.hosts,
    recorder: env.recorder,
    random: randomFor(a.seed, 'requests', shard.index),
    stride: shard.count,
    offset: shard.index,
    ...(session.emulator !== undefined ? { emulator: session.emulator } : {}),
    ...(session.asyncKms !== undefined ? { asyncKms: session.asyncKms } : {}),
    latency: x.latency,
    background: x.fleet.background,
    deadlines: {
      defaultMs: a.deadline.ms,
      byKind: new Map(
        workload.kinds.flatMap((k, i) => {
          const ms = (v.requests !== undefined ? resolveDeadline(env.s, options.timeoutMs) : a.deadline).byRequest[i]
          return ms !== undefined ? [[k, ms] as const] : []
        }),
      ),
    },
  })
}

/** Runs the engine to the end (virtual or real time), reporting progress about every 250 ms of wall time. */
async function driveEngine(
  a: VariantRunArgs,
  engine: Engine,
  recorder: VariantRecorder,
  live: LiveSeconds | undefined,
): Promise<void> {
  const { options } = a
  const report = (): void => {
    live?.poll()
    options.onProgress?.({
      ...engine.progress(),
      variant: a.variant.name,
      variantIndex: a.variantIndex,
      variants: a.variantCount,
      totalSeconds: a.durationSeconds,
      p99Ms: recorder.liveP99Ms(),
    })
  }
  const shouldStop = (): boolean => options.signal?.aborted === true
  if (a.clockKind === 'virtual') {
    let lastReport = a.wall.now()
    await engine.runVirtual(async () => {
      live?.poll()
      await a.wall.yieldToEventLoop()
      if (a.wall.now() - lastReport >= 250) {
        lastReport = a.wall.now()
        report()
      }
    }, shouldStop)
  } else {
    let timer = a.wall.setTimer(250, function tick() {
      report()
      timer = a.wall.setTimer(250, tick)
    })
    try {
      await engine.runRealTime({ ...options.realTime, yieldToEventLoop: () => a.wall.yieldToEventLoop() }, shouldStop)
    } finally {
      timer.cancel()
    }
  }
  report()
}

/**
 * The assumptions the end of a run states: requests left in flight, key-store latency, request
 * code that threw. Returns how many requests were left in flight.
 */
function noteRunEnd(
  a: VariantRunArgs,
  engine: Engine,
  latency: ReturnType<typeof createLatencyModel>,
  session: TargetSession,
): number {
  const v = a.variant
  const stuck = engine.abandonInFlight()
  if (stuck > 0) a.assumptions.add(abandonedNote(v.name, stuck, engine.abandonCause, a.clockKind, a.options))
  const keyStoreTerm = describeKeyStoreTerm(a.latencySetting)
  if (latency.usesKeyStores === true && keyStoreTerm !== undefined && session.emulator?.core.store.hasCustomKeyStores())
    a.assumptions.add(
      `Calls on keys in custom key stores also wait for their HSM or XKS proxy, per round trip: ${keyStoreTerm} (the latency model's customKeyStore term; an assumption: AWS publishes no such figure and documents only a 250 ms XKS proxy timeout). The HSM and the external key manager are kms-bench's own key material.`,
    )
  if (engine.firstError !== undefined)
    a.assumptions.add(`${v.name}: request code threw (counted as failed requests): ${engine.firstError}`)
  return stuck
}

/** The variant's summary: usage, the mitigations' findings, billed keys, at full size for a scale model. */
async function summarizeVariant(
  a: VariantRunArgs,
  env: VariantEnv,
  x: {
    session: TargetSession
    keys: Map<string, ResolvedKey>
    mitigations: readonly StartedMitigation[]
    workload: ReturnType<typeof compileWorkload>
    engine: Engine
    tallies: GroupTally[]
    /** requests left in flight at the end (the endpoint may not answer the usage query either) */
    stuck: number
  },
): Promise<{ summary: VariantSummary; stopped: boolean }> {
  const { variant: v, options } = a
  const { s, embedded, quotaScale } = env
  const { session, keys, mitigations, engine } = x
  const usage = await session.usage(x.stuck > 0 ? { unresponsive: true } : undefined)
  // The limits without this variant's overrides: what a Service Quotas request starts from.
  const baseQuotas = embedded
    ? resolveQuotaConfig({
        profile: env.profile,
        quotas: { ...(s.quotas ?? {}), ...(options.quotas ?? {}) },
        quotaScale,
      })
    : undefined
  for (const m of mitigations)
    m.run?.finish?.({ usage, defaultLimit: (region, pool) => baseQuotas?.limit(region, pool), quotaScale })
  const billedKeys = billedKeysOf(s, keys, session, mitigations, embedded)
  // The client retry layer's own retries (in process: every SDK on the embedded target, and
  // the modelled non-JavaScript SDKs on endpoints too; the real JS client's are in sdkRetries).
  const layerRetries = mitigations.reduce(
    (acc, m) =>
      acc +
      (m.mitigation === a.retryMitigation || m.mitigation.clientRetry !== undefined
        ? (m.run?.stats?.().retries ?? 0)
        : 0),
    0,
  )
  const scaledQuotas: Record<string, number> = {}
  // Endpoints: the overrides as applied (unscaled: --scale scales only the offered rates there).
  for (const [pool, limit] of Object.entries(env.quotas)) scaledQuotas[pool] = limit * (embedded ? quotaScale : 1)
  const summary = buildVariantSummary({
    name: v.name,
    ...(v.description !== undefined ? { description: v.description } : {}),
    recorder: env.recorder,
    durationSeconds: a.durationSeconds,
    mitigations,
    quotaOverrides: scaledQuotas,
    usage,
    startEpochSecond: Math.floor(env.startMs / 1000),
    keys: billedKeys,
    layerRetries,
    maxPayloadBytes: x.workload.maxPayloadBytes,
    ...(engine.stoppedAtMs !== undefined ? { ranSeconds: engine.stoppedAtMs / 1000 } : {}),
    ...(x.tallies.length > 0 ? { groups: x.tallies } : {}),
  })
  // A scale model on the embedded target reports at full size (its quotas were scaled too);
  // against an endpoint only the offered rates were scaled, so its figures stay as run.
  const reported = embedded ? atFullSize(summary, a.scale, a.durationSeconds) : summary
  return {
    summary: { ...reported, cloudwatch: cloudWatchView(reported, s.alarm ?? DEFAULT_USAGE_ALARM) },
    stopped: engine.stopped,
  }
}

/**
 * Keys a run bills: the target's customer managed keys, with the rotations the scenario says
 * they have had (a fresh emulator's keys have none of their own yet); on endpoints, also the
 * keys the mitigations made.
 */
function billedKeysOf(
  s: Scenario,
  keys: Map<string, ResolvedKey>,
  session: TargetSession,
  mitigations: readonly StartedMitigation[],
  embedded: boolean,
): { rotations: number }[] {
  const declared = new Map(s.keys.map((k) => [keys.get(k.name)?.arn, k.rotations]))
  const billed: { rotations: number }[] = embedded
    ? billableFromEmulator(session).map((k) => ({ rotations: k.rotations + (declared.get(k.arn) ?? 0) }))
    : [...keys.values()].filter((k) => k.manager === 'CUSTOMER').map((k) => ({ rotations: declared.get(k.arn) ?? 0 }))
  if (!embedded)
    for (const m of mitigations) for (let i = m.run?.billedKeys?.() ?? 0; i > 0; i--) billed.push({ rotations: 0 })
  return billed
}

/** The assumption a run states when requests were still in flight at its end (issue 18.11). */
function abandonedNote(
  variant: string,
  n: number,
  cause: 'DrainAbort' | 'Interrupted',
  clockKind: 'virtual' | 'real',
  options: RunOptions,
): string {
  const what = `${variant}: ${n} request${n === 1 ? ' was' : 's were'} still in flight`
  const counted = `aborted and counted as timed out (errors: ${cause}), with the time they had waited as their latency (a lower bound of what they would have taken)`
  if (cause === 'Interrupted') return `${what} when the run was interrupted; they were ${counted}.`
  if (clockKind === 'virtual')
    return `${what} one simulated hour after the last arrival (a flight that never settled); they were ${counted}.`
  const drain = (options.realTime?.drainMs ?? DEFAULT_DRAIN_MS) / 1000
  return `${what} at the end of the drain (${drain} s after the last arrival${options.realTime?.drainMs === undefined ? ', the default' : ''}; run --drain D); they were ${counted}.`
}

/** CreateKey in a custom key store of `type`; an external key gets an XksKeyId not yet in use. */
async function createStoreKey(
  setup: SetupKms,
  caller: CallerInput,
  type: CustomKeyStoreType,
  xksName: string,
  input: { KeySpec: KeySpec; KeyUsage: KeyUsageType; Description: string; Policy?: string },
  store: (type: CustomKeyStoreType) => Promise<string>,
) {
  const CustomKeyStoreId = await store(type)
  if (type === 'AWS_CLOUDHSM') return setup.call('CreateKey', { ...input, CustomKeyStoreId, Origin: type }, caller)
  // A long-lived endpoint may hold the external key of an earlier run (XksKeyAlreadyInUseException).
  for (let n = 1; ; n++) {
    const XksKeyId = n === 1 ? xksName : `${xksName}-${n}`
    try {
      return await setup.call('CreateKey', { ...input, CustomKeyStoreId, Origin: type, XksKeyId }, caller)
    } catch (e) {
      const code = (e as { code?: string; name?: string }).code ?? (e as { name?: string }).name
      if (code !== 'XksKeyAlreadyInUseException' || n >= 100) throw e
    }
  }
}

function latencyName(l: LatencySetting): string {
  return typeof l === 'string' ? l : 'custom'
}

function billableFromEmulator(session: TargetSession): { arn: string; rotations: number }[] {
  const core = session.emulator?.core
  return core === undefined ? [] : billableKeys(core).map((k) => ({ arn: k.arn, rotations: k.rotations }))
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/** Creates the scenario's keys (and aliases) through the setup path. */
async function createKeys(
  s: Scenario,
  setup: SetupKms,
  region: string,
  sleep: (ms: number) => Promise<void>,
): Promise<Map<string, ResolvedKey>> {
  const keys = new Map<string, ResolvedKey>()
  const stores = new Map<string, Promise<string>>()
  for (const k of s.keys) {
    const account = k.account ?? (s.accounts[0] as { id: string }).id
    const keyRegion = k.region ?? region
    const caller: CallerInput = { account, region: keyRegion }
    if (k.manager === 'aws') {
      const alias = `alias/aws/${k.service}`
      const out = await setup.call('DescribeKey', { KeyId: alias }, caller)
      const md = out.KeyMetadata
      keys.set(k.name, {
        name: k.name,
        keyId: md?.KeyId ?? '',
        arn: md?.Arn ?? '',
        account,
        region: keyRegion,
        keySpec: 'SYMMETRIC_DEFAULT',
        alias,
        manager: 'AWS',
      })
      continue
    }
    const usage =
      k.usage ??
      (k.spec.startsWith('HMAC')
        ? 'GENERATE_VERIFY_MAC'
        : k.spec === 'SYMMETRIC_DEFAULT'
          ? 'ENCRYPT_DECRYPT'
          : 'SIGN_VERIFY')
    // With several accounts, the key policy lets every declared account use the key (its IAM
    // policies then decide), as a cross-account key policy does.
    const policy =
      s.accounts.length > 1
        ? JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'KmsBenchAccounts',
                Effect: 'Allow',
                Principal: { AWS: s.accounts.map((x) => `arn:aws:iam::${x.id}:root`) },
                Action: 'kms:*',
                Resource: '*',
              },
            ],
          })
        : undefined
    const input = {
      KeySpec: k.spec,
      KeyUsage: usage,
      Description: `kms-bench ${s.name}: ${k.name}`,
      ...(k.multiRegion ? { MultiRegion: true } : {}),
      ...(policy !== undefined ? { Policy: policy } : {}),
    }
    const out =
      k.customKeyStore === undefined
        ? await setup.call('CreateKey', input, caller)
        : await createStoreKey(setup, caller, k.customKeyStore, `${s.name}-${k.name}`, input, (type) => {
            const at = `${account}/${keyRegion}/${type}`
            let id = stores.get(at)
            if (id === undefined) stores.set(at, (id = ensureCustomKeyStore({ setup, sleep }, caller, type)))
            return id
          })
    const md = out.KeyMetadata
    if (md?.KeyId === undefined || md.Arn === undefined)
      throw new RunError(`CreateKey for key '${k.name}' returned no key`)
    if (k.alias !== undefined) {
      // A long-lived endpoint may have the alias from an earlier run or variant: move it.
      await setup
        .call('CreateAlias', { AliasName: k.alias, TargetKeyId: md.KeyId }, caller)
        .catch(async (e: unknown) => {
          if ((e as { code?: string }).code !== 'AlreadyExistsException') throw e
          await setup.call('UpdateAlias', { AliasName: k.alias as string, TargetKeyId: md.KeyId as string }, caller)
        })
    }
    keys.set(k.name, {
      name: k.name,
      keyId: md.KeyId,
      arn: md.Arn,
      account: md.Arn.split(':')[4] ?? account,
      region: keyRegion,
      keySpec: k.spec,
      ...(k.alias !== undefined ? { alias: k.alias } : {}),
      manager: 'CUSTOMER',
    })
  }
  return keys
}

/** Makes the fixtures requests consume (ciphertexts, data keys, MACs, signatures). */
async function makeFixtures(
  needs: FixtureNeed[],
  keys: Map<string, ResolvedKey>,
  setup: SetupKms,
  max: number,
  assumptions: Set<string>,
): Promise<FixtureStore> {
  const made = new Map<string, Uint8Array[]>()
  for (const need of needs) {
    const key = keys.get(need.key)
    if (key === undefined) continue
    const n = Math.min(need.count, max)
    if (n < need.count)
      assumptions.add(
        `Only ${n} of ${need.count} distinct ciphertexts were made for ${need.key}: tenant or object i beyond uses ciphertext i mod ${n}, under that ciphertext's own encryption context.`,
      )
    const caller: CallerInput = { account: key.account, region: key.region }
    const list: Uint8Array[] = []
    for (let i = 0; i < n; i++) {
      const ctx = need.contextOf(i)
      const ec = ctx !== undefined ? { EncryptionContext: ctx } : {}
      let blob: Uint8Array | undefined
      if (need.kind === 'ciphertext')
        blob = (await setup.call('Encrypt', { KeyId: key.arn, Plaintext: payloadOf(need.payloadBytes), ...ec }, caller))
          .CiphertextBlob
      else if (need.kind === 'data-key')
        blob = (
          await setup.call('GenerateDataKeyWithoutPlaintext', { KeyId: key.arn, KeySpec: 'AES_256', ...ec }, caller)
        ).CiphertextBlob
      else if (need.kind === 'mac')
        blob = (
          await setup.call(
            'GenerateMac',
            { KeyId: key.arn, Message: payloadOf(need.payloadBytes), MacAlgorithm: 'HMAC_SHA_256' },
            caller,
          )
        ).Mac
      else
        blob = (
          await setup.call(
            'Sign',
            {
              KeyId: key.arn,
              Message: payloadOf(need.payloadBytes),
              MessageType: 'RAW',
              SigningAlgorithm: 'ECDSA_SHA_256',
            },
            caller,
          )
        ).Signature
      if (blob === undefined) throw new RunError(`could not make a ${need.kind} with key '${need.key}'`)
      list.push(blob)
    }
    made.set(need.id, list)
  }
  return {
    get: (id, index) => {
      const list = made.get(id)
      const blob = list?.[index]
      if (blob === undefined) throw new RunError(`fixture ${id}[${index}] was not made`)
      return blob
    },
    count: (id) => made.get(id)?.length ?? 0,
  }
}
