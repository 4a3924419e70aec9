/**
 * The load engine: runs the arrivals of one variant against a target, stepping each
 * application request's effect generator.
 *
 * **Virtual time** (embedded target): a synchronous discrete-event loop. Arrivals come
 * lazily from the {@link ArrivalStream} (no event per future arrival); suspended requests
 * (a KMS call with service time, a retry backoff, a single-flight wait) wait in a
 * {@link MinHeap} ordered by (time, insertion), so the run is deterministic. Before each
 * event the shared {@link VirtualClock} is advanced, so the emulator's quota windows see
 * simulated time. A request whose KMS calls take zero service time never touches the heap,
 * and a request that is a single KMS call with no mitigation never creates a generator.
 *
 * **Real time**: open loop with a bounded in-flight limit. Each request is sent at its
 * intended time or as soon after as the process can; latency is measured from the intended
 * time (no coordinated omission), service time from the actual send. A request due while
 * the in-flight limit is reached, or more than `maxLagMs` behind schedule, is dropped and
 * counted, never sent late silently; sends later than `lateMs` are counted as late.
 */
import type { Clock } from '../../clock.ts'
import { THROTTLED, type Emulator } from '../../emulator.ts'
import { MinHeap, type HeapEntry } from '../../heap.ts'
import type { Arrivals } from './arrivals.ts'
import { DeadlineQueue, type DeadlineSlot, NOT_QUEUED } from './deadline-queue.ts'
import { directKms, Flight, isContinuation } from './effects.ts'
import type { Effect, KmsCallSpec, KmsOutcome, WaitEffect, LatencyModel } from '../scenario/index.ts'
import { toMicros, type VariantRecorder } from '../results/index.ts'
import type { Random } from '../../random.ts'
import type { CompiledKind, HostState, Workload } from './workload.ts'

/**
 * Sends KMS calls asynchronously (endpoint targets: one SDK client per host). `signal` aborts
 * the call (its SDK retries included) when the request's deadline passes.
 */
export type AsyncKms = (call: KmsCallSpec, host: HostState, signal?: AbortSignal) => Promise<KmsOutcome>

const MODE_APP = 0
const MODE_CALL = 1
const MODE_BACKGROUND = 2

/** The default request deadline when none is given: no request waits forever. */
export const NO_DEADLINE = Number.POSITIVE_INFINITY

/**
 * One application request (or background process) in flight. Kept small: in virtual time an
 * adaptive limiter's backlog holds tens of thousands for seconds each, long enough to reach the
 * old generation, so every field costs memory in proportion to the backlog (issue 17).
 */
interface Task extends HeapEntry, DeadlineSlot {
  gen: Generator<Effect, unknown, unknown>
  mode: number
  /** ms since the run's start of the intended send (virtual time: also the send) */
  intended: number
  host: HostState
  value: unknown
  /** ms since the run's start after which the request stops and counts as timed out */
  deadline: number
  /** completed (or timed out): later resumptions are ignored */
  done: boolean
  /** waiting for a flight (virtual time) */
  waiting: boolean
  /** the entry's resumption is the deadline: the request times out when it is popped */
  expire: boolean
  /** the AWS error code of the last failed KMS call (named in `errors` when the request fails) */
  lastError: string | undefined
  /** what only a real-time request has; `undefined` in virtual time */
  rt: RealTimeTask | undefined
}

/** A real-time request's own part of its {@link Task}. */
interface RealTimeTask {
  /** ms since the run's start of the actual send */
  readonly sent: number
  /** aborts the request's SDK call */
  abort: AbortController | undefined
  /** its deadline timer */
  timer: { cancel(): void } | undefined
}

/** ms since the run's start of the request's send (in virtual time its intended time). */
function sentOf(task: Task): number {
  return task.rt === undefined ? task.intended : task.rt.sent
}

/** Request deadlines: the default, and per request kind. */
export interface Deadlines {
  /** ms from the intended send time. @default NO_DEADLINE */
  readonly defaultMs: number
  /** kinds with their own deadline */
  readonly byKind?: ReadonlyMap<CompiledKind, number>
}

