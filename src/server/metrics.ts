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

/** One server's metrics. */
export class ServerMetrics {
  readonly registry = new Registry()
  readonly #requests: Counter<'operation' | 'outcome'>
  readonly #duration: Histogram<'operation'>

  constructor(emulator: Emulator) {
    const registers = [this.registry]
    this.#requests = new Counter({
      name: 'kms_bench_requests_total',
      help: 'KMS API calls answered, by operation and outcome (ok or the AWS error code)',
      labelNames: ['operation', 'outcome'],
      registers,
    })
    this.#duration = new Histogram({
      name: 'kms_bench_request_duration_seconds',
      help: 'Time from a KMS API request arriving to its answer (modelled service time and injected latency included)',
      labelNames: ['operation'],
      // 1 ms .. 10 s: KMS answers in tens of ms, throttled retries and injected faults take longer.
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    })
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
    this.#requests.inc({ operation, outcome })
    this.#duration.observe({ operation }, seconds)
  }

  /** The exposition text, and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType }
  }
}
