/**
 * Runs a scenario on worker threads (`runParallel`), each thread with its own target, clients
 * and emulator:
 * - real time: every thread sends 1/N of every rate (shard arithmetic: disjoint arrival
 *   subsets whose union is the whole schedule; hosts are split, never shared), all threads
 *   start each variant on the same second (the start barrier), and their results are merged
 *   exactly (HDR `add()`);
 * - virtual time: variants are independent simulations, so the threads take whole variants
 *   from a queue; the summary is the one a sequential run writes, byte for byte.
 * A worker gets plain data only (threads share no functions): the scenario as a file or a
 * plain input, the mitigation table as a module's named export, the target as a
 * {@link TargetSpec}. `worker-entry.mjs` beside this file boots each thread.
 */
import { availableParallelism } from 'node:os'
import { dirname, extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parentPort, Worker } from 'node:worker_threads'
import { type RealTimeClock, SystemClock } from '../clock.ts'
import { QuotaConfigError } from '../quota/index.ts'
import { sdkRetry } from './client/index.ts'
import { RateTraceError, ScheduleError } from './engine/index.ts'
import { mergeSummaries, type RunSummary } from './results/index.ts'
import { RunError, RunInterruptedError, type RunOptions, type RunProgress, runScenario } from './runner.ts'
import {
  defineScenario,
  LatencySpecError,
  loadScenarioFile,
  NO_MITIGATIONS,
  type MitigationTable,
  type Scenario,
  ScenarioError,
  ScenarioFileError,
  type ScenarioInput,
  traceFileReader,
  withMaxAttempts,
} from './scenario/index.ts'
import { embeddedTarget, type EndpointCredentials, endpointTarget, SetupError, type Target } from './targets/index.ts'
import { type BundleParts, buildWorkerBundle, type WorkerBundle } from './worker-bundle.ts'

/** A module's named export, which a worker thread imports itself (`module` is a URL). */
export interface ModuleExport {
  /** the module's URL (`new URL('./x.ts', import.meta.url).href`) */
  readonly module: string
  /** the export's name */
  readonly export: string
}

/** The scenario a worker thread loads: a scenario file, or a plain scenario input. */
export type ScenarioSource =
  | {
      /** a scenario file (its default export), relative to `cwd` */
      readonly file: string
      /** @default process.cwd() */
      readonly cwd?: string
    }
  | {
      /** the input of `defineScenario`, as plain data */
      readonly input: ScenarioInput
      /** what validation messages name it. @default 'the scenario' */
      readonly source?: string
    }

/** Where a worker's calls go, as data: the embedded emulator, an endpoint URL, or real AWS. */
export type TargetSpec =
  | { readonly kind: 'embedded' }
  | { readonly kind: 'aws' }
  | { readonly kind: 'url'; readonly url: string; readonly credentials?: EndpointCredentials }

/** The options of {@link runScenario} a worker can be given: plain data only. */
export type WorkerRunOptions = Omit<
  RunOptions,
  'target' | 'signal' | 'onProgress' | 'onSecond' | 'readTraceFile' | 'startBarrier' | 'wallClock' | 'retryLayer'
>

/** A run as plain data: what every worker thread is given. */
export interface ParallelRun {
  readonly scenario: ScenarioSource
  /** the table the scenario's mitigation names resolve through. @default no mitigations */
  readonly mitigations?: ModuleExport
  /** `run --max-attempts N` without `--retry`: {@link withMaxAttempts}. @default none */
  readonly maxAttempts?: number
  /** @default { kind: 'embedded' } */
  readonly target?: TargetSpec
  /** @default {} */
  readonly options?: WorkerRunOptions
  /** the directory trace files are relative to. @default the scenario file's, else process.cwd() */
  readonly baseDir?: string
}

