import { describe, expect, it } from 'vitest'
import { sdkRetry } from './client/index.ts'
import { callKms, Flight, kmsCall, sleep, wait } from './engine/index.ts'
import { type KmsCallSpec, type KmsOutcome, type Mitigation, defineScenario } from './scenario/index.ts'
import { runScenario } from './runner.ts'
import { neverSettles } from './test-support.ts'

const retryLayer = (s: Parameters<typeof sdkRetry>[0]): Mitigation => sdkRetry(s)

describe('runScenario in virtual time', () => {
  it('keys in custom key stores: both pools count every call, the store term adds to latency, assumptions say so', async () => {
    const s = defineScenario({
      name: 'stores',
      duration: 2,
      keys: [
        { name: 'xks', customKeyStore: 'EXTERNAL_KEY_STORE' },
        { name: 'hsm', customKeyStore: 'AWS_CLOUDHSM' },
      ],
      arrivals: { shape: 'constant', rate: 1_000 },
      requests: [{ kind: 'encrypt', key: 'xks' }],
      variants: [{ name: 'xks' }, { name: 'hsm', requests: [{ kind: 'encrypt', key: 'hsm' }] }],
      latency: {
        default: { type: 'constant', ms: 10 },
        customKeyStore: { EXTERNAL_KEY_STORE: { type: 'constant', ms: 25 } },
      },
    })
    const r = await runScenario(s, { retryLayer, retry: { mode: 'none', maxAttempts: 1 } })
    const [xks, hsm] = r.variants as [(typeof r.variants)[0], (typeof r.variants)[0]]
    // 10 ms of service time plus 25 ms per XKS proxy round trip; CloudHSM has no term in this spec.
    expect(xks.serviceTimeMs.p50).toBeCloseTo(35, 0)
    expect(hsm.serviceTimeMs.p50).toBeCloseTo(10, 0)
    const store = xks.quota.find((p) => p.pool.startsWith('custom-key-store:'))
    const symmetric = xks.quota.find((p) => p.pool === 'symmetric')
    expect(store).toMatchObject({ accepted: 2_000, throttled: 0, limit: 1_800 })
    expect(symmetric?.accepted).toBe(2_000)
    expect(
      r.assumptions.some((a) => a.includes('custom key stores also wait') && a.includes('XKS proxy constant 25 ms')),
    ).toBe(true)
  })

  it('offered twice the quota: exactly half of the requests are throttled, every second', async () => {
    const s = defineScenario({
      name: 'twice',
      duration: 10,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 20_000 },
      requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
      quotas: { symmetric: 10_000 },
    })
    const r = await runScenario(s, { retryLayer, retry: { mode: 'none', maxAttempts: 1 }, latency: 'none' })
    const v = r.variants[0]!
    expect(r.complete).toBe(true)
    expect(v.offered).toEqual({ requests: 200_000, ratePerSecond: 20_000 })
    expect(v.completed).toEqual({
      succeeded: 100_000,
      throttled: 100_000,
      failed: 0,
      timedOut: 0,
      dropped: 0,
      errors: { ThrottlingException: 100_000 },
    })
    expect(v.kms).toMatchObject({
      calls: 200_000,
      throttled: 100_000,
      failed: 0,
      callsPerRequest: 1,
      byOperation: { GenerateDataKey: { calls: 200_000, throttled: 100_000, failed: 0 } },
    })
    expect(v.throttleRate).toBe(0.5)
    expect(v.retries).toBe(0)
    expect(v.timeline).toHaveLength(10)
    for (const e of v.timeline)
      expect(e).toMatchObject({
        offered: 20_000,
        achieved: 20_000,
        succeeded: 10_000,
        throttled: 10_000,
        kmsCalls: 20_000,
        kmsThrottled: 10_000,
      })
    const pool = v.quota.find((p) => p.pool === 'symmetric')!
    expect(pool).toMatchObject({
      limit: 10_000,
      accepted: 100_000,
      throttled: 100_000,
      peakPerSecond: 20_000,
      utilization: 2,
      throttledSeconds: 10,
    })
    expect(v.timeline[3]!.poolAccepted['111122223333/us-east-1/symmetric']).toBe(10_000)
    // Throttled calls are free: 100,000 billed requests.
    expect(v.billing?.symmetricRequests).toBe(100_000)
    expect(v.costUsd.billedKeys).toBe(1)
  })

  it("retries as the SDK does by default: without a retry layer, standard mode with 3 attempts (the CLI's layer)", async () => {
    const s = defineScenario({
      name: 'default-retries',
      duration: 5,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 200 },
      requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
      quotas: { symmetric: 100 },
    })
    const plain = await runScenario(s, { latency: 'none' })
    const v = plain.variants[0]!
    expect(v.mitigations[0]).toMatchObject({ name: 'sdk-retry', params: { mode: 'standard', maxAttempts: 3 } })
    expect(v.retries).toBeGreaterThan(0)
    expect(v.kms.calls).toBe(v.offered.requests + v.retries)
    expect(v.mitigations[0]!.assumptions.some((a) => a.startsWith('SDK retries: js-v3 standard, 3 attempts'))).toBe(
      true,
    )
    expect(plain.assumptions.some((a) => a.includes('not retried'))).toBe(false)
    // The same run as with the layer the CLI passes, figure for figure.
    const layered = await runScenario(s, { latency: 'none', retryLayer })
    expect(plain.variants).toEqual(layered.variants)
    // `retry: none` is the explicit way to make one attempt.
    const once = (await runScenario(s, { latency: 'none', retry: { mode: 'none', maxAttempts: 1 } })).variants[0]!
    expect(once.retries).toBe(0)
    expect(once.kms.calls).toBe(once.offered.requests)
    expect(once.completed.throttled).toBe(500)
  })

  it('a scale model throttles the same fraction at a tenth of the rate', async () => {
    const s = defineScenario({
      name: 'scaled',
      duration: 10,
      region: 'eu-north-1',
      keys: [{ name: 'k' }],
      principals: ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::111122223333:role/b'],
      fleet: { hosts: 2 },
      arrivals: { shape: 'constant', rate: 30_000 },
      requests: [{ kind: 'encrypt', key: 'k' }],
    })
    const r = await runScenario(s, {
      retryLayer,
      retry: { mode: 'none', maxAttempts: 1 },
      scale: 0.1,
      latency: 'none',
    })
    const v = r.variants[0]!
    expect(r.scale).toBe(0.1)
    expect(r.assumptions.some((a) => a.includes('scale model'))).toBe(true)
    // eu-north-1's default symmetric quota is 10,000/s: 1,000/s at scale 0.1, 2/3 of 3,000/s throttled.
    // As run: 30,000 offered, 20,000 throttled; reported at full size: ten times that.
    expect(v.asRun).toMatchObject({ scale: 0.1, offered: { requests: 30_000 }, completed: { throttled: 20_000 } })
    expect(v.offered).toEqual({ requests: 300_000, ratePerSecond: 30_000 })
    expect(v.completed.throttled).toBe(200_000)
    expect(v.completed.errors).toEqual({ ThrottlingException: 200_000 })
    expect(v.throttleRate).toBeCloseTo(2 / 3, 12)
    expect(v.quota.find((p) => p.pool === 'symmetric')).toMatchObject({ limit: 10_000, peakPerSecond: 30_000 })
    // Cost at full size: 100,000 served Encrypt calls (10,000/s × 10 s) at $0.03 per 10,000, less
    // the 20,000-request monthly free tier prorated to 10 s of a 730-hour month; the as-run figure
    // is a tenth's.
    expect(v.costUsd.requests).toBeCloseTo(((100_000 - (20_000 * 10) / (730 * 3600)) * 0.03) / 10_000, 12)
    expect(v.asRun!.costUsd.requests).toBeLessThan(v.costUsd.requests / 5)
    // Who uses the quota, at full size like the rest: arrivals alternate between the two hosts
    // (one principal each), 1,500/s each as run, of which 1,000/s throttled (1,000/s of 3,000/s pass).
    expect(v.kms.byCaller).toEqual({
      'arn:aws:iam::111122223333:role/a': { calls: 150_000, throttled: 100_000 },
      'arn:aws:iam::111122223333:role/b': { calls: 150_000, throttled: 100_000 },
    })
    expect(v.kms.byAccount).toEqual({ '111122223333': { calls: 300_000, throttled: 200_000 } })
    expect(v.kms.byKey).toEqual({ k: { calls: 300_000, throttled: 200_000 } })
    expect(v.asRun?.kms.byCaller?.['arn:aws:iam::111122223333:role/a']).toEqual({ calls: 15_000, throttled: 10_000 })
    expect(v.asRun?.kms.byAccount).toEqual({ '111122223333': { calls: 30_000, throttled: 20_000 } })
  })

  it('is deterministic: the same scenario and seed give identical variants', async () => {
    const s = defineScenario({
      name: 'busy',
      duration: 8,
      seed: 99,
      keys: [{ name: 'k' }, { name: 's3' }],
      fleet: { hosts: 7 },
      tenants: { count: 50, distribution: { zipf: 1.2 } },
      arrivals: { shape: 'poisson', rate: 4000 },
      latency: 'aws',
      quotas: { symmetric: 2500 },
      requests: [
        { kind: 'envelope-encrypt', key: 'k', payloadBytes: { min: 100, max: 5000 }, weight: 3 },
        { kind: 'decrypt', key: 'k', weight: 2 },
        { kind: 's3-put', key: 's3', bucket: 'bucket-a', objects: 100, weight: 2 },
        { kind: 's3-get', key: 's3', bucket: 'bucket-a', objects: 20, weight: 1 },
      ],
      variants: [{ name: 'standard' }, { name: 'adaptive', retry: { mode: 'adaptive', maxAttempts: 4 } }],
    })
    const a = await runScenario(s, { retryLayer })
    const b = await runScenario(s, { retryLayer })
    expect(JSON.stringify(b.variants)).toBe(JSON.stringify(a.variants))
    expect(a.variants[0]!.kms.throttled).toBeGreaterThan(0)
    expect(a.variants[0]!.retries).toBeGreaterThan(0)
    expect(a.variants[0]!.latencyMs.p50).toBeGreaterThan(5)
    const c = await runScenario(s, { retryLayer, seed: 100 })
    expect(JSON.stringify(c.variants)).not.toBe(JSON.stringify(a.variants))
    // Variants see the same arrivals.
    expect(a.variants[1]!.offered).toEqual(a.variants[0]!.offered)
  })

  it('measures latency from the intended send time, with service time from the latency model', async () => {
    const s = defineScenario({
      name: 'latency',
      duration: 2,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 500 },
      latency: { default: { type: 'constant', ms: 20 } },
      requests: [{ kind: 'encrypt', key: 'k' }],
    })
    const v = (await runScenario(s, { retryLayer })).variants[0]!
    // HDR reports a bucket's highest equivalent value: 20 ms at 3 significant digits.
    expect(v.latencyMs.count).toBe(1000)
    for (const x of [
      v.latencyMs.p50,
      v.latencyMs.p99,
      v.latencyMs.max,
      v.kmsCallLatency.latencyMs.p50,
      v.serviceTimeMs.p50,
    ])
      expect(x).toBeCloseTo(20, 1)
  })

  it('runs mitigations written against the effect protocol: single-flight waits and background processes', async () => {
    let seen: KmsCallSpec[] = []
    const singleFlight: Mitigation = {
      name: 'test-single-flight',
      params: {},
      start: () => ({
        wrap(next, host) {
          let flight: Flight<KmsOutcome> | undefined
          return function* (call) {
            seen.push(call)
            if (flight !== undefined) return yield* wait(flight)
            const f = new Flight<KmsOutcome>()
            flight = f
            const out = yield* next(call)
            f.resolve(out)
            void host
            return out
          }
        },
        background(host) {
          return (function* () {
            for (;;) {
              yield* sleep(100)
              yield* callKms(
                (c) =>
                  (function* () {
                    return (yield c) as KmsOutcome
                  })(),
                kmsCall('DescribeKey', { KeyId: 'alias/aws/s3' }, host.caller),
              )
            }
          })()
        },
        stats: () => ({ calls: seen.length }),
      }),
    }
    const s = defineScenario({
      name: 'flights',
      duration: 3,
      keys: [{ name: 'k' }],
      fleet: { hosts: 2 },
      arrivals: { shape: 'constant', rate: 1000 },
      latency: { default: { type: 'constant', ms: 50 } },
      requests: [{ kind: 'envelope-encrypt', key: 'k' }],
      variants: [{ name: 'sf', mitigations: [singleFlight] }],
    })
    seen = []
    const v = (await runScenario(s, { retryLayer, retry: { mode: 'none', maxAttempts: 1 } })).variants[0]!
    expect(v.completed.succeeded).toBe(3000)
    // One GenerateDataKey per host; every other request joined a flight.
    expect(v.kms.byOperation['GenerateDataKey']?.calls).toBe(2)
    // The first requests waited for the flight: up to 50 ms.
    expect(v.latencyMs.max).toBeCloseTo(50, 0)
    // Background loops: sleep 100 ms + a 50 ms DescribeKey per host while requests ran (~20 each).
    const describes = v.kms.byOperation['DescribeKey']?.calls ?? 0
    expect(describes).toBeGreaterThanOrEqual(38)
    expect(describes).toBeLessThanOrEqual(42)
    expect(v.mitigations[1]).toMatchObject({ name: 'test-single-flight', stats: { calls: 3000 } })
  })

  it("models S3 SSE-KMS calls: made on the caller's behalf, object ARN context, counted on the caller's quota", async () => {
    const calls: KmsCallSpec[] = []
    const spy: Mitigation = {
      name: 'spy',
      params: {},
      start: () => ({
        wrap: (next) => (call) => {
          calls.push(call)
          return next(call)
        },
      }),
    }
    const s = defineScenario({
      name: 's3',
      duration: 1,
      keys: [{ name: 'k' }],
      principals: ['arn:aws:iam::111122223333:role/uploader'],
      arrivals: { shape: 'constant', rate: 10 },
      requests: [{ kind: 's3-put', key: 'k', bucket: 'my-bucket', objects: 5, prefix: 'in/' }],
      variants: [{ name: 'v', mitigations: [spy] }],
    })
    const v = (await runScenario(s, { retryLayer })).variants[0]!
    expect(v.completed.succeeded).toBe(10)
    const c = calls[0]!
    expect(c.operation).toBe('GenerateDataKey')
    expect(c.caller).toMatchObject({
      account: '111122223333',
      principal: 'arn:aws:iam::111122223333:role/uploader',
      viaService: 's3.us-east-1.amazonaws.com',
    })
    expect((c.input as { EncryptionContext: Record<string, string> }).EncryptionContext['aws:s3:arn']).toMatch(
      /^arn:aws:s3:::my-bucket\/in\/[0-4]$/,
    )
    expect(c.meta.s3).toMatchObject({
      operation: 'PUT',
      bucket: 'my-bucket',
      requester: 'arn:aws:iam::111122223333:role/uploader',
    })
    expect(v.quota.find((p) => p.pool === 'symmetric')?.account).toBe('111122223333')
  })

  it('runs custom sequences and generator requests', async () => {
    const s = defineScenario({
      name: 'custom',
      duration: 1,
      keys: [{ name: 'a' }, { name: 'b' }],
      arrivals: { shape: 'constant', rate: 20 },
      requests: [
        {
          kind: 'sequence',
          name: 'wrap-unwrap',
          steps: [
            { operation: 'GenerateDataKey', key: 'a' },
            { operation: 'Decrypt', key: 'a', ciphertextFrom: 0 },
          ],
        },
        {
          kind: 'custom',
          name: 'describe-both',
          *run(ctx) {
            const a = yield* ctx.call('DescribeKey', { KeyId: ctx.keys.get('a')!.arn })
            if (!a.ok) return 'failed'
            yield* ctx.call('DescribeKey', { KeyId: ctx.keys.get('b')!.keyId })
            return undefined
          },
        },
      ],
    })
    const v = (await runScenario(s, { retryLayer })).variants[0]!
    expect(v.completed).toMatchObject({ succeeded: 20, failed: 0 })
    expect(v.kms.byOperation['GenerateDataKey']!.calls + v.kms.byOperation['DescribeKey']!.calls / 2).toBe(20)
    expect(v.kms.byOperation['Decrypt']!.calls).toBe(v.kms.byOperation['GenerateDataKey']!.calls)
  })

  it('stops requests that wait past their deadline: timed out at exactly the deadline', async () => {
    // A flight nobody settles: every request waits for it until its deadline (29 s by default).
    const s = defineScenario({
      name: 'stuck',
      duration: 2,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 5 },
      requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
      variants: [{ name: 'v', mitigations: [neverSettles] }],
    })
    const r = await runScenario(s, { retryLayer, retry: { mode: 'none', maxAttempts: 1 }, latency: 'none' })
    const v = r.variants[0]!
    expect(v.completed).toEqual({
      succeeded: 0,
      throttled: 0,
      failed: 0,
      timedOut: 10,
      dropped: 0,
      errors: { TimedOut: 10 },
    })
    // Every one at exactly 29 s (the histogram keeps 3 significant digits).
    const within = (ms: number | undefined, exact: number): boolean =>
      ms !== undefined && ms >= exact && ms <= exact * 1.001
    const t = v.outcomes.timedOut?.latencyMs
    expect(t?.count).toBe(10)
    expect(within(t?.p50, 29_000) && within(t?.max, 29_000)).toBe(true)
    expect(r.deadline).toMatchObject({ ms: 29_000 })
    // Each stopped at its own deadline: arrivals at 0, 0.2, ... 1.8 s end at 29, 29.2, ... 30.8 s.
    expect(v.timeline.findLast((e) => (e.timedOut ?? 0) > 0)?.second).toBe(30)
    // Per request kind: a 500 ms deadline on the kind wins over the scenario's 10 s.
    const own = await runScenario(
      defineScenario({ ...s, timeout: '10s', requests: [{ ...s.requests[0]!, timeout: '500ms' }] }),
      { retryLayer, retry: { mode: 'none', maxAttempts: 1 }, latency: 'none' },
    )
    expect(own.variants[0]!.outcomes.timedOut?.latencyMs.count).toBe(10)
    expect(within(own.variants[0]!.outcomes.timedOut?.latencyMs.max, 500)).toBe(true)
    // --timeout replaces both.
    const cli = await runScenario(s, {
      retryLayer,
      retry: { mode: 'none', maxAttempts: 1 },
      latency: 'none',
      timeoutMs: 1234,
    })
    expect(within(cli.variants[0]!.outcomes.timedOut?.latencyMs.max, 1234)).toBe(true)
    expect(within(cli.variants[0]!.outcomes.timedOut?.latencyMs.p50, 1234)).toBe(true)
  })

  it('ends requests that can never finish as timed out, with the time they waited, and ends the run', async () => {
    // With a deadline longer than the drain bound (one simulated hour), the drain ends them.
    const s = defineScenario({
      name: 'stuck',
      duration: 2,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 5 },
      requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
      variants: [{ name: 'v', mitigations: [neverSettles] }],
    })
    const r = await runScenario(s, {
      retryLayer,
      retry: { mode: 'none', maxAttempts: 1 },
      latency: 'none',
      timeoutMs: 10 * 3_600_000,
    })
    const v = r.variants[0]!
    expect(v.completed).toEqual({
      succeeded: 0,
      throttled: 0,
      failed: 0,
      timedOut: 10,
      dropped: 0,
      errors: { DrainAbort: 10 },
    })
    expect(v.outcomes.timedOut?.latencyMs.count).toBe(10)
    // Arrivals at 0, 0.2, ... 1.8 s; the run gave them one simulated hour after the last one.
    expect(v.outcomes.timedOut?.latencyMs.p50).toBeGreaterThan(3_600_000)
    expect(v.outcomes.timedOut?.latencyMs.max).toBeCloseTo(3_601_800, -4)
    expect(r.assumptions.some((x) => x.includes('10 requests were still in flight'))).toBe(true)
  })

  it('stops scheduling on abort and marks the result incomplete', async () => {
    const controller = new AbortController()
    const s = defineScenario({
      name: 'long',
      duration: 3600,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 100_000 },
      requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
    })
    let calls = 0
    const r = await runScenario(s, {
      retryLayer,
      signal: controller.signal,
      onProgress: () => {
        if (++calls === 2) controller.abort()
      },
    })
    expect(r.complete).toBe(false)
    expect(r.variants[0]!.offered.requests).toBeLessThan(360_000_000)
    expect(r.variants[0]!.offered.requests).toBeGreaterThan(0)
  })
})
