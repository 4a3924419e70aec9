/** Faults on the emulator's call path and at the endpoint, as AWS would show them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import { createEmulator, type Emulator } from '../emulator.ts'
import { defineScenario, runScenario } from '../load/index.ts'
import { startKmsServer, type KmsServer } from '../server/index.ts'

describe('faults on the emulator call path', () => {
  it('answers the injected errors, audits them with their errorCode, and throttles beyond the quota', () => {
    const clock = new VirtualClock()
    const kms = createEmulator({
      clock,
      profile: 'aws-default',
      faults: [
        { kind: 'DependencyTimeoutException', operations: ['Encrypt'], start: 1, duration: 1 },
        { kind: 'ThrottlingException', operations: ['Encrypt'], start: 3, duration: 1 },
      ],
    })
    const key = kms.callSync('CreateKey', {}).KeyMetadata?.KeyId as string
    const codes: string[] = []
    // 10 Encrypts per second for 5 s.
    for (let i = 0; i < 50; i++) {
      const r = kms.tryCall('Encrypt', { KeyId: key, Plaintext: new Uint8Array([1]) })
      codes.push(r.ok ? 'ok' : r.error.name)
      clock.advance(100)
    }
    expect(codes.filter((c) => c === 'DependencyTimeoutException')).toHaveLength(10)
    expect(codes.filter((c) => c === 'ThrottlingException')).toHaveLength(10)
    expect(codes.slice(10, 20).every((c) => c === 'DependencyTimeoutException')).toBe(true)
    const audited = kms.auditEvents().filter((e) => e.eventName === 'Encrypt')
    expect(audited.filter((e) => e.errorCode === 'DependencyTimeoutException')).toHaveLength(10)
    expect(audited.filter((e) => e.errorCode === 'ThrottlingException')).toHaveLength(10)
    // The injected 5xx calls were admitted (they used the quota); the injected throttles were not.
    const pool = kms.usage().pools.find((p) => p.pool === 'symmetric')
    expect(pool?.accepted).toBe(40)
  })

  it('a scenario brown-out: exact failures with no retries, added latency from the fault', async () => {
    const s = defineScenario({
      name: 'brown-out',
      duration: 10,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 100 },
      requests: [{ kind: 'encrypt', key: 'k' }],
      latency: 'none',
      retry: { mode: 'none', maxAttempts: 1 },
      faults: [{ kind: 'KMSInternalException', start: '3s', duration: '2s' }],
      variants: [{ name: 'errors' }, { name: 'slow', faults: [{ kind: 'latency', latency: { ms: 200 } }] }],
    })
    const r = await runScenario(s)
    const [errors, slow] = r.variants
    // 100/s × 2 s in the window = 200 failed calls, all KMSInternalException.
    expect(errors?.completed.failed).toBe(200)
    expect(errors?.completed.succeeded).toBe(800)
    expect(errors?.kms.calls).toBe(1000)
    expect(slow?.completed.succeeded).toBe(1000)
    expect(slow?.latencyMs.p50).toBeCloseTo(200, 0)
    expect(slow?.latencyMs.max).toBeCloseTo(200, 0)
    expect(r.assumptions.join('\n')).toContain('errors: Injected fault: KMSInternalException on 100 % of calls')
  })
})

describe('faults at the endpoint', () => {
  let emulator: Emulator
  let server: KmsServer
  beforeAll(async () => {
    emulator = createEmulator({
      profile: 'none',
      faults: [
        { kind: 'KMSInternalException', operations: ['GenerateRandom'] },
        { kind: 'reset', operations: ['ListKeys'] },
        { kind: 'hang', operations: ['ListAliases'] },
      ],
    })
    server = await startKmsServer({ emulator, port: 0, drainTimeoutMs: 200 })
  })
  afterAll(async () => {
    await server.close()
  })
  const post = (op: string, signal?: AbortSignal): Promise<Response> =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'X-Amz-Target': `TrentService.${op}`, 'Content-Type': 'application/x-amz-json-1.1' },
      body: op === 'GenerateRandom' ? '{"NumberOfBytes":8}' : '{}',
      ...(signal !== undefined ? { signal } : {}),
    })

  it('answers 500 KMSInternalException, resets the connection, or never answers', async () => {
    const r = await post('GenerateRandom')
    expect(r.status).toBe(500)
    expect(((await r.json()) as { __type: string }).__type).toBe('KMSInternalException')
    await expect(post('ListKeys')).rejects.toThrow()
    const ac = new AbortController()
    const hung = post('ListAliases', ac.signal)
    const winner = await Promise.race([
      hung.then(
        () => 'answered',
        () => 'aborted',
      ),
      new Promise((r) => setTimeout(() => r('pending'), 300)),
    ])
    expect(winner).toBe('pending')
    ac.abort()
    await expect(hung).rejects.toThrow()
    expect((await post('CreateKey')).status).toBe(200)
  })
})
