import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import { coreHarness, failure } from '../test-support.ts'

const message = Buffer.from('some important message')

describe('GenerateMac', () => {
  it.each([
    ['HMAC_224', 'HMAC_SHA_224', 'sha224', 28],
    ['HMAC_256', 'HMAC_SHA_256', 'sha256', 32],
    ['HMAC_384', 'HMAC_SHA_384', 'sha384', 48],
    ['HMAC_512', 'HMAC_SHA_512', 'sha512', 64],
  ] as const)('%s with %s is the HMAC of the message under the key material', (spec, algorithm, hash, length) => {
    const { call, createKey, record } = coreHarness()
    const key = createKey(spec, 'GENERATE_VERIFY_MAC')
    const out = call('GenerateMac', { KeyId: key.KeyId, Message: message, MacAlgorithm: algorithm })
    expect(out).toMatchObject({ KeyId: key.Arn, MacAlgorithm: algorithm })
    const secret = record(key.KeyId).material.versions[0]?.secret as Buffer
    expect(secret.length).toBe(length)
    expect(Buffer.from(out.Mac as Uint8Array).equals(createHmac(hash, secret).update(message).digest())).toBe(true)
    // Deterministic: the same message gives the same MAC.
    expect(
      Buffer.from(
        call('GenerateMac', { KeyId: key.KeyId, Message: message, MacAlgorithm: algorithm }).Mac as Uint8Array,
      ).equals(Buffer.from(out.Mac as Uint8Array)),
    ).toBe(true)
  })

  it('the algorithm must match the key spec (message recorded against AWS); unknown ones fail validation', () => {
    const { call, createKey } = coreHarness()
    const key = createKey('HMAC_224', 'GENERATE_VERIFY_MAC')
    expect(
      failure(() => call('GenerateMac', { KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' })),
    ).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: 'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.',
    })
    // The enum order in the text is validate.ts's business; AWS lists the set in hash order.
    expect(
      failure(() =>
        call('GenerateMac', { KeyId: key.KeyId, Message: message, MacAlgorithm: 'INVALID' as 'HMAC_SHA_256' }),
      ).message,
    ).toMatch(
      /^1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    )
  })

  it('needs a GENERATE_VERIFY_MAC key (message recorded against AWS) and an existing key', () => {
    const { call, createKey } = coreHarness()
    const enc = createKey()
    expect(
      failure(() => call('GenerateMac', { KeyId: enc.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_224' })),
    ).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${enc.Arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`,
    })
    expect(
      failure(() => call('GenerateMac', { KeyId: 'key_id', Message: message, MacAlgorithm: 'HMAC_SHA_224' })),
    ).toMatchObject({
      name: 'NotFoundException',
      message: "Invalid keyId 'key_id'",
    })
  })

  it('DryRun, key state, authorization and audit', () => {
    const { core, call, createKey, record } = coreHarness()
    const key = createKey('HMAC_256', 'GENERATE_VERIFY_MAC')
    expect(
      failure(() =>
        call('GenerateMac', { KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256', DryRun: true }),
      ).name,
    ).toBe('DryRunOperationException')
    const asked: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    call('GenerateMac', { KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' })
    expect(asked[0]).toMatchObject({ action: 'kms:GenerateMac', conditions: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } })
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([key.Arn])
    record(key.KeyId).state = 'Disabled'
    expect(
      failure(() => call('GenerateMac', { KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' })).name,
    ).toBe('DisabledException')
  })
})
