/**
 * `run --live FILE`: one JSON line per variant and second, with the fields (and names) of
 * `timeline.csv`'s columns, so that `tail -f FILE | jq` reads what the CSV will say once the
 * run ends. `kms_calls:<Operation>`, `pool_accepted:<account/region/pool>` and
 * `pool_throttled:<account/region/pool>` appear for the operations and pools that second had
 * (the CSV writes 0 in the others); `run` is added when `--runs N` repeats the run.
 */
import type { TimelineEntry } from '../load/index.ts'

/** The fields of a live line, in order, with their meaning (docs/scenarios.md is generated from this). */
export const LIVE_FIELDS: readonly (readonly [field: string, meaning: string])[] = [
  ['run', 'the repetition of `--runs N` (1-based); only when N > 1'],
  ['variant', 'the variant'],
  ['second', 'the second of the run (0 is its first), as in `timeline.csv`'],
  ['offered', 'application requests scheduled in this second'],
  ['achieved', 'application requests sent in this second'],
  ['late', 'sends later than the lateness tolerance (10 ms) in this second (real time)'],
  ['succeeded', 'requests that succeeded, counted in the second they completed'],
  ['throttled', 'requests that ended throttled (ThrottlingException after the client’s retries)'],
  ['failed', 'requests that ended with another error'],
  ['timed_out', 'requests stopped at their deadline, or aborted at the end of the drain or at a stop signal'],
  ['dropped', 'requests that could not be sent (in-flight limit, or too far behind schedule)'],
  ['kms_calls', 'KMS calls made in this second (every attempt)'],
  ['kms_throttled', 'KMS calls answered with ThrottlingException'],
  ['p50_ms', 'median latency (from the intended send time) of the requests completed in this second'],
  ['p99_ms', '99th percentile of the same'],
  ['kms_calls:<Operation>', 'KMS calls of one operation (only operations called in this second)'],
  [
    'pool_accepted:<account/region/pool>',
    'calls the quota meter accepted in one pool (embedded target; against an endpoint its meter is read after the run, so these are in `timeline.csv` only)',
  ],
  ['pool_throttled:<account/region/pool>', 'calls the quota meter throttled in one pool (as above)'],
]

/** The JSON line (with its line end) of one second of a variant's timeline. */
export function renderLiveLine(variant: string, e: TimelineEntry, run?: number): string {
  const line: Record<string, string | number> = {
    ...(run !== undefined ? { run } : {}),
    variant,
    second: e.second,
    offered: e.offered,
    achieved: e.achieved,
    late: e.late ?? 0,
    succeeded: e.succeeded,
    throttled: e.throttled,
    failed: e.failed,
    timed_out: e.timedOut ?? 0,
    dropped: e.dropped,
    kms_calls: e.kmsCalls,
    kms_throttled: e.kmsThrottled,
    p50_ms: e.p50Ms,
    p99_ms: e.p99Ms,
  }
  for (const [op, n] of Object.entries(e.kmsByOperation).sort()) line[`kms_calls:${op}`] = n
  for (const [pool, n] of Object.entries(e.poolAccepted).sort()) line[`pool_accepted:${pool}`] = n
  for (const [pool, n] of Object.entries(e.poolThrottled ?? {}).sort()) line[`pool_throttled:${pool}`] = n
  return `${JSON.stringify(line)}\n`
}
