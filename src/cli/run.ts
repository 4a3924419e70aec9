/**
 * `kms-bench run`: runs a scenario file (or one operation at a fixed rate, the ad-hoc form)
 * against the embedded emulator, a KMS endpoint URL or real AWS, and writes the reports
 * (summary.json, report.md, report.html, one .hgrm per variant, timeline.csv) with
 * `writeRunOutputs`. Bad input (a scenario that fails validation, a missing file, an unknown
 * flag, an unreachable endpoint, bad credentials) ends with exit 2 and one clear message.
 * SIGINT stops scheduling, drains in-flight requests, writes everything marked
 * `complete: false`, and exits 130.
 */
import { dirname, resolve } from 'node:path'
import { parentPort, Worker } from 'node:worker_threads'
import { SystemClock } from '../clock.ts'
import { OPERATION_NAMES, type OperationName, estimateCost } from '../kms/index.ts'
import {
  endpointTarget,
  type EndpointCredentials,
  mergeSummaries,
  LatencySpecError,
  parseLatencySpec,
  OP_RECIPES,
  supportedAdHocOperations,
  runScenario,
  type RetrySetting,
  type RunOptions,
  type RunProgress,
  defineScenario,
  scenarioSeconds,
  type LatencySetting,
  type Scenario,
  type RunSummary,
  embeddedTarget,
  SetupError,
  type Target,
  sdkRetry,
  evaluateThresholds,
  isSdkName,
  SDK_NAMES,
  type SdkRetryMode,
  sdkModes,
  type ClientSpec,
  clientSetting,
} from '../load/index.ts'
import { progressFigures, variantConsoleLine } from '../report/console.ts'
import { BUILT_IN_MITIGATIONS } from '../mitigations/index.ts'
import { integerArg, numberArg, parseCommandArgs, regionArg, seedArg } from './args.ts'
import { type CliError, EXIT_GATE_FAILED, EXIT_INTERRUPTED, usageError } from './cli-error.ts'
import { parseDurationArg } from './duration.ts'
import { readJsonFile } from './files.ts'
import type { CliIo, Command, TextSink } from './io.ts'
import { checkOutDir, defaultOutDir, writeRunOutputs } from './output.ts'
import { parseQuotaArgs, QUOTA_ARG_OPTIONS, QUOTA_ARGS_USAGE, type QuotaArgs } from './quota-args.ts'
import { inputError, loadScenario, runEnvironment, toolVersion, traceFileReader } from './scenario-input.ts'
import { parseThresholdArgs, runThresholds, thresholdLines, withRepetitions } from './thresholds.ts'

// Kept importable from here (bench/main.ts uses them).
export { loadScenario, packageVersions } from './scenario-input.ts'

