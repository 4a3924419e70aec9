import { describe, expect, it } from 'vitest'
import { coreHarness, failure } from '../test-support.ts'

describe('DescribeKey', () => {
  it('finds a key by key id, key ARN, alias name and alias ARN', () => {
    const { call } = coreHarness()
    const created = call('CreateKey', { Description: 'test - description' }).KeyMetadata
    const keyId = created?.KeyId as string
    call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: keyId })
    for (const KeyId of [keyId, created?.Arn as string, 'alias/app', 'arn:aws:kms:us-east-1:111122223333:alias/app']) {
      expect(call('DescribeKey', { KeyId }).KeyMetadata, KeyId).toEqual(created)
    }
  })

  it('answers AWS messages for keys that do not exist (LocalStack snapshot)', () => {
    const { call } = coreHarness()
    const id = '11111111-2222-3333-4444-555555555555'
    const cases: [string, string][] = [
      [id, `Key 'arn:aws:kms:us-east-1:111122223333:key/${id}' does not exist`],
      [
        `arn:aws:kms:us-east-1:111122223333:key/${id}`,
        `Key 'arn:aws:kms:us-east-1:111122223333:key/${id}' does not exist`,
      ],
      [`mrk-${'a'.repeat(32)}`, `Key 'arn:aws:kms:us-east-1:111122223333:key/mrk-${'a'.repeat(32)}' does not exist`],
      ['fake-key-id', "Invalid keyId 'fake-key-id'"],
      ['134f2428cec14b25a1ae9048164dba47', "Invalid keyId '134f2428cec14b25a1ae9048164dba47'"],
      ['mrk-fake-key-id', "Invalid keyId 'mrk-fake-key-id'"],
      [`arn:aws:kms:eu-west-1:111122223333:key/${id}`, 'Invalid arn eu-west-1'],
      ['alias/nope', 'Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found.'],
    ]
    for (const [KeyId, message] of cases)
      expect(
        failure(() => call('DescribeKey', { KeyId })),
        KeyId,
      ).toMatchObject({ name: 'NotFoundException', message })
  })

  it('a key of another Region is not found by id (LocalStack snapshot, test_get_key_in_different_region)', () => {
    const { call } = coreHarness()
    const keyId = call('CreateKey', {}, { region: 'eu-west-1' }).KeyMetadata?.KeyId as string
    expect(failure(() => call('DescribeKey', { KeyId: keyId })).message).toBe(
      `Key 'arn:aws:kms:us-east-1:111122223333:key/${keyId}' does not exist`,
    )
  })

  it("describes another account's key by ARN when its key policy allows it (cross-account use: yes)", () => {
    const { call } = coreHarness()
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'owner',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::444455556666:root' },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'partner',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: 'kms:DescribeKey',
          Resource: '*',
        },
      ],
    })
    const shared = call('CreateKey', { Policy }, { account: '444455556666' }).KeyMetadata?.Arn as string
    expect(call('DescribeKey', { KeyId: shared }).KeyMetadata?.AWSAccountId).toBe('444455556666')
    const private_ = call('CreateKey', {}, { account: '444455556666' }).KeyMetadata?.Arn as string
    expect(failure(() => call('DescribeKey', { KeyId: private_ })).name).toBe('AccessDeniedException')
  })

  it('creates the AWS managed key of alias/aws/<service> on first use, once', () => {
    const { call } = coreHarness()
    const a = call('DescribeKey', { KeyId: 'alias/aws/s3' }).KeyMetadata
    expect(a).toMatchObject({
      KeyManager: 'AWS',
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Description: 'Default key that protects my s3 resources when no other key is defined',
    })
    expect(call('DescribeKey', { KeyId: 'alias/aws/s3' }).KeyMetadata?.KeyId).toBe(a?.KeyId)
  })

  it('works in every key state and shows the deletion date while pending deletion', () => {
    const { clock, call } = coreHarness()
    const keyId = call('CreateKey', {}).KeyMetadata?.KeyId as string
    call('DisableKey', { KeyId: keyId })
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false })
    call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    const md = call('DescribeKey', { KeyId: keyId }).KeyMetadata
    expect(md).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false })
    expect(md?.DeletionDate?.getTime()).toBe(clock.now() + 7 * 86_400_000)
    // Only a multi-Region primary waiting for replicas shows PendingDeletionWindowInDays (API_KeyMetadata.html).
    expect(md?.PendingDeletionWindowInDays).toBeUndefined()
  })

  it('reports bad input as ValidationException', () => {
    const { call } = coreHarness()
    expect(failure(() => call('DescribeKey', {} as never)).message).toBe(
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    )
    expect(failure(() => call('DescribeKey', { KeyId: '' })).message).toContain(
      "at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1",
    )
    expect(failure(() => call('DescribeKey', { KeyId: 7 } as never)).name).toBe('ValidationException')
    expect(failure(() => call('DescribeKey', { KeyId: 'alias/x', GrantTokens: Array(11).fill('t') })).name).toBe(
      'ValidationException',
    )
  })
})