/** Options of {@link Engine}. */
export interface EngineOptions {
  clock: Clock
  /** epoch ms of the run's second 0 (virtual: the clock's time; real: set when the run starts) */
  startMs: number
  arrivals: Arrivals
  workload: Workload
  /** hosts by global index (a sparse array when sharded) */
  hosts: HostState[]
  fleetSize: number
  recorder: VariantRecorder
  /** random stream of request choices (kind, tenant, object, size) */
  random: Random
  /** arrival i of this stream is global arrival `i * stride + offset` (shards, workers) */
  stride: number
  offset: number
  /** the embedded emulator (synchronous calls) */
  emulator?: Emulator
  /** an async target (endpoints) */
  asyncKms?: AsyncKms
  /** service time of embedded calls. @default none */
  latency?: LatencyModel
  /** background processes to start at second 0 */
  background?: { host: HostState; gen: Generator<Effect, void, unknown> }[]
  /**
   * Request deadlines. A request not done by its deadline stops there: its retries, backoffs
   * and waits end (as an aborted SDK call's do) and it counts as timed out. This also bounds
   * the backlog (and its memory) to the requests of one deadline's worth of arrivals.
   * @default no deadline
   */
  deadlines?: Deadlines
  /**
   * Virtual time: how long (simulated ms) requests may take to finish after the last
   * arrival. A background process (a refill loop) never ends, so a request waiting for a
   * flight that never settles would otherwise keep the run going forever.
   * @default 3600000 (one simulated hour)
   */
  virtualDrainMs?: number
}

/**
 * How long a real-time run waits, after its last arrival, for the requests still in flight:
 * 10 s. Those still in flight then are aborted (their SDK calls through their AbortSignal) and
 * counted as timed out (`errors: DrainAbort`), so a run against a target that stopped answering
 * ends at its duration plus this, whatever the request deadline. `run --drain D` changes it.
 */
export const DEFAULT_DRAIN_MS = 10_000

/** Why requests still in flight at the end of a run were ended: the drain ran out, or the run was stopped. */
export type AbandonCause = 'DrainAbort' | 'Interrupted'

/** Options of a real-time run. */
export interface RealTimeOptions {
  /** requests in flight at most; more are dropped. @default 4096 */
  maxInFlight?: number
  /** a send later than this is counted as late. @default 10 */
  lateMs?: number
  /** a send later than this is dropped. @default 1000 */
  maxLagMs?: number
  /** how long to wait for in-flight requests after the last arrival. @default DEFAULT_DRAIN_MS (10 s) */
  drainMs?: number
  /** yields to the event loop between batches (setImmediate): `SystemClock.yieldToEventLoop` */
  yieldToEventLoop: () => Promise<void>
}

/** Progress of a running variant (for the live line). */
export interface Progress {
  /** seconds of the run covered so far */
  elapsedSeconds: number
  offered: number
  achieved: number
  throttled: number
  completed: number
}

/** One variant's engine. */
export class Engine {
  readonly #o: EngineOptions
  readonly #rec: VariantRecorder
  readonly #heap = new MinHeap<Task>()
  /** entries pushed into #heap so far (orders the deadline queue's entries among them) */
  #pushes = 0
  /**
   * Deadlines of requests waiting for a flight (virtual time), which leave it when done. The
   * requests' `slot` says whether one was queued: one deadline entry per request, whichever
   * flight it waits on.
   */
  readonly #deadlines = new DeadlineQueue<Task>()
  /**
   * The latest deadline of a request that left {@link #deadlines} before it (done): the run's
   * end is as if its entry had stayed queued until then (see #endAsIfQueued).
   */
  #leftDeadline = Number.NEGATIVE_INFINITY
  readonly #emulator: Emulator | undefined
  readonly #latency: LatencyModel | undefined
  /** calls take service time (a latency model, or injected latency faults) */
  readonly #timed: boolean
  #now = 0
  #inFlight = 0
  #stopped = false
  #virtual = true
  readonly #realTimers = new Set<{ cancel(): void }>()
  /**
   * Requests that may outlive the run: in real time every request in flight, in virtual time
   * those waiting for a flight (the others are in the heap, which the loop drains).
   */
  readonly #open = new Set<Task>()
  #hostCursor = -1
  /** arrivals of this stream so far (dispatched or dropped): the last one is global arrival `(n − 1)·stride + offset` */
  #arrivals = 0
  readonly #strideMod: number
  #finished = false
  /** the first error thrown by request code (counted as a failed request) */
  firstError: string | undefined
  readonly #defaultDeadlineMs: number
  readonly #deadlineByKind: ReadonlyMap<CompiledKind, number> | undefined