const USAGE = `Usage: kms-bench run SCENARIO [options]
       kms-bench run --op OP --rate RPS --duration D [--quota POOL=RPS]... [options]

Runs a scenario file (scenarios/*.ts: export default defineScenario({...})), or one KMS
operation at a constant rate (the ad-hoc form, which creates the key it needs), and writes
summary.json, report.md, report.html, one <variant>.hgrm per variant, timeline.csv,
bencher.json, github-action-benchmark.json and junit.xml. With $GITHUB_STEP_SUMMARY set,
report.md is appended to it. Exits 1 when a threshold fails, 130 when interrupted (the
partial results are written, marked incomplete).

Options:
  --variant NAME        run only this variant (repeatable; default: all)
  --target T            embedded (default), an endpoint URL (kms-bench serve, moto, LocalStack),
                        or aws (real AWS; needs --yes-real-aws)
  --clock virtual|real  virtual: deterministic simulated time (default for embedded);
                        real: wall-clock time (the only choice for endpoints)
  --duration D          30s, 5m, 1h or seconds (overrides the scenario's)
  --seed N              random seed, a 32-bit integer (overrides the scenario's)
  --region R            default Region (overrides the scenario's)
  --retry MODE          SDK retries for every variant: none, standard or adaptive
                        (legacy too with --sdk boto3 or java-v2)
                        (default: each variant's own setting, else standard)
  --sdk NAME            the SDK client of every host: js-v3, boto3, java-v2 or go-v2, in its
                        default mode (boto3 and java-v2: legacy) unless --retry names one
  --max-attempts N      SDK maxAttempts, first attempt included (default 3); without --retry,
                        each variant keeps its own retry mode (and retries off stay off)
  --scale F             multiply every rate and quota by F (a scale model)
  --shard I/N|auto      run shard I of N, numbered 1..N (1/N of every rate, own seed stream);
                        auto: a Kubernetes Indexed Job's JOB_COMPLETION_INDEX/COUNT; merge
                        with \`kms-bench merge\`
  --latency none|aws|FILE  service-time model of the embedded target (default: the scenario's, else none)
  --timeout D           every request's deadline (e.g. 10s, 500ms): a request not done by then stops
                        (retries and waits end) and counts as timed out (default: the scenario's
                        timeout, else 29 s, the default integration timeout of API Gateway)
  --max-in-flight N     real time: requests in flight at most; later ones are dropped (default 4096)
  --workers N           real time: send from N worker threads (each 1/N of every rate, merged
                        exactly) when one core cannot keep the schedule (default 1)
  --threshold EXPR      a gate: METRIC OP NUMBER on every variant, or on one with a prefix, e.g.
                        'throttleRate < 0.001', 'cached: latencyMs.p99 <= 50' (repeatable; added to
                        the scenario's; exit 1 when one fails)
  --runs N              real time: repeat the run N times; summary.json keeps every run's figures
                        (runs) for the statistical test of \`kms-bench compare\` (default 1)
  --out DIR             output directory (default reports/<scenario>/<timestamp>/)
  --quiet               print nothing but failed thresholds (stderr); without a terminal
                        (or with CI=true) the progress line is one line per variant start
  --yes-real-aws        allow --target aws (real requests, real cost)
Ad-hoc form:
  --op OP               operation: ${supportedAdHocOperations().join(', ')}
  --rate RPS            requests per second (constant)
  --payload-bytes N     plaintext/message size (default 32)
  --hosts N             application hosts, each with its own client (default 1)
${QUOTA_ARGS_USAGE}
  -h, --help            show this help
`

