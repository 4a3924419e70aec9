/**
 * Results per host group of a mixed fleet (`fleet.groups`: a boto3 fleet and a JavaScript fleet
 * on one account's quota): each group's application requests by outcome and the latency of its
 * succeeded ones, so the report can say which fleet the shared quota failed. The engine counts
 * an outcome in the group of the host that served the request (bounded memory: counters and one
 * HDR histogram per group).
 */
import { encodeHistogram, LatencyRecorder, latencyStats } from './histograms.ts'
import type { VariantSummary } from './summary.ts'

/** The running counts of one host group. */
export class GroupTally {
  readonly name: string
  readonly hosts: number
  succeeded = 0
  throttled = 0
  failed = 0
  timedOut = 0
  readonly #latency = new LatencyRecorder()

  constructor(name: string, hosts: number) {
    this.name = name
    this.hosts = hosts
  }

  /** A request of this group ended with `code` (0 succeeded, 1 throttled, 2 failed, 3 timed out) `latencyUs` after its intended time. */
  done(code: number, latencyUs: number): void {
    if (code === 0) {
      this.succeeded++
      this.#latency.record(latencyUs)
    } else if (code === 1) this.throttled++
    else if (code === 3) this.timedOut++
    else this.failed++
  }

  /** The group as summary.json reports it. */
  summary(): NonNullable<VariantSummary['groups']>[number] {
    const h = this.#latency.flush()
    const requests = this.succeeded + this.throttled + this.failed + this.timedOut
    return {
      name: this.name,
      hosts: this.hosts,
      requests,
      completed: { succeeded: this.succeeded, throttled: this.throttled, failed: this.failed, timedOut: this.timedOut },
      throttleRate: requests > 0 ? this.throttled / requests : 0,
      latencyMs: latencyStats(h),
      histogram: encodeHistogram(h),
    }
  }
}
