/**
 * The live view of a running variant (`run --live FILE`, issue 13): its timeline, second by
 * second, handed out as soon as a second is final, so that a dashboard or `tail -f | jq` can
 * follow a long run. A second is final once the engine's record is settled past its end
 * (`Engine.settledMs`: every arrival intended in it offered, nothing more recorded in it); in
 * virtual time that is as simulated seconds complete, in real time about a second after the
 * wall clock. Each entry is the one `summary.json`'s timeline (and `timeline.csv`) will have:
 * seconds are handed out during the run up to the run's duration, and the rest (the drain's
 * seconds, the last ones of a stopped run) from the variant's summary when it ends.
 *
 * Pool columns come from the quota meter: the embedded emulator's, read live. An endpoint's
 * meter is read once, after the run, so against an endpoint the live entries have none (the
 * summary's timeline does). A scale model's summary is reported at full size, so its entries
 * are all handed out from the summary, when the variant ends.
 */
import type { QuotaUsage } from '../quota/index.ts'
import type { VariantRecorder, TimelineEntry } from './results/index.ts'

/** Where a variant's live entries go. */
export type LiveSink = (variant: string, entry: TimelineEntry) => void

/** Options of {@link LiveSeconds}. */
export interface LiveSecondsOptions {
  variant: string
  sink: LiveSink
  recorder: VariantRecorder
  /** the engine's `settledMs()` */
  settledMs: () => number
  /** seconds of the run's schedule */
  durationSeconds: number
  /** the run's second 0, in epoch seconds (read lazily: a real-time run sets it when it starts) */
  startEpochSecond: () => number
  /** the live quota meter (embedded), if any */
  usage?: () => QuotaUsage
  /** hand everything out from the summary at the end (a scale model: the summary is at full size) */
  deferred: boolean
}

/** Hands out a variant's final timeline seconds as the run goes (see the module comment). */
export class LiveSeconds {
  readonly #o: LiveSecondsOptions
  #emitted = 0

  constructor(options: LiveSecondsOptions) {
    this.#o = options
  }

  /** Hands out the seconds that became final since the last call. */
  poll(): void {
    const o = this.#o
    if (o.deferred) return
    const to = Math.min(Math.floor(o.settledMs() / 1000), Math.ceil(o.durationSeconds))
    if (to <= this.#emitted) return
    const entries = o.recorder.settledTimeline(this.#emitted, to)
    const usage = o.usage?.()
    if (usage !== undefined) {
      const first = o.startEpochSecond() + this.#emitted
      for (const s of usage.seconds) {
        const e = entries[s.epochSecond - first]
        if (e === undefined) continue
        if (s.accepted > 0) e.poolAccepted[s.key] = (e.poolAccepted[s.key] ?? 0) + s.accepted
        if (s.throttled > 0) (e.poolThrottled ??= {})[s.key] = (e.poolThrottled[s.key] ?? 0) + s.throttled
      }
    }
    for (const e of entries) o.sink(o.variant, withoutHistogram(e))
    this.#emitted = to
  }

  /** The variant ended: hands out the seconds of its summary's timeline not handed out yet. */
  finish(timeline: readonly TimelineEntry[]): void {
    for (const e of timeline.slice(this.#emitted)) this.#o.sink(this.#o.variant, withoutHistogram(e))
    this.#emitted = Math.max(this.#emitted, timeline.length)
  }
}

function withoutHistogram(e: TimelineEntry): TimelineEntry {
  if (e.histogram === undefined) return e
  const { histogram: _h, ...rest } = e
  return rest
}
