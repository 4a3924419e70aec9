import { spawnSync } from 'node:child_process'
import { Counter, Histogram, Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import { createEmulator, type Emulator } from '../emulator.ts'
import { startKmsServer, type KmsServer } from './http.ts'
import { ServerMetrics } from './metrics.ts'

/** promtool from Debian's prometheus package (.ci/run installs it); undefined when absent. */
function promtool(text: string): { status: number | null; out: string } | undefined {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
  if (r.error !== undefined) return undefined
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

describe('GET /metrics', () => {
  let emulator: Emulator
  let server: KmsServer
  let keyId: string
  beforeAll(async () => {
    // A virtual clock that never moves: every call falls in one quota window.
    emulator = createEmulator({ clock: new VirtualClock(), quotas: { symmetric: 5 }, audit: { capacity: 0 } })
    server = await startKmsServer({ emulator, port: 0 })
    keyId = emulator.callSync('CreateKey', {}).KeyMetadata?.KeyId as string
  })
  afterAll(async () => {
    await server.close()
  })

  it('counts calls by operation and outcome, throttles and utilisation per pool, in the Prometheus format', async () => {
    for (let i = 0; i < 10; i++) {
      await fetch(server.url, {
        method: 'POST',
        headers: { 'X-Amz-Target': 'TrentService.Encrypt', 'Content-Type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ KeyId: keyId, Plaintext: 'aGk=' }),
      })
    }
    const r = await fetch(`${server.url}/metrics`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toContain('text/plain')
    const text = await r.text()
    const value = (series: string): number | undefined => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `))
      return line === undefined ? undefined : Number(line.slice(series.length + 1))
    }
    // 10 Encrypts in one window against 5/s: 5 answered, 5 throttled.
    expect(value('kms_bench_requests_total{operation="Encrypt",outcome="ok"}')).toBe(5)
    expect(value('kms_bench_requests_total{operation="Encrypt",outcome="ThrottlingException"}')).toBe(5)
    const pool = '{account="111122223333",region="us-east-1",pool="symmetric"}'
    expect(value(`kms_bench_quota_throttled_total${pool}`)).toBe(5)
    expect(value(`kms_bench_quota_accepted_total${pool}`)).toBe(5)
    expect(value(`kms_bench_quota_limit${pool}`)).toBe(5)
    expect(value(`kms_bench_quota_utilization${pool}`)).toBe(2)
    expect(value('kms_bench_request_duration_seconds_count{operation="Encrypt"}')).toBe(10)
    const checked = promtool(text)
    if (checked === undefined) {
      console.warn('promtool not found (Debian package prometheus): the exposition format was not checked by a parser')
      return
    }
    expect(checked.out).toBe('')
    expect(checked.status).toBe(0)
  })
})

describe('ServerMetrics', () => {
  it("exposes the request counts and durations as prom-client's own Counter and Histogram would", async () => {
    const emulator = createEmulator({ clock: new VirtualClock(), audit: { capacity: 0 } })
    const metrics = new ServerMetrics(emulator)
    // The reference: the same series fed call by call to prom-client.
    const reference = new Registry()
    const requests = new Counter({
      name: 'kms_bench_requests_total',
      help: 'KMS API calls answered, by operation and outcome (ok or the AWS error code)',
      labelNames: ['operation', 'outcome'],
      registers: [reference],
    })
    const duration = new Histogram({
      name: 'kms_bench_request_duration_seconds',
      help: 'Time from a KMS API request arriving to its answer (modelled service time and injected latency included)',
      labelNames: ['operation'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [reference],
    })
    const calls: [string, string, number][] = [
      ['Encrypt', 'ok', 0.0003],
      ['Decrypt', 'InvalidCiphertextException', 0.001],
      ['Encrypt', 'ThrottlingException', 0.0017],
      ['Encrypt', 'ok', 0.0025],
      ['DescribeKey', 'ok', 12.5],
      ['Encrypt', 'ok', 0.26],
      ['Decrypt', 'ok', 3],
      ['Encrypt', 'ThrottlingException', 0],
      ['Decrypt', 'InvalidCiphertextException', 0.0049],
    ]
    for (const [operation, outcome, seconds] of calls) {
      metrics.observe(operation, outcome, seconds)
      requests.inc({ operation, outcome })
      duration.observe({ operation }, seconds)
    }
    const expected = await reference.metrics()
    const { text } = await metrics.render()
    expect(text.slice(0, expected.length - 1)).toBe(expected.slice(0, -1))
    expect(text).toContain('kms_bench_request_duration_seconds_bucket{le="0.0025",operation="Encrypt"} 4')
    expect(text).toContain('kms_bench_request_duration_seconds_bucket{le="+Inf",operation="DescribeKey"} 1')
    // The JSON form (registry.getMetricsAsJSON) matches too.
    const json = await metrics.registry.getMetricsAsJSON()
    const expectedJson = await reference.getMetricsAsJSON()
    expect(json.slice(0, 2)).toEqual(expectedJson)
  })
})
