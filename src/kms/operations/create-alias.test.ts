import { describe, expect, it } from 'vitest'
import { coreHarness, failure } from '../test-support.ts'

describe('CreateAlias', () => {
  it('creates an alias usable wherever a KeyId is taken', () => {
    const { clock, call, newKey } = coreHarness()
    const keyId = newKey()
    expect(call('CreateAlias', { AliasName: 'alias/app/orders-1_x', TargetKeyId: keyId })).toEqual({})
    expect(call('DescribeKey', { KeyId: 'alias/app/orders-1_x' }).KeyMetadata?.KeyId).toBe(keyId)
    expect(call('Encrypt', { KeyId: 'alias/app/orders-1_x', Plaintext: new Uint8Array([1]) }).KeyId).toContain(keyId)
    expect(call('ListAliases', { KeyId: keyId }).Aliases).toEqual([
      {
        AliasName: 'alias/app/orders-1_x',
        AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/app/orders-1_x',
        TargetKeyId: keyId,
        CreationDate: new Date(clock.now()),
        LastUpdatedDate: new Date(clock.now()),
      },
    ])
  })

  it('takes the target by key ARN, never by alias', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('CreateAlias', { AliasName: 'alias/a', TargetKeyId: `arn:aws:kms:us-east-1:111122223333:key/${keyId}` })
    expect(failure(() => call('CreateAlias', { AliasName: 'alias/b', TargetKeyId: 'alias/a' }))).toMatchObject({
      name: 'NotFoundException',
      message: "Invalid keyId 'alias/a'",
    })
    expect(
      failure(() =>
        call('CreateAlias', { AliasName: 'alias/b', TargetKeyId: 'arn:aws:kms:us-east-1:111122223333:alias/a' }),
      ).name,
    ).toBe('NotFoundException')
    expect(
      failure(() => call('CreateAlias', { AliasName: 'alias/b', TargetKeyId: '11111111-2222-3333-4444-555555555555' }))
        .name,
    ).toBe('NotFoundException')
  })

  it('requires the alias/ prefix (AWS message, LocalStack snapshot) and valid characters', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    expect(failure(() => call('CreateAlias', { AliasName: 'my-alias', TargetKeyId: keyId }))).toMatchObject({
      name: 'ValidationException',
      message:
        'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    })
    expect(failure(() => call('CreateAlias', { AliasName: 'alias/', TargetKeyId: keyId })).name).toBe(
      'ValidationException',
    )
    expect(failure(() => call('CreateAlias', { AliasName: 'alias/a:b', TargetKeyId: keyId })).name).toBe(
      'ValidationException',
    )
    expect(failure(() => call('CreateAlias', { AliasName: 'alias/with space', TargetKeyId: keyId })).message).toBe(
      "1 validation error detected: Value 'alias/with space' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
    )
    expect(
      failure(() => call('CreateAlias', { AliasName: `alias/${'a'.repeat(251)}`, TargetKeyId: keyId })).message,
    ).toContain('Member must have length less than or equal to 256')
    expect(failure(() => call('CreateAlias', { AliasName: 'alias/x' } as never)).message).toContain(
      "Value null at 'targetKeyId'",
    )
  })

  it('alias/aws/ is reserved for AWS managed keys', () => {
    const { call, newKey } = coreHarness()
    for (const AliasName of ['alias/aws/s3', 'alias/aws/my-own']) {
      expect(failure(() => call('CreateAlias', { AliasName, TargetKeyId: newKey() })).name, AliasName).toBe(
        'NotAuthorizedException',
      )
    }
  })

  it('refuses a name that exists, with the alias ARN in the message', () => {
    const { call, newKey } = coreHarness()
    call('CreateAlias', { AliasName: 'alias/dup', TargetKeyId: newKey() })
    expect(failure(() => call('CreateAlias', { AliasName: 'alias/dup', TargetKeyId: newKey() }))).toMatchObject({
      name: 'AlreadyExistsException',
      message: 'An alias with the name arn:aws:kms:us-east-1:111122223333:alias/dup already exists',
    })
  })

  it('aliases are per account and Region', () => {
    const { call, newKey } = coreHarness()
    const east = newKey()
    const west = newKey({}, { region: 'eu-west-1' })
    const other = newKey({}, { account: '444455556666' })
    call('CreateAlias', { AliasName: 'alias/same', TargetKeyId: east })
    call('CreateAlias', { AliasName: 'alias/same', TargetKeyId: west }, { region: 'eu-west-1' })
    call('CreateAlias', { AliasName: 'alias/same', TargetKeyId: other }, { account: '444455556666' })
    expect(call('DescribeKey', { KeyId: 'alias/same' }, { region: 'eu-west-1' }).KeyMetadata?.KeyId).toBe(west)
    expect(call('DescribeKey', { KeyId: 'alias/same' }).KeyMetadata?.KeyId).toBe(east)
    // A key of another Region or account cannot be the target.
    expect(failure(() => call('CreateAlias', { AliasName: 'alias/x', TargetKeyId: west })).name).toBe(
      'NotFoundException',
    )
    expect(
      failure(() =>
        call('CreateAlias', { AliasName: 'alias/x', TargetKeyId: `arn:aws:kms:us-east-1:444455556666:key/${other}` }),
      ).name,
    ).toBe('AccessDeniedException')
  })

  it('refuses AWS managed keys and keys pending deletion as targets; disabled keys are fine', () => {
    const { call, newKey } = coreHarness()
    const aws = call('DescribeKey', { KeyId: 'alias/aws/s3' }).KeyMetadata?.KeyId as string
    expect(failure(() => call('CreateAlias', { AliasName: 'alias/mine', TargetKeyId: aws })).name).toBe(
      'AccessDeniedException',
    )
    const doomed = newKey()
    call('ScheduleKeyDeletion', { KeyId: doomed })
    expect(failure(() => call('CreateAlias', { AliasName: 'alias/mine', TargetKeyId: doomed }))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `arn:aws:kms:us-east-1:111122223333:key/${doomed} is pending deletion.`,
    })
    const off = newKey()
    call('DisableKey', { KeyId: off })
    call('CreateAlias', { AliasName: 'alias/mine', TargetKeyId: off })
  })

  it('a key has at most 50 aliases', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    for (let i = 0; i < 50; i++) call('CreateAlias', { AliasName: `alias/a${i}`, TargetKeyId: keyId })
    expect(failure(() => call('CreateAlias', { AliasName: 'alias/a50', TargetKeyId: keyId })).name).toBe(
      'LimitExceededException',
    )
    call('CreateAlias', { AliasName: 'alias/a50', TargetKeyId: newKey() })
  })
})