/** Options of {@link runParallel}. */
export interface ParallelOptions {
  /**
   * Worker threads. Real time: each sends 1/N of every rate (use {@link usableWorkers}: hosts
   * are split, so N must divide the fleet). Virtual time: at most one per variant.
   * @default availableParallelism()
   */
  workers?: number
  /** stops every thread (SIGINT); the summary is marked incomplete */
  signal?: AbortSignal
  /** live figures: real time, summed over the threads; virtual time, the variant last reported */
  onProgress?: (p: RunProgress) => void
  /** what the start barrier reads. @default new SystemClock() */
  wallClock?: RealTimeClock
  /**
   * Virtual time: the calling thread runs variants too, as one of the `workers` (it has the
   * engine loaded already, so one thread fewer starts: a thread takes about a second of a core
   * to start). Its event loop gets a turn every 65,536 simulated events, so the threads' messages
   * wait that long at most. @default false
   */
  inline?: boolean
}

/** What a worker thread is given. */
interface WorkerPayload {
  run: ParallelRun
  mode: 'shard' | 'variants'
  /** shard mode: the worker's part, shard `index` of `count` */
  index: number
  count: number
}

/** An error as it crosses threads. */
interface WireError {
  name: string
  message: string
  stack?: string
  code?: string
  hint?: string
}

type WorkerMessage =
  | { type: 'ready'; variant: string }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'done'; summary: RunSummary }
  | { type: 'error'; error: WireError }

type MainMessage =
  | { type: 'stop' }
  | { type: 'go'; variant: string; startMs: number }
  | { type: 'variant'; name: string }
  | { type: 'end' }

/**
 * The most workers (≤ `wanted`) whose shards each get whole hosts: with `count` outer shards,
 * `count × w` must divide the fleet (shard arithmetic: global arrival j goes to host j mod H).
 */
export function usableWorkers(wanted: number, hosts: number, count: number): number {
  for (let w = wanted; w > 1; w--) if (hosts % (count * w) === 0) return w
  return 1
}

/** The target a spec names. */
export function targetOf(spec: TargetSpec | undefined): Target {
  if (spec === undefined || spec.kind === 'embedded') return embeddedTarget()
  if (spec.kind === 'aws') return endpointTarget({})
  return endpointTarget({ url: spec.url, ...(spec.credentials !== undefined ? { credentials: spec.credentials } : {}) })
}

/** The modules of a run a worker thread's bundle has imported already (see worker-bundle.ts). */
export interface PreloadedModules {
  /** the scenario file's module */
  readonly scenario?: { default?: unknown }
  /** the mitigation table's module */
  readonly mitigations?: Record<string, unknown>
}

/**
 * Loads the scenario of a run (in the main thread and in every worker), with `maxAttempts`
 * applied; `preloaded` modules are used as they are instead of being imported.
 */
export async function loadRunScenario(run: ParallelRun, preloaded: PreloadedModules = {}): Promise<Scenario> {
  const mitigations = await mitigationsOf(run.mitigations, preloaded.mitigations)
  const src = run.scenario
  const scenario =
    'file' in src
      ? (await loadScenarioFile(src.file, src.cwd ?? process.cwd(), mitigations, preloaded.scenario)).scenario
      : defineScenario(src.input, { source: src.source ?? 'the scenario', mitigations })
  return run.maxAttempts !== undefined ? withMaxAttempts(scenario, run.maxAttempts) : scenario
}

async function mitigationsOf(
  ref: ModuleExport | undefined,
  preloaded: Record<string, unknown> | undefined,
): Promise<MitigationTable> {
  if (ref === undefined) return NO_MITIGATIONS
  const mod = preloaded ?? ((await import(ref.module)) as Record<string, unknown>)
  const table = mod[ref.export]
  if (table === null || typeof table !== 'object')
    throw new RunError(`the mitigation table ${ref.export} of ${ref.module} is not an object`)
  return table as MitigationTable
}

/** The modules a virtual-time worker thread imports, as file URLs (see worker-bundle.ts). */
function bundlePartsOf(run: ParallelRun): BundleParts {
  const src = run.scenario
  const ext = extname(new URL(import.meta.url).pathname)
  return {
    parallel: import.meta.url,
    index: new URL(`../index${ext}`, import.meta.url).href,
    ...('file' in src ? { scenario: pathToFileURL(resolve(src.cwd ?? process.cwd(), src.file)).href } : {}),
    ...(run.mitigations !== undefined ? { mitigations: run.mitigations.module } : {}),
  }
}

