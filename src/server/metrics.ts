/**
 * `GET /metrics`: the endpoint's counters in the Prometheus text format (prom-client), so a
 * team running `kms-bench serve` in a shared test environment sees it in Grafana:
 *
 * - `kms_bench_requests_total{operation, outcome}`: API calls answered; `outcome` is `ok` or the
 *   AWS error code (`ThrottlingException`, `KMSInternalException`, ...);
 * - `kms_bench_request_duration_seconds{operation}`: time from the request's arrival to its
 *   answer, modelled service time and injected latency included (a histogram);
 * - `kms_bench_quota_throttled_total{account, region, pool}` and
 *   `kms_bench_quota_accepted_total{...}`: the quota meter's counts;
 * - `kms_bench_quota_limit{...}`: requests/s in force; `kms_bench_quota_utilization{...}`: the
 *   last metered second's calls over the limit (CloudWatch's AWS/Usage view, per second);
 *   `kms_bench_quota_peak_utilization{...}`: the busiest second so far over the limit.
 *
 * Each server has a registry of its own (no global state: two servers in one process do not
 * mix their counts).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Emulator } from '../emulator.ts'

const POOL_LABELS = ['account', 'region', 'pool'] as const
/** Upper bounds of the duration histogram, seconds: KMS answers in tens of ms, throttled retries and injected faults take longer. */
const DURATION_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Calls of one operation with one outcome. */
interface OutcomeCount {
  readonly operation: string
  readonly outcome: string
  n: number
}

/** One operation's durations: a count per bucket (not cumulative), their count and sum. */
interface OperationDurations {
  readonly operation: string
  /** the `ok` outcome, the common one, without a lookup */
  ok: OutcomeCount | undefined
  readonly errors: Map<string, OutcomeCount>
  readonly buckets: Float64Array
  count: number
  sum: number
}

/**
 * The request counts kept as plain numbers per call (no label hashing per request) and handed
 * to prom-client only when scraped. Series appear in the order they were first seen, as
 * prom-client lists them.
 */
class RequestTally {
  readonly outcomes: OutcomeCount[] = []
  readonly operations: OperationDurations[] = []
  readonly #byOperation = new Map<string, OperationDurations>()

  observe(operation: string, outcome: string, seconds: number): void {
    let op = this.#byOperation.get(operation)
    if (op === undefined) {
      op = {
        operation,
        ok: undefined,
        errors: new Map(),
        buckets: new Float64Array(DURATION_BUCKETS.length),
        count: 0,
        sum: 0,
      }
      this.#byOperation.set(operation, op)
      this.operations.push(op)
    }
    let cell = outcome === 'ok' ? op.ok : op.errors.get(outcome)
    if (cell === undefined) {
      cell = { operation, outcome, n: 0 }
      if (outcome === 'ok') op.ok = cell
      else op.errors.set(outcome, cell)
      this.outcomes.push(cell)
    }
    cell.n++
    for (let i = 0; i < DURATION_BUCKETS.length; i++) {
      if (seconds <= (DURATION_BUCKETS[i] as number)) {
        op.buckets[i] = (op.buckets[i] ?? 0) + 1
        break
      }
    }
    op.count++
    op.sum += seconds
  }
}

const DURATION_HELP =
  'Time from a KMS API request arriving to its answer (modelled service time and injected latency included)'

type HistogramData = Awaited<ReturnType<Histogram<'operation'>['get']>>

/**
 * `kms_bench_request_duration_seconds`, exposed from a {@link RequestTally}: a prom-client
 * Histogram whose values are read from the tally at each scrape (prom-client formats them: the
 * text is the one its own `observe` would give).
 */
class TallyHistogram extends Histogram<'operation'> {
  readonly #tally: RequestTally

  constructor(tally: RequestTally, registers: Registry[]) {
    super({
      name: 'kms_bench_request_duration_seconds',
      help: DURATION_HELP,
      labelNames: ['operation'],
      buckets: [...DURATION_BUCKETS],
      registers,
    })
    this.#tally = tally
  }

