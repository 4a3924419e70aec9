/**
 * What one variant run measures: counters and HDR histograms at the application level
 * (per outcome: succeeded, throttled, failed; latency from the intended send time, service
 * time from the actual send) and at the KMS-call level (per operation), plus a per-second
 * timeline. Everything is bounded: memory grows with the number of seconds, never with the
 * number of requests.
 *
 * Attribution: `offered` counts in the second of the intended send time, `achieved` and
 * `dropped` in the second the send happened (or was given up), outcomes and latency
 * percentiles in the second the request completed, KMS calls in the second they were made.
 */
import type { Histogram } from 'hdr-histogram-js'
import { OPERATION_NAMES } from '../../kms/index.ts'
import { Attribution } from './attribution.ts'
import { encodeHistogram, LatencyRecorder } from './histograms.ts'
import type { TimelineEntry } from './summary.ts'

const N_OPS = OPERATION_NAMES.length

/** One second of the timeline, as recorded. */
interface Second {
  offered: number
  achieved: number
  succeeded: number
  throttled: number
  failed: number
  timedOut: number
  dropped: number
  late: number
  kmsCalls: number
  kmsThrottled: number
  byOp: Float64Array | undefined
  p50Ms: number
  p99Ms: number
  histogram: string | undefined
}

function newSecond(): Second {
  return {
    offered: 0,
    achieved: 0,
    succeeded: 0,
    throttled: 0,
    failed: 0,
    timedOut: 0,
    dropped: 0,
    late: 0,
    kmsCalls: 0,
    kmsThrottled: 0,
    byOp: undefined,
    p50Ms: 0,
    p99Ms: 0,
    histogram: undefined,
  }
}

/** Options of {@link VariantRecorder}. */
export interface RecorderOptions {
  /** keep each second's latency histogram in the timeline (shards: needed for an exact merge). @default false */
  keepSecondHistograms?: boolean
}

/** Counters, histograms and timeline of one variant run. */
export class VariantRecorder {
  offered = 0
  achieved = 0
  succeeded = 0
  throttled = 0
  failed = 0
  /** requests stopped at their deadline */
  timedOut = 0
  dropped = 0
  /** every non-success by AWS error code or cause (`ThrottlingException`, `TimedOut`, `Dropped`, ...) */
  readonly errors = new Map<string, number>()
  /** sends made more than the lateness tolerance after their intended time (real time) */
  late = 0
  /** retries the endpoint SDK client made (attempts − 1), counted from `$metadata.attempts` */
  sdkRetries = 0
  readonly kmsCalls = new Float64Array(N_OPS)
  readonly kmsThrottled = new Float64Array(N_OPS)
  readonly kmsFailed = new Float64Array(N_OPS)
  /** KMS calls per caller, account and key (`kms.byCaller`) */
  readonly attribution = new Attribution()
  /** per outcome: succeeded, throttled, failed, timed out (µs from the intended send time) */
  readonly outcomes: readonly [LatencyRecorder, LatencyRecorder, LatencyRecorder, LatencyRecorder]
  /** service time of application requests (µs from the actual send) */
  readonly service: LatencyRecorder
  /** latency of individual KMS calls (µs) */
  readonly kmsLatency: LatencyRecorder
  readonly #secondLatency: LatencyRecorder
  #latencySecond = -1
  readonly #seconds: Second[] = []
  // The second most recently touched (most events land in it).
  #cur: Second | undefined
  #curIndex = -1
  // Zero values batched as plain counts (virtual time: most requests take exactly 0 µs).
  readonly #zeroOutcomes = [0, 0, 0, 0]
  #zeroKms = 0
  #zeroSecond = 0
  readonly #keepSecondHistograms: boolean

  constructor(options: RecorderOptions = {}) {
    this.outcomes = [new LatencyRecorder(), new LatencyRecorder(), new LatencyRecorder(), new LatencyRecorder()]
    this.service = new LatencyRecorder()
    this.kmsLatency = new LatencyRecorder()
    this.#secondLatency = new LatencyRecorder()
    this.#keepSecondHistograms = options.keepSecondHistograms ?? false
  }