  constructor(options: EngineOptions) {
    this.#o = options
    this.#rec = options.recorder
    this.#emulator = options.emulator
    this.#latency = options.latency !== undefined && !options.latency.isZero ? options.latency : undefined
    this.#timed = this.#latency !== undefined || options.emulator?.faults?.addsLatency === true
    this.#strideMod = options.stride % options.fleetSize
    this.#defaultDeadlineMs = options.deadlines?.defaultMs ?? NO_DEADLINE
    this.#deadlineByKind = options.deadlines?.byKind
  }

  /** ms from the start after which the request stops. */
  #deadlineOf(kind: CompiledKind, intended: number): number {
    return intended + (this.#deadlineByKind?.get(kind) ?? this.#defaultDeadlineMs)
  }

  /** Whether the run was told to stop (SIGINT) before the arrivals ran out. */
  get stopped(): boolean {
    return this.#stopped
  }

  /** ms of the schedule covered when the run was told to stop (`undefined` when it ran to the end). */
  get stoppedAtMs(): number | undefined {
    return this.#stopped ? this.#stopAtMs : undefined
  }

  #stopAtMs = 0
  #abandonCause: AbandonCause = 'DrainAbort'
  /** real time: the intended time of the first arrival not yet sent or dropped (ms from the start) */
  #pendingArrivalMs = 0

