import { describe, expect, it } from 'vitest'
import { coreHarness, failure } from '../test-support.ts'

describe('DeleteAlias', () => {
  it('deletes the alias, not the key', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('CreateAlias', { AliasName: 'alias/gone', TargetKeyId: keyId })
    expect(call('DeleteAlias', { AliasName: 'alias/gone' })).toEqual({})
    expect(failure(() => call('DescribeKey', { KeyId: 'alias/gone' })).name).toBe('NotFoundException')
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata?.KeyState).toBe('Enabled')
    call('CreateAlias', { AliasName: 'alias/gone', TargetKeyId: keyId })
  })

  it('works whatever the key state', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('CreateAlias', { AliasName: 'alias/p', TargetKeyId: keyId })
    call('ScheduleKeyDeletion', { KeyId: keyId })
    call('DeleteAlias', { AliasName: 'alias/p' })
    expect(call('ListAliases', { KeyId: keyId }).Aliases).toEqual([])
  })

  it('refuses unknown aliases, names without the prefix and AWS managed aliases', () => {
    const { call } = coreHarness()
    expect(failure(() => call('DeleteAlias', { AliasName: 'alias/none' }))).toMatchObject({
      name: 'NotFoundException',
      message: 'Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.',
    })
    expect(failure(() => call('DeleteAlias', { AliasName: 'none' })).name).toBe('ValidationException')
    call('DescribeKey', { KeyId: 'alias/aws/s3' })
    expect(failure(() => call('DeleteAlias', { AliasName: 'alias/aws/s3' })).name).toBe('NotAuthorizedException')
    expect(call('DescribeKey', { KeyId: 'alias/aws/s3' }).KeyMetadata?.KeyManager).toBe('AWS')
    expect(failure(() => call('DeleteAlias', {} as never)).message).toContain("Value null at 'aliasName'")
  })
})