  #second(s: number): Second {
    if (s === this.#curIndex) return this.#cur as Second
    let e = this.#seconds[s]
    if (e === undefined) {
      while (this.#seconds.length < s) this.#seconds.push(newSecond())
      e = newSecond()
      this.#seconds[s] = e
    }
    this.#cur = e
    this.#curIndex = s
    return e
  }

  /**
   * An application request sent and completed at its intended time in `second` (virtual
   * time, zero service time): offer + send + done in one step.
   */
  instantDone(code: number, second: number, error?: string): void {
    const e = second === this.#curIndex ? (this.#cur as Second) : this.#second(second)
    this.offered++
    this.achieved++
    e.offered++
    e.achieved++
    this.#countOutcome(code, e, error)
    ;(this.#zeroOutcomes[code] as number)++
    if (second !== this.#latencySecond) this.#rollSecond(second)
    this.#zeroSecond++
  }

  /** A KMS call that took 0 µs (virtual time). */
  kmsInstant(opIndex: number, code: number, second: number): void {
    this.#countKms(opIndex, code, second === this.#curIndex ? (this.#cur as Second) : this.#second(second))
    this.#zeroKms++
  }

  /** An application request is due (second of its intended send time). */
  offer(second: number): void {
    this.offered++
    this.#second(second).offered++
  }

  /** An application request was sent. */
  send(second: number, late: boolean): void {
    this.achieved++
    const e = this.#second(second)
    e.achieved++
    if (late) {
      this.late++
      e.late++
    }
  }

  /** An application request could not be sent (in-flight limit, or too far behind schedule). */
  drop(second: number): void {
    this.dropped++
    this.#second(second).dropped++
    this.error('Dropped')
  }

  /** Counts one non-success under its AWS error code or cause. */
  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1)
  }

  /**
   * An application request completed with outcome `code` (0 succeeded, 1 throttled, 2 failed,
   * 3 timed out), `latencyUs` after its intended send time and `serviceUs` after its actual
   * send; `error` is the AWS error code of a failure.
   */
  done(code: number, latencyUs: number, serviceUs: number, second: number, error?: string): void {
    this.#countOutcome(code, this.#second(second), error)
    ;(this.outcomes[code] as LatencyRecorder).record(latencyUs)
    this.service.record(serviceUs)
    if (second !== this.#latencySecond) this.#rollSecond(second)
    this.#secondLatency.record(latencyUs)
  }

  /** One KMS call (one attempt) made in `second`: outcome class, and its latency. */
  kms(opIndex: number, code: number, latencyUs: number, second: number): void {
    this.#countKms(opIndex, code, this.#second(second))
    if (latencyUs <= 0) this.#zeroKms++
    else this.kmsLatency.record(latencyUs)
  }

  /** Counts an application request's outcome (0 succeeded, 1 throttled, 2 failed, 3 timed out) in the run and in its second. */
  #countOutcome(code: number, e: Second, error: string | undefined): void {
    if (code === 0) {
      this.succeeded++
      e.succeeded++
    } else if (code === 1) {
      this.throttled++
      e.throttled++
      this.error('ThrottlingException')
    } else if (code === 3) {
      this.timedOut++
      e.timedOut++
      // At the deadline (TimedOut), or ended with the run (DrainAbort, Interrupted).
      this.error(error ?? 'TimedOut')
    } else {
      this.failed++
      e.failed++
      this.error(error ?? 'UnknownError')
    }
  }

  /** Counts one KMS call by operation and outcome class, in the run and in its second. */
  #countKms(opIndex: number, code: number, e: Second): void {
    ;(this.kmsCalls[opIndex] as number)++
    e.kmsCalls++
    const byOp = (e.byOp ??= new Float64Array(N_OPS))
    ;(byOp[opIndex] as number)++
    if (code === 1) {
      ;(this.kmsThrottled[opIndex] as number)++
      e.kmsThrottled++
    } else if (code === 2) (this.kmsFailed[opIndex] as number)++
  }