/** The directory a run's trace files are relative to. */
function baseDirOf(run: ParallelRun): string {
  if (run.baseDir !== undefined) return run.baseDir
  const src = run.scenario
  if ('file' in src) return dirname(src.file.startsWith('/') ? src.file : `${src.cwd ?? process.cwd()}/${src.file}`)
  return process.cwd()
}

/** True when the run is in virtual time (the default on the embedded target). */
function isVirtual(run: ParallelRun): boolean {
  const embedded = run.target === undefined || run.target.kind === 'embedded'
  return (run.options?.clock ?? (embedded ? 'virtual' : 'real')) === 'virtual'
}

/**
 * Runs a scenario on worker threads (see the file's comment) and returns the summary a
 * single-threaded {@link runScenario} would, merged exactly. Bad input is thrown as the
 * load engine's own errors (`ScenarioError`, `RunError`, `SetupError`, ...).
 */
export async function runParallel(run: ParallelRun, options: ParallelOptions = {}): Promise<RunSummary> {
  const workers = options.workers ?? availableParallelism()
  if (!Number.isInteger(workers) || workers < 1) throw new RunError(`workers must be an integer >= 1, got ${workers}`)
  return isVirtual(run) ? runVariantsInWorkers(run, workers, options) : runShardsInWorkers(run, workers, options)
}

/**
 * Starts one worker thread and routes its messages; `fail` gets an error or an early exit.
 * With a `bundle`, the thread imports it alone, without module hooks (worker-bundle.ts).
 */
function startWorker(
  payload: WorkerPayload,
  onMessage: (m: WorkerMessage) => void,
  fail: (e: Error) => void,
  finished: () => boolean,
  bundle?: WorkerBundle,
): Worker {
  const entry = new URL('./worker-entry.mjs', import.meta.url)
  const module = bundle?.module ?? import.meta.url
  const t = new Worker(entry, {
    workerData: { module, export: bundle?.export ?? 'runWorker', bundled: bundle !== undefined, payload },
  })
  t.on('message', (m: WorkerMessage) => {
    if (m.type === 'error') fail(reviveError(m.error))
    else onMessage(m)
  })
  t.on('error', (e) => fail(e))
  t.on('exit', (code) => {
    if (!finished() && code !== 0) fail(new Error(`a worker thread exited with code ${code}`))
  })
  return t
}