  /**
   * ms from the start before which the run's record is settled: every arrival intended before
   * it was offered, and every later event (a send, a completion, a KMS call, a drop) lands at or
   * after it. A timeline second ending at or before it is final (the live view, `run --live`).
   */
  settledMs(): number {
    if (this.#virtual) return this.#now
    return Math.min(this.#pendingArrivalMs, this.#o.clock.now() - this.#o.startMs)
  }

  /** Why the requests {@link abandonInFlight} ends were still in flight: the drain ran out, or a stop signal came. */
  get abandonCause(): AbandonCause {
    return this.#abandonCause
  }

  // ---- virtual time ------------------------------------------------------------------

  /**
   * Runs the whole variant in virtual time. Every `2^16` events it awaits `pause` (the CLI
   * yields to the event loop there, so SIGINT and the progress line get a turn).
   */
  async runVirtual(pause?: () => Promise<void>, shouldStop?: () => boolean): Promise<void> {
    const clock = this.#o.clock as Clock & { advanceTo(t: number): void }
    const start = this.#o.startMs
    const arrivals = this.#o.arrivals
    const heap = this.#heap
    const deadlines = this.#deadlines
    this.#virtual = true
    this.#startBackground()
    let next = arrivals.next()
    let n = 0
    let drainUntil = Infinity
    for (;;) {
      // While nothing is suspended, arrivals follow each other without heap checks.
      while (heap.size === 0 && deadlines.size === 0 && next !== Infinity && (n & 0xffff) !== 0xffff) {
        this.#now = next
        clock.advanceTo(start + next)
        this.#dispatch(next, next)
        next = arrivals.next()
        n++
      }
      // The earliest time from the heap's key array: the entry itself is loaded only when it runs
      // (or when a deadline falls at the same time: the one queued first goes first).
      const heapAt = heap.peekAt()
      const deadlineAt = deadlines.peekAt()
      const deadlineFirst =
        deadlineAt < heapAt ||
        (deadlineAt === heapAt && deadlineAt !== Infinity && deadlines.peekBefore() <= (heap.peek() as Task).seq)
      const topAt = deadlineFirst ? deadlineAt : heapAt
      if ((heap.size > 0 || deadlines.size > 0) && topAt <= next) {
        if (next === Infinity) {
          if (this.#inFlight === 0) break
          if (drainUntil === Infinity) drainUntil = this.#now + (this.#o.virtualDrainMs ?? 3_600_000)
          if (topAt > drainUntil) {
            // Past the drain: the requests left are abandoned (see abandonInFlight).
            this.#now = drainUntil
            for (let t = heap.pop(); t !== undefined; t = heap.pop())
              if (t.mode !== MODE_BACKGROUND && !t.done) this.#open.add(t)
            // Requests waiting with a deadline are open already.
            deadlines.clear()
            break
          }
        }
        this.#now = topAt
        clock.advanceTo(start + topAt)
        if (deadlineFirst) this.#deadlinePassed(deadlines.pop() as Task)
        else this.#resume(heap.pop() as Task)
      } else if (next !== Infinity) {
        this.#now = next
        clock.advanceTo(start + next)
        this.#dispatch(next, next)
        next = arrivals.next()
      } else break
      if ((++n & 0xffff) === 0) {
        if (shouldStop?.() === true && next !== Infinity) {
          this.#stopped = true
          this.#stopAtMs = this.#now
          next = Infinity
        }
        if (pause !== undefined) await pause()
      }
    }
    if (this.#inFlight > 0) this.#endAsIfQueued(clock, drainUntil)
  }

  /**
   * The run ends with requests still in flight (abandoned at {@link #now}), and the deadlines of
   * requests that finished earlier were removed from {@link #deadlines}. Were they still queued
   * (as when they were entries of the event heap, which did nothing when popped), the loop would
   * have gone on popping them, moving the clock to each, until the drain ran out: the end time
   * is the one it would have reached, so the abandoned requests' latency stays what it was.
   */
  #endAsIfQueued(clock: Clock & { advanceTo(t: number): void }, drainUntil: number): void {
    const last = this.#leftDeadline
    if (!(last > this.#now)) return
    const until = drainUntil === Infinity ? this.#now + (this.#o.virtualDrainMs ?? 3_600_000) : drainUntil
    this.#now = Math.min(last, until)
    clock.advanceTo(this.#o.startMs + this.#now)
  }

  // ---- real time ---------------------------------------------------------------------

  /** Runs the variant in real time on the (system) clock. */
  async runRealTime(options: RealTimeOptions, shouldStop: () => boolean): Promise<void> {
    const clock = this.#o.clock
    const arrivals = this.#o.arrivals
    const rec = this.#rec
    const maxInFlight = options.maxInFlight ?? 4096
    const lateMs = options.lateMs ?? 10
    const maxLagMs = options.maxLagMs ?? 1000
    this.#virtual = false
    const start = this.#o.startMs
    this.#startBackground()
    let next = arrivals.next()
    this.#pendingArrivalMs = next
    let batch = 0
    while (next !== Infinity) {
      if (shouldStop()) {
        this.#stopped = true
        this.#stopAtMs = Math.max(0, clock.now() - start)
        break
      }
      let now = clock.now() - start
      if (next <= now) {
        batch = 0
        // Send everything due; re-read the clock per send (send times are measured).
        while (next <= now && batch < 2048) {
          const lag = now - next
          const second = Math.floor(next / 1000)
          if (this.#inFlight >= maxInFlight || lag > maxLagMs) {
            rec.offer(second)
            rec.drop(Math.floor(now / 1000))
            this.#nextHost()
          } else {
            this.#now = now
            this.#dispatch(next, now, lag > lateMs)
          }
          next = arrivals.next()
          batch++
          now = clock.now() - start
        }
        this.#pendingArrivalMs = next
        await options.yieldToEventLoop()
        continue
      }
      const wait = next - now
      if (wait >= 2) await clock.sleep(wait - 1)
      else await options.yieldToEventLoop()
    }
    this.#pendingArrivalMs = Number.POSITIVE_INFINITY
    // Drain in-flight requests: bounded by drainMs, and cut short by the stop signal (SIGINT,
    // SIGTERM) so that a run against a target that stopped answering still ends at once.
    const drainUntil = clock.now() + (options.drainMs ?? DEFAULT_DRAIN_MS)
    while (this.#inFlight > 0 && clock.now() < drainUntil && !shouldStop()) await clock.sleep(5)
    if (this.#inFlight > 0 && shouldStop()) this.#abandonCause = 'Interrupted'
    this.#finished = true
    // Nothing may resume after the run: pending backoffs and service times are cancelled,
    // late answers are ignored (requests still in flight are aborted and counted as timed out by abandonInFlight).
    for (const t of this.#realTimers) t.cancel()
    this.#realTimers.clear()
  }

  // ---- stepping ----------------------------------------------------------------------

  /** The host of the next arrival: global arrival j = i·stride + offset goes to host j mod fleet (kept incrementally, no division per request). */
  #nextHost(): number {
    const o = this.#o
    let h = this.#hostCursor
    if (h < 0) h = o.offset % o.fleetSize
    else {
      h += this.#strideMod
      if (h >= o.fleetSize) h -= o.fleetSize
    }
    this.#hostCursor = h
    this.#arrivals++
    return h
  }

  #startBackground(): void {
    for (const b of this.#o.background ?? [])
      this.#run(newTask(b.gen, MODE_BACKGROUND, 0, b.host, NO_DEADLINE), undefined)
  }

  /** A waiting request's deadline came (virtual time): it times out, unless it resumed meanwhile. */
  #deadlinePassed(task: Task): void {
    if (!task.done && task.waiting) this.#timeOut(task)
  }

  /** Resumes a task popped from the heap (virtual time), or times it out at its deadline. */
  #resume(task: Task): void {
    if (task.done) return
    if (task.expire) {
      this.#timeOut(task)
      return
    }
    // The task lets go of the value it resumes with: a request that waited long lives in the
    // old generation, and what it still referenced (an outcome and its buffers) would survive
    // every young collection until the next full one, however soon the request finished.
    const value = task.value
    task.value = undefined
    this.#run(task, value)
  }

  /**
   * Stops a request at its deadline: it counts as timed out with the deadline as its latency,
   * and its generator is closed (its \`finally\` blocks run, as an aborted SDK call unwinds), so
   * it makes no further call, backoff or wait. Real time: its SDK call is aborted.
   */
  #timeOut(task: Task): void {
    if (task.done) return
    task.done = true
    this.#release(task)
    task.waiting = false
    this.#open.delete(task)
    this.#inFlight--
    const at = this.#virtual ? task.deadline : Math.max(task.deadline, this.#o.clock.now() - this.#o.startMs)
    this.#rec.done(3, toMicros(at - task.intended), toMicros(at - sentOf(task)), Math.floor(at / 1000))
    task.host.group?.done(3, toMicros(at - task.intended))
    task.rt?.abort?.abort()
    try {
      task.gen.return(undefined)
    } catch {
      // Request code whose cleanup throws has nothing left to run.
    }
  }

  #dispatch(intended: number, sent: number, late = false): void {
    const o = this.#o
    const rec = this.#rec
    const host = o.hosts[this.#nextHost()] as HostState
    const kind: CompiledKind = o.workload.pick(o.random)
    const tenant = o.workload.tenant(o.random)
    let gen: Generator<Effect, unknown, unknown>
    let mode: number
    if (kind.single !== undefined) {
      const call = kind.single(host, tenant, o.random, intended, (this.#arrivals - 1) * o.stride + o.offset)
      if (this.#emulator !== undefined && !this.#timed) {
        if (this.#virtual && host.direct) {
          // Fastest path (virtual time, no mitigation): one synchronous call, no generator, no heap.
          const res = this.#emulator.tryCall(call.operation, call.input, call.caller)
          const code = res.ok ? 0 : res.error === THROTTLED || res.error.name === 'ThrottlingException' ? 1 : 2
          const second = Math.floor(intended / 1000)
          rec.kmsInstant(call.opIndex, code, second)
          rec.attribution.count(call.caller, call.meta.caller, call.meta.keyName, code)
          rec.instantDone(code, second, res.ok ? undefined : res.error.name)
          host.group?.done(code, 0)
          return
        }
        // Fast path: synchronous KMS calls, no generator unless a mitigation must wait.
        const out = host.direct
          ? this.#exec(call)
          : host.kms.sync !== undefined
            ? host.kms.sync(call, this.#exec)
            : undefined
        if (out !== undefined && !isContinuation(out)) {
          const code = out.ok ? 0 : out.error.name === 'ThrottlingException' ? 1 : 2
          const error = out.ok ? undefined : out.error.name
          if (this.#virtual) {
            rec.instantDone(code, Math.floor(intended / 1000), error)
            host.group?.done(code, 0)
            return
          }
          this.#now = this.#o.clock.now() - this.#o.startMs
          rec.offer(Math.floor(intended / 1000))
          rec.send(Math.floor(sent / 1000), late)
          rec.done(
            code,
            toMicros(this.#now - intended),
            toMicros(this.#now - sent),
            Math.floor(this.#now / 1000),
            error,
          )
          host.group?.done(code, toMicros(this.#now - intended))
          return
        }
        gen = out ?? host.kms(call)
      } else gen = host.direct ? directKms(call) : host.kms(call)
      mode = MODE_CALL
    } else {
      gen = (kind.run as NonNullable<CompiledKind['run']>)(host, tenant, o.random, intended)
      mode = MODE_APP
    }
    rec.offer(Math.floor(intended / 1000))
    rec.send(Math.floor(sent / 1000), late)
    this.#inFlight++
    const task = newTask(gen, mode, intended, host, this.#deadlineOf(kind, intended))
    if (!this.#virtual) {
      // Every SDK call can be aborted: at its deadline, and when the run ends with it in flight.
      const rt: RealTimeTask = {
        sent,
        abort: o.asyncKms !== undefined ? new AbortController() : undefined,
        timer: undefined,
      }
      task.rt = rt
      this.#open.add(task)
      if (task.deadline !== NO_DEADLINE) this.#armDeadline(task, rt)
    }
    this.#run(task, undefined)
  }

  /** Real time: the request's deadline timer (a method of its own: #dispatch then makes no context per request). */
  #armDeadline(task: Task, rt: RealTimeTask): void {
    rt.timer = this.#o.clock.setTimer(Math.max(0, task.deadline - rt.sent), () => {
      rt.timer = undefined
      if (!this.#finished) this.#timeOut(task)
    })
  }

  /** Makes one embedded KMS call now, with zero service time, and records it (in real time, with its measured duration). */
  readonly #exec = (call: KmsCallSpec): KmsOutcome => {
    if (!this.#virtual) return this.#execTimed(call)
    const res = (this.#emulator as Emulator).tryCall(call.operation, call.input, call.caller)
    const code = res.ok ? 0 : res.error.name === 'ThrottlingException' ? 1 : 2
    this.#rec.kmsInstant(call.opIndex, code, Math.floor(this.#now / 1000))
    this.#rec.attribution.count(call.caller, call.meta.caller, call.meta.keyName, code)
    return res
  }

  #execTimed(call: KmsCallSpec): KmsOutcome {
    const clock = this.#o.clock
    const t0 = clock.now()
    const res = (this.#emulator as Emulator).tryCall(call.operation, call.input, call.caller)
    const t1 = clock.now()
    this.#now = t1 - this.#o.startMs
    const code = res.ok ? 0 : res.error.name === 'ThrottlingException' ? 1 : 2
    this.#rec.kms(call.opIndex, code, toMicros(t1 - t0), Math.floor(this.#now / 1000))
    this.#rec.attribution.count(call.caller, call.meta.caller, call.meta.keyName, code)
    return res
  }

  /** Steps a task until it suspends or completes. */
  #run(task: Task, value: unknown): void {
    const gen = task.gen
    for (;;) {
      let r: IteratorResult<Effect, unknown>
      try {
        r = gen.next(value)
      } catch (e) {
        // Request code that throws is a failed request (and a bug in the scenario, reported once).
        this.#complete(task, 2, 'RequestCodeError')
        this.firstError ??= e instanceof Error ? e.message : String(e)
        return
      }
      if (r.done === true) {
        if (task.mode === MODE_APP) this.#complete(task, r.value as number, task.lastError)
        else if (task.mode === MODE_CALL) {
          const out = r.value as KmsOutcome
          if (out.ok) this.#complete(task, 0)
          else this.#complete(task, out.error.name === 'ThrottlingException' ? 1 : 2, out.error.name)
        }
        return
      }
      const eff = r.value
      if (eff.kind === 'kms') {
        if (this.#emulator !== undefined) {
          if (!this.#timed) {
            const out = this.#exec(eff)
            if (!out.ok) task.lastError = out.error.name
            value = out
            continue
          }
          const res = this.#emulator.tryCall(eff.operation, eff.input, eff.caller)
          if (!res.ok) task.lastError = res.error.name
          const code = res.ok ? 0 : res.error.name === 'ThrottlingException' ? 1 : 2
          // Injected latency (a fault) adds to the modelled service time.
          // A successful call on a key in a custom key store also waits for its HSM or proxy.
          const lat = this.#latency
          const svc =
            (lat === undefined
              ? 0
              : lat.usesKeyStores === true && res.ok
                ? lat.sample(eff.operation, {
                    keyStores: this.#emulator.keyStoresOf(eff.operation, eff.input, eff.caller),
                  })
                : lat.sample(eff.operation)) + (res.delayMs ?? 0)
          this.#rec.kms(eff.opIndex, code, toMicros(svc), Math.floor(this.#now / 1000))
          this.#rec.attribution.count(eff.caller, eff.meta.caller, eff.meta.keyName, code)
          if (svc > 0) {
            this.#suspend(task, svc, res)
            return
          }
          value = res
          continue
        }
        this.#callAsync(task, eff)
        return
      }
      if (eff.kind === 'sleep') {
        if (eff.ms > 0) {
          this.#suspend(task, eff.ms, undefined)
          return
        }
        value = undefined
        continue
      }
      const flight = (eff as WaitEffect).flight
      if (flight.settled) {
        value = flight.value
        continue
      }
      if (this.#virtual) {
        if (task.mode !== MODE_BACKGROUND) {
          this.#open.add(task)
          task.waiting = true
          // One deadline entry per request: its deadline is fixed, whichever flight it waits on then.
          if (task.slot === NOT_QUEUED && task.deadline !== NO_DEADLINE)
            this.#deadlines.push(task, task.deadline, this.#pushes)
        }
        // One listener for every waiting request (the task is its argument): no closure per wait.
        if (flight instanceof Flight) flight.onSettled(this.#wake, task)
        else this.#waitOther(task, flight)
      } else this.#waitAsync(task, flight)
      return
    }
  }

  /** A flight a request waited for settled (virtual time): it resumes now, unless it is done. */
  readonly #wake = (value: unknown, task: Task): void => {
    if (task.done) return
    task.waiting = false
    this.#open.delete(task)
    this.#suspend(task, 0, value)
  }

  // The closures of the real-time paths are made here, not in #run (which then needs no context per step).
  #callAsync(task: Task, eff: KmsCallSpec): void {
    const asyncKms = this.#o.asyncKms
    if (asyncKms === undefined) throw new Error('engine has no target')
    asyncKms(eff, task.host, task.rt?.abort?.signal).then(
      (out) => {
        if (!out.ok) task.lastError = out.error.name
        this.#resumeAsync(task, out)
      },
      (e: unknown) => {
        task.lastError = 'ClientError'
        this.#resumeAsync(task, {
          ok: false,
          error: { name: 'ClientError', message: e instanceof Error ? e.message : String(e) },
        })
      },
    )
  }

  /** Virtual time: a wait on another implementation of `Settling` (one-argument listeners). */
  #waitOther(task: Task, flight: WaitEffect['flight']): void {
    flight.onSettled((v) => this.#wake(v, task))
  }

  #waitAsync(task: Task, flight: WaitEffect['flight']): void {
    flight.onSettled((v) => queueMicrotask(() => this.#resumeAsync(task, v)))
  }

  #suspend(task: Task, ms: number, value: unknown): void {
    if (this.#virtual) {
      const at = this.#now + ms
      if (at > task.deadline) {
        // It would resume after its deadline: it stops there instead (bounded backlog).
        task.at = task.deadline
        task.expire = true
      } else task.at = at
      task.value = value
      this.#heap.push(task)
      this.#pushes++
      return
    }
    const handle = this.#o.clock.setTimer(ms, () => {
      this.#realTimers.delete(handle)
      this.#resumeAsync(task, value)
    })
    this.#realTimers.add(handle)
  }

  /** A done request leaves the deadline queue (the latest deadline removed is kept for #endAsIfQueued). */
  #release(task: Task): void {
    if (task.slot < 0) return
    this.#deadlines.remove(task)
    if (task.deadline > this.#leftDeadline) this.#leftDeadline = task.deadline
  }

  #resumeAsync(task: Task, value: unknown): void {
    if (this.#finished || task.done) return
    this.#now = this.#o.clock.now() - this.#o.startMs
    this.#run(task, value)
  }

  #complete(task: Task, code: number, error?: string): void {
    if (task.mode === MODE_BACKGROUND || task.done) return
    task.done = true
    this.#release(task)
    if (!this.#virtual) {
      this.#now = this.#o.clock.now() - this.#o.startMs
      this.#open.delete(task)
      const rt = task.rt
      if (rt !== undefined) {
        rt.timer?.cancel()
        rt.timer = undefined
      }
    }
    this.#inFlight--
    this.#rec.done(
      code,
      toMicros(this.#now - task.intended),
      toMicros(this.#now - sentOf(task)),
      Math.floor(this.#now / 1000),
      code === 0 || code === 3 ? undefined : error,
    )
    task.host.group?.done(code, toMicros(this.#now - task.intended))
  }

  /**
   * Ends the requests still in flight once the run is over (a real-time drain that ran out or
   * was cut short by a stop signal, a flight that never settled in virtual time): their SDK
   * calls are aborted and they count as timed out, under {@link abandonCause} in `errors`. Their
   * latency is the time they had waited by then, a lower bound of what they would have taken:
   * never recorded as instant. Returns how many there were.
   */
  abandonInFlight(): number {
    const n = this.#inFlight
    if (n === 0) return 0
    if (!this.#virtual) this.#now = this.#o.clock.now() - this.#o.startMs
    const now = this.#now
    const second = Math.floor(now / 1000)
    const cause = this.abandonCause
    for (const task of this.#open) {
      task.done = true
      task.rt?.timer?.cancel()
      task.rt?.abort?.abort(new Error(`kms-bench: ${cause}`))
      this.#rec.done(3, toMicros(now - task.intended), toMicros(now - sentOf(task)), second, cause)
      task.host.group?.done(3, toMicros(now - task.intended))
    }
    // Every in-flight request is tracked; should one not be, it still counts.
    for (let i = this.#open.size; i < n; i++) this.#rec.done(3, 0, 0, second, cause)
    this.#open.clear()
    this.#inFlight = 0
    return n
  }

  /** Progress figures for the live line. */
  progress(): Progress {
    const r = this.#rec
    return {
      elapsedSeconds: this.#now / 1000,
      offered: r.offered,
      achieved: r.achieved,
      throttled: r.throttled,
      completed: r.succeeded + r.throttled + r.failed + r.timedOut,
    }
  }
}

function newTask(
  gen: Generator<Effect, unknown, unknown>,
  mode: number,
  intended: number,
  host: HostState,
  deadline: number,
): Task {
  return {
    at: 0,
    seq: 0,
    gen,
    mode,
    intended,
    host,
    value: undefined,
    deadline,
    done: false,
    waiting: false,
    expire: false,
    slot: NOT_QUEUED,
    lastError: undefined,
    rt: undefined,
  }
}
