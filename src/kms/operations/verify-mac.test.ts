import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import type { OperationInputs } from '../model.generated.ts'
import { coreHarness, failure } from '../test-support.ts'

const message = Buffer.from('some important message')

describe('VerifyMac', () => {
  it('accepts the MAC GenerateMac made: MacValid true, key ARN, algorithm', () => {
    const { call, createKey } = coreHarness()
    for (const [spec, algorithm] of [
      ['HMAC_224', 'HMAC_SHA_224'],
      ['HMAC_512', 'HMAC_SHA_512'],
    ] as const) {
      const key = createKey(spec, 'GENERATE_VERIFY_MAC')
      const Mac = call('GenerateMac', { KeyId: key.KeyId, Message: message, MacAlgorithm: algorithm }).Mac as Uint8Array
      expect(call('VerifyMac', { KeyId: key.KeyId, Message: message, Mac, MacAlgorithm: algorithm })).toEqual({
        KeyId: key.Arn,
        MacValid: true,
        MacAlgorithm: algorithm,
      })
    }
  })

  it('a different message, a changed or truncated MAC, or another key is KMSInvalidMacException with an empty message (as recorded)', () => {
    const { call, createKey } = coreHarness()
    const key = createKey('HMAC_256', 'GENERATE_VERIFY_MAC')
    const other = createKey('HMAC_256', 'GENERATE_VERIFY_MAC')
    const Mac = Buffer.from(
      call('GenerateMac', { KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }).Mac as Uint8Array,
    )
    const flipped = Buffer.from(Mac)
    flipped[0] = (flipped[0] as number) ^ 1
    const attempts: Array<OperationInputs['VerifyMac']> = [
      { KeyId: key.KeyId, Message: Buffer.from('some different important message'), Mac, MacAlgorithm: 'HMAC_SHA_256' },
      { KeyId: key.KeyId, Message: message, Mac: flipped, MacAlgorithm: 'HMAC_SHA_256' },
      { KeyId: key.KeyId, Message: message, Mac: Mac.subarray(0, 31), MacAlgorithm: 'HMAC_SHA_256' },
      { KeyId: other.KeyId, Message: message, Mac, MacAlgorithm: 'HMAC_SHA_256' },
    ]
    for (const input of attempts)
      expect(failure(() => call('VerifyMac', input))).toMatchObject({ name: 'KMSInvalidMacException', message: '' })
  })

  it('an algorithm of another key spec is InvalidKeyUsageException (as recorded), before comparing', () => {
    const { call, createKey } = coreHarness()
    const key = createKey('HMAC_256', 'GENERATE_VERIFY_MAC')
    const Mac = call('GenerateMac', { KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' })
      .Mac as Uint8Array
    expect(
      failure(() => call('VerifyMac', { KeyId: key.KeyId, Message: message, Mac, MacAlgorithm: 'HMAC_SHA_512' })),
    ).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: 'Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.',
    })
    const enc = createKey()
    expect(
      failure(() => call('VerifyMac', { KeyId: enc.KeyId, Message: message, Mac, MacAlgorithm: 'HMAC_SHA_256' }))
        .message,
    ).toBe(`${enc.Arn} key usage is ENCRYPT_DECRYPT which is not valid for VerifyMac.`)
  })

  it('DryRun, key state, authorization and audit', () => {
    const { core, call, createKey, record } = coreHarness()
    const key = createKey('HMAC_384', 'GENERATE_VERIFY_MAC')
    const Mac = call('GenerateMac', { KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_384' })
      .Mac as Uint8Array
    expect(
      failure(() =>
        call('VerifyMac', { KeyId: key.KeyId, Message: message, Mac, MacAlgorithm: 'HMAC_SHA_384', DryRun: true }),
      ).name,
    ).toBe('DryRunOperationException')
    const asked: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    call('VerifyMac', { KeyId: key.KeyId, Message: message, Mac, MacAlgorithm: 'HMAC_SHA_384' })
    expect(asked[0]).toMatchObject({ action: 'kms:VerifyMac', conditions: { 'kms:MacAlgorithm': 'HMAC_SHA_384' } })
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([key.Arn])
    record(key.KeyId).state = 'Disabled'
    expect(
      failure(() => call('VerifyMac', { KeyId: key.KeyId, Message: message, Mac, MacAlgorithm: 'HMAC_SHA_384' })).name,
    ).toBe('DisabledException')
  })
})