/** Real time: `workers` threads, each 1/workers of every rate, starting each variant together. */
async function runShardsInWorkers(run: ParallelRun, workers: number, options: ParallelOptions): Promise<RunSummary> {
  const shard = run.options?.shard ?? { index: 0, count: 1 }
  const wall = options.wallClock ?? new SystemClock()
  const threads: Worker[] = []
  const results: (RunSummary | undefined)[] = new Array<RunSummary | undefined>(workers).fill(undefined)
  const progress: (RunProgress | undefined)[] = new Array<RunProgress | undefined>(workers).fill(undefined)
  const ready = new Map<string, number>()
  const stopAll = (): void => {
    for (const t of threads) t.postMessage({ type: 'stop' } satisfies MainMessage)
  }
  options.signal?.addEventListener('abort', stopAll, { once: true })
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
          run,
          mode: 'shard',
          index: shard.index * workers + w,
          count: shard.count * workers,
        }
        const onMessage = (m: WorkerMessage): void => {
          if (m.type === 'ready') {
            const n = (ready.get(m.variant) ?? 0) + 1
            ready.set(m.variant, n)
            if (n === workers) {
              const startMs = Math.ceil((wall.now() + 200) / 1000) * 1000
              for (const x of threads) x.postMessage({ type: 'go', variant: m.variant, startMs } satisfies MainMessage)
            }
          } else if (m.type === 'progress') {
            progress[w] = m.progress
            const summed = sumProgress(progress)
            if (summed !== undefined) options.onProgress?.(summed)
          } else if (m.type === 'done') {
            results[w] = m.summary
            if (--pending === 0) resolveAll()
          }
        }
        threads.push(startWorker(payload, onMessage, fail, () => results[w] !== undefined))
      }
    })
  } finally {
    options.signal?.removeEventListener('abort', stopAll)
    await Promise.all(threads.map((t) => t.terminate()))
  }
  const merged = await mergeSummaries(results as RunSummary[])
  const embedded = run.target === undefined || run.target.kind === 'embedded'
  const assumptions = merged.assumptions.filter((a) => !a.startsWith('Shards ran against one shared endpoint'))
  assumptions.push(
    `Ran in ${workers} worker threads, each offering 1/${workers} of every rate${embedded ? ` against its own emulator with 1/${workers} of every quota` : ''}; their results were merged exactly.`,
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

/** The threads' live figures summed (the first one's variant and time). */
function sumProgress(progress: readonly (RunProgress | undefined)[]): RunProgress | undefined {
  const all = progress.filter((p): p is RunProgress => p !== undefined)
  const first = all[0]
  if (first === undefined) return undefined
  return {
    ...first,
    offered: all.reduce((a, p) => a + p.offered, 0),
    achieved: all.reduce((a, p) => a + p.achieved, 0),
    throttled: all.reduce((a, p) => a + p.throttled, 0),
    completed: all.reduce((a, p) => a + p.completed, 0),
    p99Ms: Math.max(...all.map((p) => p.p99Ms)),
  }
}

/**
 * Virtual time: the variants (the run's selection, in the scenario's order) are handed out to
 * `workers` threads one at a time, each run alone (`variants: [name]`), and assembled in order
 * into the sequential run's summary (see {@link assembleVariants}).
 */
async function runVariantsInWorkers(run: ParallelRun, workers: number, options: ParallelOptions): Promise<RunSummary> {
  const scenario = await loadRunScenario(run)
  const wanted = run.options?.variants
  const names = scenario.variants
    .map((v) => v.name)
    .filter((n) => wanted === undefined || wanted.length === 0 || wanted.includes(n))
  const unknown = (wanted ?? []).filter((w) => !scenario.variants.some((v) => v.name === w))
  if (unknown.length > 0 || names.length === 0)
    // The sequential runner words the error.
    return runScenario(scenario, {
      ...run.options,
      target: targetOf(run.target),
      readTraceFile: traceFileReader(baseDirOf(run)),
    })
  const lanes = Math.min(workers, names.length)
  const inline = options.inline === true
  const count = inline ? lanes - 1 : lanes
  const results = new Map<string, RunSummary>()
  const threads: Worker[] = []
  // Built before the calling thread's lane starts: esbuild calls back into this thread's event
  // loop for every module (the plugin), which a running lane gives a turn every 65,536 events only.
  const bundle = count > 0 ? await buildWorkerBundle(bundlePartsOf(run)) : undefined
  let next = 0
  let stopped = false
  // Stops the calling thread's own variant (a stop signal, or a thread's failure).
  const here = new AbortController()
  const stopAll = (): void => {
    stopped = true
    here.abort(new Error('stopped'))
    for (const t of threads) t.postMessage({ type: 'stop' } satisfies MainMessage)
  }
  options.signal?.addEventListener('abort', stopAll, { once: true })
  // A stop during the bundle's build came before the listener.
  if (options.signal?.aborted === true) stopAll()
  let failure: Error | undefined
  let rejectRun: (e: Error) => void = () => undefined
  const fail = (e: Error): void => {
    if (failure !== undefined) return
    failure = e
    stopAll()
    rejectRun(e)
  }
  // The calling thread's lane: the next variant of the queue, one at a time, as a thread's.
  const runHere = async (): Promise<void> => {
    if (!inline) return
    for (let name = names[next]; !stopped && name !== undefined; name = names[next]) {
      next++
      const target = targetOf(run.target)
      try {
        const summary = await runScenario(scenario, {
          ...run.options,
          retryLayer: (s) => sdkRetry(s),
          signal: here.signal,
          onProgress: (p) =>
            options.onProgress?.({ ...p, variantIndex: names.indexOf(name as string), variants: names.length }),
          readTraceFile: traceFileReader(baseDirOf(run)),
          target,
          variants: [name],
        })
        if (failure === undefined) results.set(name, summary)
      } catch (e) {
        // Stopped before its variant started: this lane ran nothing more (as a sequential run's next variant).
        if (!(stopped && interruptedBeforeStart(e))) throw e
        return
      } finally {
        await target.close().catch(() => undefined)
      }
    }
  }
  try {
    const inThreads = new Promise<void>((resolveAll, rejectAll) => {
      rejectRun = rejectAll
      let idle = 0
      if (count === 0) resolveAll()
      const running = new Map<Worker, string>()
      const give = (t: Worker): void => {
        const name = names[next]
        if (stopped || name === undefined) {
          t.postMessage({ type: 'end' } satisfies MainMessage)
          if (++idle === count) resolveAll()
          return
        }
        next++
        running.set(t, name)
        t.postMessage({ type: 'variant', name } satisfies MainMessage)
      }
      const startOne = (): void => {
        const payload: WorkerPayload = { run, mode: 'variants', index: 0, count: 1 }
        let t: Worker | undefined
        const onMessage = (m: WorkerMessage): void => {
          const worker = t as Worker
          const name = running.get(worker)
          if (m.type === 'progress' && name !== undefined) {
            options.onProgress?.({ ...m.progress, variantIndex: names.indexOf(name), variants: names.length })
          } else if (m.type === 'done' && name !== undefined) {
            results.set(name, m.summary)
            running.delete(worker)
          } else if (m.type === 'ready') {
            give(worker)
          }
        }
        // A thread stopped before its variant started has ended its lane; any other error fails the run.
        const failThread = (e: Error): void => {
          if (stopped && interruptedBeforeStart(e)) {
            if (running.has(t as Worker)) running.delete(t as Worker)
            if (++idle === count) resolveAll()
          } else fail(e)
        }
        t = startWorker(payload, onMessage, failThread, () => failure !== undefined || idle === count, bundle)
        threads.push(t)
      }
      for (let w = 0; w < count; w++) startOne()
    })
    // Both lanes end before the run does (a failure stops the other at its next turn).
    await Promise.allSettled([
      inThreads,
      runHere().catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e)))),
    ])
    if (failure !== undefined) throw failure
  } finally {
    options.signal?.removeEventListener('abort', stopAll)
    await Promise.all(threads.map((t) => t.terminate()))
    bundle?.remove()
  }
  // In order, up to the first variant without a result (stopped before it ran), as a sequential run stops.
  const ran: RunSummary[] = []
  for (const n of names) {
    const r = results.get(n)
    if (r === undefined) break
    ran.push(r)
  }
  if (ran.length < names.length && ran.length > 0 && ran[ran.length - 1]?.complete === true) {
    const last = ran[ran.length - 1] as RunSummary
    ran[ran.length - 1] = { ...last, complete: false }
  }
  if (ran.length === 0) throw new RunInterruptedError('the run was interrupted before its first variant started')
  return assembleVariants(ran)
}

