import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import { createEmulator, type Emulator } from '../emulator.ts'
import { startKmsServer, type KmsServer } from './http.ts'

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
