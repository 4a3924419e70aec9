import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import { createEmulator } from '../emulator.ts'
import { resolveQuotaConfig } from './config.ts'
import { QuotaGate } from './gate.ts'

describe('QuotaGate', () => {
  function setup(quotas: Record<string, number> = {}): {
    gate: QuotaGate
    clock: VirtualClock
    kms: ReturnType<typeof createEmulator>
  } {
    const clock = new VirtualClock()
    // the emulator only supplies the real key lookups (its own gate is off)
    const kms = createEmulator({ clock, profile: 'none', audit: { capacity: 0 } })
    return { gate: new QuotaGate(resolveQuotaConfig({ quotas, usageRetentionSeconds: 100 })!, clock), clock, kms }
  }

  it('keeps memory bounded over a long run with a new hot key every second', () => {
    const { gate, clock, kms } = setup()
    const caller = kms.core.caller(undefined)
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    let afterWarmup = 0
    for (let s = 0; s < 20_000; s++) {
      clock.advance(1000)
      gate.admit('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array(1) }, caller, kms.core)
      gate.admit('DisableKey', { KeyId: `k-${s}` }, caller, kms.core)
      if (s === 3000) afterWarmup = gate.slotCount
    }
    expect(gate.slotCount).toBeLessThanOrEqual(afterWarmup)
    expect(gate.slotCount).toBeLessThan(1100)
    // symmetric + api:DisableKey + hot-key: 100 retained windows each, plus the live ones
    expect(gate.usage().seconds.length).toBeLessThanOrEqual(3 * 101)
    expect(gate.usage().pools.find((p) => p.pool === 'symmetric')?.accepted).toBe(20_000)
  })

  it('charges nothing for an operation it does not meter and forgets everything on reset', () => {
    const { gate, kms } = setup({ symmetric: 1 })
    const caller = kms.core.caller(undefined)
    expect(gate.admit('NotAnOperation', {}, caller, kms.core)).toBe(true)
    expect(gate.admit('GenerateRandom', { NumberOfBytes: 8 }, caller, kms.core)).toBe(true)
    expect(gate.admit('GenerateRandom', { NumberOfBytes: 8 }, caller, kms.core)).toBe(false)
    expect(gate.usage().pools).toHaveLength(1)
    gate.reset()
    expect(gate.usage()).toEqual({ pools: [], seconds: [] })
    expect(gate.admit('GenerateRandom', { NumberOfBytes: 8 }, caller, kms.core)).toBe(true)
  })

  it('charges GenerateRandom with a CustomKeyStoreId to that store as well', () => {
    const { gate, kms } = setup({ 'custom-key-store': 2 })
    const caller = kms.core.caller(undefined)
    const random = (store?: string): boolean =>
      gate.admit(
        'GenerateRandom',
        { NumberOfBytes: 8, ...(store !== undefined ? { CustomKeyStoreId: store } : {}) },
        caller,
        kms.core,
      )
    expect([random('cks-1'), random('cks-1'), random('cks-1'), random('cks-2'), random()]).toEqual([
      true,
      true,
      false,
      true,
      true,
    ])
    expect(gate.usage().pools.map((p) => [p.pool, p.accepted, p.throttled])).toEqual([
      ['custom-key-store:cks-1', 2, 1],
      ['custom-key-store:cks-2', 1, 0],
      ['symmetric', 4, 0],
    ])
  })

  it('re-picks the pool of a repeated call once the key behind its KeyId changes (memo invalidation)', () => {
    const { gate, kms } = setup({ symmetric: 100, rsa: 100 })
    const caller = kms.core.caller(undefined)
    const symmetric = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    const rsa = kms.callSync('CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }).KeyMetadata!.KeyId
    kms.callSync('CreateAlias', { AliasName: 'alias/app', TargetKeyId: symmetric })
    const input = { KeyId: 'alias/app', Plaintext: new Uint8Array(1) }
    for (let i = 0; i < 3; i++) gate.admit('Encrypt', input, caller, kms.core)
    // UpdateAlias cannot move an alias to another key type: delete and re-create it.
    kms.callSync('DeleteAlias', { AliasName: 'alias/app' })
    kms.callSync('CreateAlias', { AliasName: 'alias/app', TargetKeyId: rsa })
    for (let i = 0; i < 2; i++) gate.admit('Encrypt', input, caller, kms.core)
    const accepted = Object.fromEntries(gate.usage().pools.map((p) => [p.pool, p.accepted]))
    expect(accepted).toEqual({ symmetric: 3, rsa: 2 })
  })
})