/**
 * The summary of a sequential run from its variants' single-variant summaries, in order:
 * they agree on everything but `assumptions`, `complete` and `variants`. A sequential run
 * collects assumptions in one insertion-ordered set (the run's own, then what each variant
 * adds, in variant order); the ordered union of the single-variant lists is that set.
 * A sequential run stops at its first interrupted variant: so does the assembly.
 */
export function assembleVariants(parts: readonly RunSummary[]): RunSummary {
  const first = parts[0]
  if (first === undefined) throw new RunError('no variant ran')
  const assumptions = new Set<string>()
  const variants: RunSummary['variants'] = []
  let complete = true
  for (const p of parts) {
    for (const a of p.assumptions) assumptions.add(a)
    variants.push(...p.variants)
    if (!p.complete) {
      complete = false
      break
    }
  }
  return { ...first, complete, assumptions: [...assumptions], variants }
}

/** A run's error saying it was stopped before its variant started (`RunInterruptedError`, an interrupted setup). */
function interruptedBeforeStart(e: unknown): boolean {
  return (
    e instanceof RunInterruptedError || (e instanceof SetupError && (e as { code?: unknown }).code === 'Interrupted')
  )
}

/** An error as plain data, to cross threads. */
function wireError(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) }
  const code = (e as { code?: unknown }).code
  const hint = (e as { hint?: unknown }).hint
  return {
    name: e.name,
    message: e.message,
    ...(e.stack !== undefined ? { stack: e.stack } : {}),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof hint === 'string' ? { hint } : {}),
  }
}