const OPTIONS = {
  variant: { type: 'string', multiple: true },
  target: { type: 'string' },
  clock: { type: 'string' },
  duration: { type: 'string' },
  seed: { type: 'string' },
  region: { type: 'string' },
  retry: { type: 'string' },
  sdk: { type: 'string' },
  'max-attempts': { type: 'string' },
  scale: { type: 'string' },
  shard: { type: 'string' },
  latency: { type: 'string' },
  'max-in-flight': { type: 'string' },
  timeout: { type: 'string' },
  threshold: { type: 'string', multiple: true },
  runs: { type: 'string' },
  workers: { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  'yes-real-aws': { type: 'boolean' },
  op: { type: 'string' },
  rate: { type: 'string' },
  'payload-bytes': { type: 'string' },
  hosts: { type: 'string' },
  ...QUOTA_ARG_OPTIONS,
} as const

/** The ad-hoc scenario of `--op OP --rate RPS`. */
function adHocScenario(
  op: string,
  rate: number,
  durationSeconds: number,
  region: string | undefined,
  payloadBytes: number,
  hosts: number,
): Scenario {
  if (!(OPERATION_NAMES as readonly string[]).includes(op))
    throw usageError(`--op '${op}' is not a KMS operation`, `supported: ${supportedAdHocOperations().join(', ')}`)
  const recipe = OP_RECIPES[op as OperationName]
  if (recipe === undefined)
    throw usageError(
      `--op ${op} is not supported by the ad-hoc form`,
      `supported: ${supportedAdHocOperations().join(', ')}; write a scenario for other operations`,
    )
  const need = recipe.key ?? { spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT' }
  const scenario = () =>
    defineScenario(
      {
        name: `adhoc-${op}`,
        description: `${op} at a constant ${rate}/s`,
        ...(region !== undefined ? { region } : {}),
        duration: durationSeconds,
        keys: [{ name: 'adhoc', spec: need.spec, usage: need.usage }],
        fleet: { hosts },
        arrivals: { shape: 'constant', rate },
        requests: [
          {
            kind: 'op',
            operation: op as OperationName,
            ...(recipe.key !== undefined ? { key: 'adhoc' } : {}),
            payloadBytes,
          },
        ],
      },
      { source: `the ad-hoc run (--op ${op})` },
    )
  try {
    return scenario()
  } catch (e) {
    throw inputError(e) ?? e
  }
}

/**
 * `--max-attempts N` without `--retry`: every variant keeps its own retry mode (a scenario that
 * compares standard with adaptive retries still does) and gets N attempts; variants with
 * retries off stay off.
 */
function withMaxAttempts(scenario: Scenario, maxAttempts: number): Scenario {
  const set = <T extends { retry?: RetrySetting | undefined; client?: ClientSpec | undefined }>(
    x: T,
    fallback?: RetrySetting,
  ): T => {
    if (x.client !== undefined) return x.client.mode === 'none' ? x : { ...x, client: { ...x.client, maxAttempts } }
    const retry = x.retry ?? fallback
    return retry === undefined || retry.mode === 'none' ? x : { ...x, retry: { ...retry, maxAttempts } }
  }
  return { ...set(scenario, { mode: 'standard', maxAttempts }), variants: scenario.variants.map((v) => set(v)) }
}

/** Parses `I/N`. */
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

function parseTarget(text: string | undefined): { kind: 'embedded' | 'aws' | 'url'; url?: string } {
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
  return { kind: 'url', url: url.href.replace(/\/$/, '') }
}

async function parseLatency(text: string | undefined, cwd: string): Promise<LatencySetting | undefined> {
  if (text === undefined) return undefined
  if (text === 'none' || text === 'aws') return text
  const json = await readJsonFile(resolve(cwd, text), {
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

/**
 * Progress on stderr. `line`: the live line, redrawn (a terminal). `start`: one plain line when
 * each variant starts running (logs, CI=true), so a log shows the run is under way. `off`: --quiet.
 */
function progressPrinter(
  sink: TextSink,
  mode: 'line' | 'start' | 'off',
): { update(p: RunProgress): void; clear(): void } {
  let shown = false
  let started = -1
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
  return {
    update(p) {
      if (mode === 'off') return
      const variant = p.variants > 1 ? `[${p.variantIndex + 1}/${p.variants} ${p.variant}] ` : `[${p.variant}] `
      if (mode === 'start') {
        if (p.variantIndex !== started) sink.write(`${variant}running (${p.totalSeconds}s)\n`)
        started = p.variantIndex
        return
      }
      const line = `${variant}${p.elapsedSeconds.toFixed(1)}s/${p.totalSeconds}s  offered ${fmt(p.offered)}  achieved ${fmt(p.achieved)}  ${progressFigures(p)}`
      sink.write(`\r\u001b[2K${line}`)
      shown = true
    },
    clear() {
      if (shown) sink.write('\r\u001b[2K')
      shown = false
    },
  }
}

/** Requests and cost a run would make on real AWS, printed before it starts. */
function projection(
  scenario: Scenario,
  seconds: number,
  scale: number,
  variants: number,
): { requests: number; text: string } {
  const a = scenario.arrivals
  let rate: number
  switch (a.shape) {
    case 'constant':
    case 'poisson':
      rate = a.rate
      break
    case 'ramp':
      rate = Math.max(a.from, a.to)
      break
    case 'steps':
      rate = Math.max(...a.steps.map((s) => s.rate))
      break
    case 'spike':
      rate = Math.max(a.base, a.peak)
      break
    case 'sine':
      rate = a.mean + a.amplitude
      break
    case 'trace':
      rate = a.rates !== undefined ? Math.max(...a.rates) : Number.NaN
  }
  // At most the peak rate for the whole run, one KMS call per request, plus up to 2 retries each.
  const requests = Math.ceil(rate * scale * seconds * variants)
  const cost = estimateCost({
    symmetricRequests: requests * 3,
    keys: scenario.keys.map(() => ({ rotations: 0 })),
    periodSeconds: seconds,
    freeTier: false,
  })
  const text = Number.isFinite(requests)
    ? `real AWS: this run would send up to ${requests.toLocaleString('en-US')} application requests (${variants} variant(s), ${seconds}s), at most ${(requests * 3).toLocaleString('en-US')} KMS calls with retries, costing up to $${cost.total.toFixed(2)} (requests $${cost.requests.toFixed(2)}, keys $${cost.keys.toFixed(2)}); ${scenario.keys.length} key(s) would be created and scheduled for deletion (7-day waiting period) afterwards.`
    : `real AWS: the run replays a trace; its peak rate is unknown until the trace is read.`
  return { requests, text }
}

/** Maps a failure to start or finish a run to a CliError when it is bad input. */
function runFailure(e: unknown, target: string): CliError | undefined {
  const input = inputError(e)
  if (input !== undefined) return input
  if (e instanceof SetupError) {
    const network =
      /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|TimeoutError)$/.test(e.code) ||
      /ECONNREFUSED|getaddrinfo|socket hang up/.test(e.message)
    if (network)
      return usageError(
        `cannot reach the KMS endpoint ${target}: ${e.code}`,
        'is the server running? start one with `kms-bench serve`',
      )
    const auth =
      /^(UnrecognizedClientException|InvalidSignatureException|IncompleteSignatureException|SignatureDoesNotMatch|InvalidClientTokenId|ExpiredTokenException|AccessDeniedException|CredentialsProviderError|MissingAuthenticationToken)$/.test(
        e.code,
      )
    if (auth)
      return usageError(
        `the KMS endpoint ${target} rejected the credentials: ${e.code}: ${e.message.replace(/^.*?: .*?: /, '')}`,
        'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
      )
    return usageError(`${target}: ${e.message}`)
  }
  return undefined
}

/** Checks that real AWS credentials resolve before anything is sent. */
async function checkAwsCredentials(region: string): Promise<void> {
  const { KMSClient } = await import('@aws-sdk/client-kms')
  const client = new KMSClient({ region })
  try {
    await client.config.credentials()
  } catch (e) {
    throw usageError(
      `no usable AWS credentials: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      'configure the default credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, ...)',
    )
  } finally {
    client.destroy()
  }
}

/** A run as plain data: what a worker thread needs to run its part. */
interface RunPlan {
  scenarioPath?: string
  adHoc?: {
    op: string
    rate: number
    durationSeconds: number
    region: string | undefined
    payloadBytes: number
    hosts: number
  }
  target: { kind: 'embedded' | 'aws' | 'url'; url?: string; credentials?: EndpointCredentials }
  clock?: 'virtual' | 'real'
  durationSeconds?: number
  seed?: number
  region?: string
  retry?: RetrySetting
  /** --max-attempts without --retry: applied to the scenario's own retry settings */
  maxAttempts?: number
  scale?: number
  shard?: { index: number; count: number }
  variants?: string[]
  latency?: LatencySetting
  profile?: QuotaArgs['profile']
  quotas?: Record<string, number>
  maxInFlight?: number
  /** --timeout, ms */
  timeoutMs?: number
  environment: RunSummary['environment']
  toolVersion: string
  /** directory trace files are relative to */
  baseDir: string
}

/** The scenario a plan runs, with `maxAttempts` applied (in the main thread and in every worker). */
async function planScenario(plan: RunPlan, cwd: string): Promise<Scenario> {
  const a = plan.adHoc
  const scenario =
    a !== undefined
      ? adHocScenario(a.op, a.rate, a.durationSeconds, a.region, a.payloadBytes, a.hosts)
      : (await loadScenario(plan.scenarioPath as string, cwd, BUILT_IN_MITIGATIONS)).scenario
  return plan.maxAttempts !== undefined ? withMaxAttempts(scenario, plan.maxAttempts) : scenario
}

function planTarget(plan: RunPlan): Target {
  if (plan.target.kind === 'aws') return endpointTarget({})
  if (plan.target.kind === 'url')
    return endpointTarget({
      url: plan.target.url as string,
      ...(plan.target.credentials !== undefined ? { credentials: plan.target.credentials } : {}),
    })
  return embeddedTarget()
}

function planOptions(
  plan: RunPlan,
  target: Target,
  signal: AbortSignal,
  onProgress: (p: RunProgress) => void,
): RunOptions {
  return {
    target,
    ...(plan.clock !== undefined ? { clock: plan.clock } : {}),
    ...(plan.durationSeconds !== undefined ? { durationSeconds: plan.durationSeconds } : {}),
    ...(plan.seed !== undefined ? { seed: plan.seed } : {}),
    ...(plan.region !== undefined ? { region: plan.region } : {}),
    retryLayer: (s) => sdkRetry(s),
    ...(plan.retry !== undefined ? { retry: plan.retry } : {}),
    ...(plan.scale !== undefined ? { scale: plan.scale } : {}),
    ...(plan.shard !== undefined ? { shard: plan.shard } : {}),
    ...(plan.variants !== undefined ? { variants: plan.variants } : {}),
    ...(plan.latency !== undefined ? { latency: plan.latency } : {}),
    ...(plan.profile !== undefined ? { profile: plan.profile } : {}),
    ...(plan.quotas !== undefined ? { quotas: plan.quotas } : {}),
    ...(plan.maxInFlight !== undefined ? { realTime: { maxInFlight: plan.maxInFlight } } : {}),
    ...(plan.timeoutMs !== undefined ? { timeoutMs: plan.timeoutMs } : {}),
    signal,
    onProgress,
    toolVersion: plan.toolVersion,
    environment: plan.environment,
    readTraceFile: traceFileReader(plan.baseDir),
  }
}

/** What a worker thread is given. */
interface WorkerPayload {
  plan: RunPlan
  /** the worker's part: shard `index` of `count` */
  index: number
  count: number
  cwd: string
}

type WorkerMessage =
  | { type: 'ready'; variant: string }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'done'; summary: RunSummary }
  | { type: 'error'; message: string; hint?: string; usage: boolean }

/**
 * Runs inside a worker thread (started through `load/worker-entry.mjs`): one part of the
 * arrivals, against its own clients, starting each variant when the main thread says so.
 */
export async function runWorker(payload: WorkerPayload): Promise<void> {
  const port = parentPort
  if (port === null) throw new Error('runWorker runs in a worker thread')
  const post = (m: WorkerMessage): void => port.postMessage(m)
  const controller = new AbortController()
  const starts = new Map<string, (startMs: number) => void>()
  port.on('message', (m: { type: string; variant?: string; startMs?: number }) => {
    if (m.type === 'stop') controller.abort(new Error('stopped by the main thread'))
    else if (m.type === 'go') starts.get(m.variant as string)?.(m.startMs as number)
  })
  const target = planTarget(payload.plan)
  try {
    const scenario = await planScenario(payload.plan, payload.cwd)
    const options = planOptions(payload.plan, target, controller.signal, (progress) =>
      post({ type: 'progress', progress }),
    )
    const summary = await runScenario(scenario, {
      ...options,
      shard: { index: payload.index, count: payload.count },
      startBarrier: (variant) =>
        new Promise<number>((resolveStart) => {
          starts.set(variant, resolveStart)
          post({ type: 'ready', variant })
        }),
    })
    post({ type: 'done', summary })
  } catch (e) {
    const err = runFailure(e, target.name)
    post({
      type: 'error',
      message: err?.message ?? (e instanceof Error ? (e.stack ?? e.message) : String(e)),
      ...(err?.hint !== undefined ? { hint: err.hint } : {}),
      usage: err !== undefined,
    })
  } finally {
    await target.close().catch(() => undefined)
    port.close()
  }
}

/**
 * Runs a plan in `workers` threads, each offering 1/workers of every rate (the shard
 * arithmetic: disjoint arrival subsets whose union is the whole schedule), all starting each
 * variant on the same second, and merges their results exactly.
 */
async function runInWorkers(
  plan: RunPlan,
  workers: number,
  io: CliIo,
  onProgress: (p: RunProgress) => void,
): Promise<RunSummary> {
  const shard = plan.shard ?? { index: 0, count: 1 }
  const wall = new SystemClock()
  const threads: Worker[] = []
  const results: (RunSummary | undefined)[] = new Array<RunSummary | undefined>(workers).fill(undefined)
  const progress: (RunProgress | undefined)[] = new Array<RunProgress | undefined>(workers).fill(undefined)
  const ready = new Map<string, number>()
  const entry = new URL('../load/worker-entry.mjs', import.meta.url)
  const stopAll = (): void => {
    for (const t of threads) t.postMessage({ type: 'stop' })
  }
  io.signal.addEventListener('abort', stopAll, { once: true })
  try {
    await new Promise<void>((resolveAll, rejectAll) => {
      let pending = workers
      let failed = false
      const fail = (e: Error): void => {
        if (failed) return
        failed = true
        stopAll()
        rejectAll(e)
      }
      for (let w = 0; w < workers; w++) {
        const payload: WorkerPayload = {
          plan,
          index: shard.index * workers + w,
          count: shard.count * workers,
          cwd: io.cwd,
        }
        const t = new Worker(entry, { workerData: { module: import.meta.url, export: 'runWorker', payload } })
        threads.push(t)
        t.on('message', (m: WorkerMessage) => {
          if (m.type === 'ready') {
            const n = (ready.get(m.variant) ?? 0) + 1
            ready.set(m.variant, n)
            if (n === workers) {
              const startMs = Math.ceil((wall.now() + 200) / 1000) * 1000
              for (const x of threads) x.postMessage({ type: 'go', variant: m.variant, startMs })
            }
          } else if (m.type === 'progress') {
            progress[w] = m.progress
            const all = progress.filter((p): p is RunProgress => p !== undefined)
            const first = all[0]
            if (first !== undefined) {
              onProgress({
                ...first,
                offered: all.reduce((a, p) => a + p.offered, 0),
                achieved: all.reduce((a, p) => a + p.achieved, 0),
                throttled: all.reduce((a, p) => a + p.throttled, 0),
                completed: all.reduce((a, p) => a + p.completed, 0),
                p99Ms: Math.max(...all.map((p) => p.p99Ms)),
              })
            }
          } else if (m.type === 'done') {
            results[w] = m.summary
            if (--pending === 0) resolveAll()
          } else {
            fail(m.usage ? usageError(m.message, m.hint) : new Error(`worker ${w}: ${m.message}`))
          }
        })
        t.on('error', (e) => fail(e))
        t.on('exit', (code) => {
          if (results[w] === undefined && code !== 0) fail(new Error(`worker ${w} exited with code ${code}`))
        })
      }
    })
  } finally {
    io.signal.removeEventListener('abort', stopAll)
    await Promise.all(threads.map((t) => t.terminate()))
  }
  const merged = await mergeSummaries(results as RunSummary[])
  const assumptions = merged.assumptions.filter((a) => !a.startsWith('Shards ran against one shared endpoint'))
  assumptions.push(
    `Ran in ${workers} worker threads, each offering 1/${workers} of every rate${plan.target.kind === 'embedded' ? ` against its own emulator with 1/${workers} of every quota` : ''}; their results were merged exactly.`,
  )
  if (shard.count > 1)
    assumptions.push(
      `Shard ${shard.index} of ${shard.count}: this result offers 1/${shard.count} of every rate; merge the shards for the whole run.`,
    )
  return {
    ...merged,
    shards: [{ index: shard.index, count: shard.count }],
    assumptions,
    // Per-second histograms are kept only where a later merge needs them.
    variants:
      shard.count > 1
        ? merged.variants
        : merged.variants.map((v) => ({ ...v, timeline: v.timeline.map(({ histogram: _h, ...e }) => e) })),
  }
}

/**
 * The most workers (≤ `wanted`) whose shards each get whole hosts: with `count` outer shards,
 * `count × w` must divide the fleet (shard arithmetic: global arrival j goes to host j mod H).
 */
export function usableWorkers(wanted: number, hosts: number, count: number): number {
  for (let w = wanted; w > 1; w--) if (hosts % (count * w) === 0) return w
  return 1
}

/** The `run` command. */
export const runCommand: Command = {
  name: 'run',
  summary: 'run a scenario (or one operation at a fixed rate) and write reports',
  usage: USAGE,
  options: OPTIONS,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseCommandArgs('run', argv, OPTIONS)
    const v = parsed.values
    const positionals = parsed.positionals
    const adHoc = v.op !== undefined
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

    const target = parseTarget(v.target)
    const clock = v.clock
    if (clock !== undefined && clock !== 'virtual' && clock !== 'real')
      throw usageError(`--clock must be virtual or real, got '${clock}'`)
    if (clock === 'virtual' && target.kind !== 'embedded')
      throw usageError('--clock virtual needs --target embedded: endpoints run in real time')
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
    const workers = integerArg('--workers', v.workers, 1, 64) ?? 1
    const realClock = clock === 'real' || (clock === undefined && target.kind !== 'embedded')
    if (workers > 1 && !realClock)
      throw usageError(
        '--workers needs real time (--clock real, or an endpoint target): a virtual run is one deterministic event loop',
      )
    const runs = integerArg('--runs', v.runs, 1, 1000) ?? 1
    if (runs > 1 && !realClock)
      throw usageError(
        '--runs needs real time (--clock real, or an endpoint target): virtual runs are deterministic, every repetition would be the same',
      )
    const cliThresholds = parseThresholdArgs(v.threshold)
    const duration = v.duration !== undefined ? parseDurationArg('--duration', v.duration) : undefined
    const timeout = v.timeout !== undefined ? parseDurationArg('--timeout', v.timeout) : undefined
    const quotaArgs = await parseQuotaArgs({ profile: v.profile, quota: v.quota }, io.cwd)
    const latency = await parseLatency(v.latency, io.cwd)

    let scenario: Scenario
    let scenarioPath: string | undefined
    let adHocPlan: RunPlan['adHoc']
    if (adHoc) {
      const rate = numberArg('--rate', v.rate, (n) => n > 0, 'a number of requests per second greater than 0')
      if (rate === undefined) throw usageError('--op needs --rate RPS')
      if (duration === undefined) throw usageError('--op needs --duration D (e.g. 30s)')
      const payload = integerArg('--payload-bytes', v['payload-bytes'], 1, 4096) ?? 32
      const hosts = integerArg('--hosts', v.hosts, 1, 100_000) ?? 1
      adHocPlan = { op: v.op as string, rate, durationSeconds: duration, region, payloadBytes: payload, hosts }
      scenario = adHocScenario(adHocPlan.op, rate, duration, region, payload, hosts)
    } else {
      const loaded = await loadScenario(positionals[0] as string, io.cwd, BUILT_IN_MITIGATIONS)
      scenario = loaded.scenario
      scenarioPath = loaded.path
    }
    // --retry replaces every variant's retry setting; --max-attempts alone changes only the attempts.
    // --sdk replaces every host's client (groups included), in its default mode unless --retry names one.
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
    if (attemptsOnly !== undefined) scenario = withMaxAttempts(scenario, attemptsOnly)
    const seconds = duration ?? scenarioSeconds(scenario)
    const thresholds = runThresholds(scenario, cliThresholds, v.variant ?? scenario.variants.map((x) => x.name))
    // Checked before the run, so a long run never ends unable to write its reports.
    const outDir = v.out ?? defaultOutDir(scenario.name)
    await checkOutDir(outDir, io.cwd)

    const env = io.env
    let credentials: EndpointCredentials | undefined
    if (target.kind === 'aws') {
      const variantCount = v.variant?.length ?? scenario.variants.length
      const p = projection(scenario, seconds, scale ?? 1, variantCount)
      io.stdout.write(`${p.text}\n`)
      if (v['yes-real-aws'] !== true)
        throw usageError('--target aws sends real requests to AWS and costs money: add --yes-real-aws to go ahead')
      await checkAwsCredentials(region ?? scenario.region)
    } else if (target.kind === 'url') {
      const key = env['AWS_ACCESS_KEY_ID']
      const secret = env['AWS_SECRET_ACCESS_KEY']
      const token = env['AWS_SESSION_TOKEN']
      if (key !== undefined && secret !== undefined)
        credentials = {
          accessKeyId: key,
          secretAccessKey: secret,
          ...(token !== undefined ? { sessionToken: token } : {}),
        }
    }
    const plan: RunPlan = {
      ...(scenarioPath !== undefined ? { scenarioPath } : {}),
      ...(adHocPlan !== undefined ? { adHoc: adHocPlan } : {}),
      target: {
        kind: target.kind,
        ...(target.url !== undefined ? { url: target.url } : {}),
        ...(credentials !== undefined ? { credentials } : {}),
      },
      ...(clock !== undefined ? { clock } : {}),
      ...(duration !== undefined ? { durationSeconds: duration } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(retry !== undefined ? { retry } : {}),
      ...(attemptsOnly !== undefined ? { maxAttempts: attemptsOnly } : {}),
      ...(scale !== undefined ? { scale } : {}),
      ...(shard !== undefined ? { shard } : {}),
      ...(v.variant !== undefined ? { variants: v.variant } : {}),
      ...(latency !== undefined ? { latency } : {}),
      ...(v.profile !== undefined ? { profile: quotaArgs.profile } : {}),
      ...(Object.keys(quotaArgs.quotas).length > 0 ? { quotas: { ...quotaArgs.quotas } } : {}),
      ...(maxInFlight !== undefined ? { maxInFlight } : {}),
      ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
      environment: runEnvironment(),
      toolVersion: toolVersion(),
      baseDir: scenarioPath !== undefined ? dirname(scenarioPath) : io.cwd,
    }

    const quiet = v.quiet === true || env['CI'] === 'true' || io.stderr.isTTY !== true
    const progress = progressPrinter(io.stderr, !quiet ? 'line' : v.quiet === true ? 'off' : 'start')
    // Hosts are split across workers, never shared: a host is one SDK client with one retry
    // quota (and one limiter), and two workers sending for the same host would double them.
    const usable = usableWorkers(workers, scenario.fleet.hosts, shard?.count ?? 1)
    const workerNote =
      usable < workers
        ? `--workers ${workers} ran as ${usable} worker${usable === 1 ? '' : 's'}: hosts are split across workers (each host keeps one SDK client and one retry quota), so the worker count must divide the ${scenario.fleet.hosts} host${scenario.fleet.hosts === 1 ? '' : 's'} of the fleet${(shard?.count ?? 1) > 1 ? ` shard` : ''}.`
        : undefined
    if (workerNote !== undefined && v.quiet !== true) io.stderr.write(`note: ${workerNote}\n`)
    const runOnce = async (): Promise<RunSummary> => {
      if (usable > 1) {
        try {
          const merged = await runInWorkers(plan, usable, io, (p) => progress.update(p))
          return workerNote !== undefined ? { ...merged, assumptions: [...merged.assumptions, workerNote] } : merged
        } finally {
          progress.clear()
        }
      }
      const runTarget = planTarget(plan)
      try {
        const ran = await runScenario(
          scenario,
          planOptions(plan, runTarget, io.signal, (p) => progress.update(p)),
        )
        const one = workerNote !== undefined ? { ...ran, assumptions: [...ran.assumptions, workerNote] } : ran
        progress.clear()
        return one
      } catch (e) {
        progress.clear()
        const err = runFailure(e, runTarget.name)
        await runTarget.close().catch(() => undefined)
        if (err !== undefined) throw err
        throw e
      }
    }
    const results: RunSummary[] = []
    for (let r = 0; r < runs; r++) {
      if (r > 0 && io.signal.aborted) break
      if (runs > 1 && v.quiet !== true) io.stderr.write(`run ${r + 1} of ${runs}\n`)
      results.push(await runOnce())
    }
    let summary: RunSummary = runs > 1 ? withRepetitions(results) : (results[0] as RunSummary)
    const ran = summary.variants.map((x) => x.name)
    summary = {
      ...summary,
      thresholds: evaluateThresholds(
        summary,
        thresholds.filter((t) => t.variant === undefined || ran.includes(t.variant)),
      ),
    }

    const written = await writeRunOutputs(summary, outDir, { env, cwd: io.cwd })
    const interrupted = io.signal.aborted || !summary.complete
    if (v.quiet !== true) {
      for (const variant of summary.variants) {
        io.stdout.write(`${variantConsoleLine(variant)}\n`)
      }
      io.stdout.write(
        `${interrupted ? 'interrupted: partial results' : 'reports'} in ${resolve(io.cwd, outDir)} (${written.length} files)\n`,
      )
    }
    const gateFailed = summary.thresholds.some((t) => !t.passed)
    const gateLines = thresholdLines(summary.thresholds)
    if (v.quiet !== true) for (const l of gateLines) io.stdout.write(`${l}\n`)
    else if (gateFailed) for (const l of gateLines) io.stderr.write(`${l}\n`)
    return interrupted ? EXIT_INTERRUPTED : gateFailed ? EXIT_GATE_FAILED : 0
  },
}
