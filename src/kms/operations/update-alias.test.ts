import { describe, expect, it } from 'vitest'

import type { AccessRequest } from '../context.ts'
import { coreHarness, failure } from '../test-support.ts'

describe('UpdateAlias', () => {
  it('points the alias at another key; CreationDate stays, LastUpdatedDate moves', () => {
    const { clock, call, newKey } = coreHarness()
    const a = newKey()
    const b = newKey()
    call('CreateAlias', { AliasName: 'alias/current', TargetKeyId: a })
    const created = clock.now()
    clock.advance(60_000)
    expect(call('UpdateAlias', { AliasName: 'alias/current', TargetKeyId: b })).toEqual({})
    expect(call('DescribeKey', { KeyId: 'alias/current' }).KeyMetadata?.KeyId).toBe(b)
    const [entry] = call('ListAliases', { KeyId: b }).Aliases ?? []
    expect(entry?.CreationDate).toEqual(new Date(created))
    expect(entry?.LastUpdatedDate).toEqual(new Date(created + 60_000))
    expect(call('ListAliases', { KeyId: a }).Aliases).toEqual([])
  })

  it('the new key must have the same type and key usage', () => {
    const { call, newKey } = coreHarness()
    const sym = newKey()
    call('CreateAlias', { AliasName: 'alias/sym', TargetKeyId: sym })
    const hmac = newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })
    expect(failure(() => call('UpdateAlias', { AliasName: 'alias/sym', TargetKeyId: hmac })).name).toBe(
      'ValidationException',
    )
    const eccSign = newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })
    const eccAgree = newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })
    const rsaSign = newKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })
    call('CreateAlias', { AliasName: 'alias/signer', TargetKeyId: eccSign })
    expect(failure(() => call('UpdateAlias', { AliasName: 'alias/signer', TargetKeyId: eccAgree })).message).toMatch(
      /key usage SIGN_VERIFY/,
    )
    expect(failure(() => call('UpdateAlias', { AliasName: 'alias/signer', TargetKeyId: sym })).name).toBe(
      'ValidationException',
    )
    // Both asymmetric with the same usage: allowed, even across families.
    call('UpdateAlias', { AliasName: 'alias/signer', TargetKeyId: rsaSign })
    expect(call('DescribeKey', { KeyId: 'alias/signer' }).KeyMetadata?.KeySpec).toBe('RSA_2048')
    expect(call('DescribeKey', { KeyId: 'alias/sym' }).KeyMetadata?.KeyId).toBe(sym)
  })

  it('fails only when the destination key is pending deletion (key-state.html [10])', () => {
    const { call, newKey } = coreHarness()
    const a = newKey()
    const b = newKey()
    call('CreateAlias', { AliasName: 'alias/move', TargetKeyId: a })
    call('ScheduleKeyDeletion', { KeyId: b })
    expect(failure(() => call('UpdateAlias', { AliasName: 'alias/move', TargetKeyId: b })).name).toBe(
      'KMSInvalidStateException',
    )
    call('ScheduleKeyDeletion', { KeyId: a })
    call('UpdateAlias', { AliasName: 'alias/move', TargetKeyId: newKey() })
  })

  it('refuses unknown aliases, reserved names, aliases as targets and AWS managed keys', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    expect(failure(() => call('UpdateAlias', { AliasName: 'alias/none', TargetKeyId: keyId }))).toMatchObject({
      name: 'NotFoundException',
      message: 'Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.',
    })
    expect(failure(() => call('UpdateAlias', { AliasName: 'none', TargetKeyId: keyId })).name).toBe(
      'ValidationException',
    )
    expect(failure(() => call('UpdateAlias', { AliasName: 'alias/aws/s3', TargetKeyId: keyId })).name).toBe(
      'NotAuthorizedException',
    )
    call('CreateAlias', { AliasName: 'alias/x', TargetKeyId: keyId })
    expect(failure(() => call('UpdateAlias', { AliasName: 'alias/x', TargetKeyId: 'alias/x' })).name).toBe(
      'NotFoundException',
    )
    const aws = call('DescribeKey', { KeyId: 'alias/aws/s3' }).KeyMetadata?.KeyId as string
    expect(failure(() => call('UpdateAlias', { AliasName: 'alias/x', TargetKeyId: aws })).name).toBe(
      'AccessDeniedException',
    )
  })

  it('authorizes kms:UpdateAlias on both the current and the new key', () => {
    const { core, call, newKey } = coreHarness()
    const a = newKey()
    const b = newKey()
    call('CreateAlias', { AliasName: 'alias/both', TargetKeyId: a })
    const seen: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, r) => void seen.push(r) }
    call('UpdateAlias', { AliasName: 'alias/both', TargetKeyId: b })
    expect(seen.map((r) => [r.action, r.key?.keyId])).toEqual([
      ['kms:UpdateAlias', a],
      ['kms:UpdateAlias', b],
    ])
  })
})