  /** The series as prom-client's Histogram lists them: per operation, the cumulative buckets, +Inf, sum, count. */
  async getForPromString(): Promise<HistogramData> {
    const name = 'kms_bench_request_duration_seconds'
    const values: unknown[] = []
    for (const op of this.#tally.operations) {
      const shared = { operation: op.operation }
      let acc = 0
      for (let i = 0; i < DURATION_BUCKETS.length; i++) {
        acc += op.buckets[i] as number
        values.push(pair({ le: DURATION_BUCKETS[i] as number }, acc, `${name}_bucket`, null, shared))
      }
      values.push(
        pair({ le: '+Inf' }, op.count, `${name}_bucket`, null, shared),
        pair({}, op.sum, `${name}_sum`, undefined, shared),
        pair({}, op.count, `${name}_count`, undefined, shared),
      )
    }
    return { name, help: DURATION_HELP, type: 'histogram', values, aggregator: 'sum' } as unknown as HistogramData
  }

  /** The same with the operation folded into each value's labels (prom-client's JSON form). */
  override async get(): Promise<HistogramData> {
    const data = await this.getForPromString()
    const values = (data.values as unknown as ReturnType<typeof pair>[]).map(({ sharedLabels, labels, ...rest }) => ({
      ...rest,
      labels: { ...labels, ...sharedLabels },
    }))
    return { ...data, values } as unknown as HistogramData
  }
}

function pair(
  labels: Record<string, string | number>,
  value: number,
  metricName: string,
  exemplar: null | undefined,
  sharedLabels: Record<string, string>,
): {
  labels: Record<string, string | number>
  sharedLabels: Record<string, string>
  value: number
  metricName: string
  exemplar: null | undefined
} {
  return { labels, sharedLabels, value, metricName, exemplar }
}

/** One server's metrics. */
export class ServerMetrics {
  readonly registry = new Registry()
  readonly #tally = new RequestTally()

  constructor(emulator: Emulator) {
    const registers = [this.registry]
    const tally = this.#tally
    new Counter({
      name: 'kms_bench_requests_total',
      help: 'KMS API calls answered, by operation and outcome (ok or the AWS error code)',
      labelNames: ['operation', 'outcome'],
      registers,
      collect() {
        // The tally keeps the totals: the counter is rebuilt from them at each scrape.
        this.reset()
        for (const c of tally.outcomes) this.inc({ operation: c.operation, outcome: c.outcome }, c.n)
      },
    })
    new TallyHistogram(tally, registers)
    const pools = (): ReturnType<Emulator['usage']>['pools'] => emulator.usage().pools
    const poolGauge = (name: string, help: string, value: (p: ReturnType<typeof pools>[number]) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: POOL_LABELS,
        registers,
        collect() {
          this.reset()
          for (const p of pools()) {
            const v = value(p)
            if (Number.isFinite(v)) this.set({ account: p.account, region: p.region, pool: p.pool }, v)
          }
        },
      })
    }
    const poolCounter = (name: string, help: string, value: (p: ReturnType<typeof pools>[number]) => number): void => {
      new Counter({
        name,
        help,
        labelNames: POOL_LABELS,
        registers,
        collect() {
          // The meter keeps the totals: the counter is rebuilt from them at each scrape.
          this.reset()
          for (const p of pools()) this.inc({ account: p.account, region: p.region, pool: p.pool }, value(p))
        },
      })
    }
    poolCounter(
      'kms_bench_quota_throttled_total',
      'Calls the quota throttled, per account, Region and pool',
      (p) => p.throttled,
    )
    poolCounter(
      'kms_bench_quota_accepted_total',
      'Calls the quota admitted, per account, Region and pool',
      (p) => p.accepted,
    )
    poolGauge('kms_bench_quota_limit', 'Requests per second in force, per account, Region and pool', (p) => p.limit)
    poolGauge(
      'kms_bench_quota_peak_utilization',
      'Busiest second so far (accepted + throttled) over the limit',
      (p) => p.utilization,
    )
    new Gauge({
      name: 'kms_bench_quota_utilization',
      help: "The last metered second's calls (accepted + throttled) over the limit",
      labelNames: POOL_LABELS,
      registers,
      collect() {
        this.reset()
        const usage = emulator.usage()
        const last = new Map<string, number>()
        for (const s of usage.seconds) last.set(s.key, s.accepted + s.throttled)
        for (const p of usage.pools) {
          const n = last.get(`${p.account}/${p.region}/${p.pool}`) ?? 0
          if (p.limit > 0) this.set({ account: p.account, region: p.region, pool: p.pool }, n / p.limit)
        }
      },
    })
  }

  /** Counts one answered call. */
  observe(operation: string, outcome: string, seconds: number): void {
    this.#tally.observe(operation, outcome, seconds)
  }

  /** The exposition text, and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType }
  }
}