  #rollSecond(second: number): void {
    if (this.#latencySecond >= 0) {
      const h = this.#secondLatency.flush()
      if (this.#zeroSecond > 0) h.recordValueWithCount(0, this.#zeroSecond)
      const e = this.#second(this.#latencySecond)
      if (h.totalCount > 0) {
        e.p50Ms = Math.round(h.getValueAtPercentile(50)) / 1000
        e.p99Ms = Math.round(h.getValueAtPercentile(99)) / 1000
        if (this.#keepSecondHistograms) e.histogram = encodeHistogram(h)
      }
      this.#secondLatency.reset()
    }
    this.#zeroSecond = 0
    this.#latencySecond = second
  }

  /** Seconds recorded so far (the timeline's length). */
  get seconds(): number {
    return this.#seconds.length
  }

  /** p99 (ms) of everything completed so far: for the progress line. */
  liveP99Ms(): number {
    this.flush()
    let worst = 0
    for (const r of this.outcomes) {
      const h = r.histogram
      if (h.totalCount > 0) worst = Math.max(worst, h.getValueAtPercentile(99))
    }
    return Math.round(worst) / 1000
  }

  /** The histogram of every completed request (a new histogram: destroy it). */
  allLatencies(target: Histogram): Histogram {
    this.flush()
    for (const r of this.outcomes) target.add(r.histogram)
    return target
  }

  /** The per-second timeline (at least `minSeconds` long), with pool counts left empty. */
  timeline(minSeconds: number): TimelineEntry[] {
    this.#rollSecond(this.#latencySecond + 1)
    const out: TimelineEntry[] = []
    const n = Math.max(this.#seconds.length, minSeconds)
    for (let s = 0; s < n; s++) out.push(this.#entry(s))
    return out
  }

  /**
   * Seconds `from` .. `to − 1` of the timeline while the run goes on (the live view), with pool
   * counts left empty. The caller vouches that nothing more will be recorded before second `to`
   * (the engine's `settledMs`); the entries are then what {@link timeline} will say of them.
   */
  settledTimeline(from: number, to: number): TimelineEntry[] {
    // Close the latency second still open before `to`: nothing will be added to it.
    if (this.#latencySecond >= 0 && this.#latencySecond < to) this.#rollSecond(to)
    const out: TimelineEntry[] = []
    for (let s = from; s < to; s++) out.push(this.#entry(s))
    return out
  }

  #entry(s: number): TimelineEntry {
    const e = this.#seconds[s] ?? newSecond()
    const byOp: Record<string, number> = {}
    if (e.byOp !== undefined)
      for (let i = 0; i < N_OPS; i++)
        if ((e.byOp[i] as number) > 0) byOp[OPERATION_NAMES[i] as string] = e.byOp[i] as number
    const entry: TimelineEntry & { late?: number; histogram?: string; timedOut?: number } = {
      second: s,
      offered: e.offered,
      achieved: e.achieved,
      succeeded: e.succeeded,
      throttled: e.throttled,
      failed: e.failed,
      dropped: e.dropped,
      kmsCalls: e.kmsCalls,
      kmsThrottled: e.kmsThrottled,
      kmsByOperation: byOp,
      poolAccepted: {},
      p50Ms: e.p50Ms,
      p99Ms: e.p99Ms,
    }
    if (e.late > 0) entry.late = e.late
    if (e.timedOut > 0) entry.timedOut = e.timedOut
    if (e.histogram !== undefined) entry.histogram = e.histogram
    return entry
  }

  /** Flushes batched values into the histograms. */
  flush(): void {
    for (let i = 0; i < 4; i++) {
      const h = (this.outcomes[i] as LatencyRecorder).flush()
      const zeros = this.#zeroOutcomes[i] as number
      if (zeros > 0) {
        h.recordValueWithCount(0, zeros)
        // Instant requests also took 0 µs of service time.
        this.service.histogram.recordValueWithCount(0, zeros)
        this.#zeroOutcomes[i] = 0
      }
    }
    this.service.flush()
    this.kmsLatency.flush()
    if (this.#zeroKms > 0) {
      this.kmsLatency.histogram.recordValueWithCount(0, this.#zeroKms)
      this.#zeroKms = 0
    }
  }

  /** Frees every histogram (WASM memory). */
  destroy(): void {
    for (const r of this.outcomes) r.destroy()
    this.service.destroy()
    this.kmsLatency.destroy()
    this.#secondLatency.destroy()
  }
}