/** The load engine's errors a caller tells apart (bad input), by name. */
const KNOWN_ERRORS: Readonly<Record<string, { prototype: Error }>> = {
  ScenarioError,
  ScenarioFileError,
  RunError,
  RunInterruptedError,
  ScheduleError,
  RateTraceError,
  LatencySpecError,
  QuotaConfigError,
  SetupError,
}

/**
 * A worker's error in the main thread: the load engine's bad-input errors come back as
 * instances of their own class (message, code and hint kept), so callers map them as they do
 * in-process; anything else is an Error carrying the worker's stack.
 */
function reviveError(w: WireError): Error {
  const known = KNOWN_ERRORS[w.name]
  if (known === undefined) return new Error(`worker thread: ${w.stack ?? w.message}`)
  const e = Object.create(known.prototype) as Error
  const fields: Record<string, unknown> = {
    name: w.name,
    message: w.message,
    stack: w.stack,
    code: w.code,
    hint: w.hint,
  }
  for (const [k, value] of Object.entries(fields))
    if (value !== undefined) Object.defineProperty(e, k, { value, writable: true, configurable: true })
  return e
}

/**
 * Runs inside a worker thread (started through `worker-entry.mjs`). Shard mode: one part of
 * the arrivals, starting each variant when the main thread says so. Variants mode: whole
 * variants, one at a time, as the main thread hands them out.
 */
export async function runWorker(payload: WorkerPayload, preloaded: PreloadedModules = {}): Promise<void> {
  const port = parentPort
  if (port === null) throw new Error('runWorker runs in a worker thread')
  const post = (m: WorkerMessage): void => port.postMessage(m)
  const controller = new AbortController()
  const starts = new Map<string, (startMs: number) => void>()
  const queue: ((m: MainMessage) => void)[] = []
  port.on('message', (m: MainMessage) => {
    if (m.type === 'stop') controller.abort(new Error('stopped by the main thread'))
    else if (m.type === 'go') starts.get(m.variant)?.(m.startMs)
    else queue.shift()?.(m)
  })
  const { run } = payload
  const base: RunOptions = {
    ...run.options,
    retryLayer: (s) => sdkRetry(s),
    signal: controller.signal,
    onProgress: (progress) => post({ type: 'progress', progress }),
    readTraceFile: traceFileReader(baseDirOf(run)),
  }
  let target: Target | undefined
  try {
    const scenario = await loadRunScenario(run, preloaded)
    if (payload.mode === 'shard') {
      target = targetOf(run.target)
      const summary = await runScenario(scenario, {
        ...base,
        target,
        shard: { index: payload.index, count: payload.count },
        startBarrier: (variant) =>
          new Promise<number>((resolveStart) => {
            starts.set(variant, resolveStart)
            post({ type: 'ready', variant })
          }),
      })
      post({ type: 'done', summary })
      return
    }
    for (;;) {
      const m = await new Promise<MainMessage>((resolveNext) => {
        queue.push(resolveNext)
        post({ type: 'ready', variant: '' })
      })
      if (m.type !== 'variant') return
      target = targetOf(run.target)
      post({ type: 'done', summary: await runScenario(scenario, { ...base, target, variants: [m.name] }) })
    }
  } catch (e) {
    post({ type: 'error', error: wireError(e) })
  } finally {
    await target?.close().catch(() => undefined)
    port.close()
  }
}
