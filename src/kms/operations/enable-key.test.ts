import { describe, expect, it } from 'vitest'
import { coreHarness, failure } from '../test-support.ts'

describe('EnableKey', () => {
  it('enables a disabled key, which can encrypt again', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('DisableKey', { KeyId: keyId })
    expect(call('EnableKey', { KeyId: keyId })).toEqual({})
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata).toMatchObject({ KeyState: 'Enabled', Enabled: true })
    expect(call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]) }).KeyId).toContain(keyId)
    // Enabling an enabled key is fine (key-state.html).
    call('EnableKey', { KeyId: keyId })
  })

  it('accepts the key ARN but no alias ("Specify the key ID or key ARN", API_EnableKey.html), and audits the key', () => {
    const { core, call, newKey } = coreHarness()
    const keyId = newKey()
    call('CreateAlias', { AliasName: 'alias/k', TargetKeyId: keyId })
    call('EnableKey', { KeyId: `arn:aws:kms:us-east-1:111122223333:key/${keyId}` })
    expect(failure(() => call('EnableKey', { KeyId: 'alias/k' })).message).toBe("Invalid keyId 'alias/k'")
    call('EnableKey', { KeyId: keyId })
    expect(core.audit.events().at(-1)).toMatchObject({
      eventName: 'EnableKey',
      resources: [{ ARN: `arn:aws:kms:us-east-1:111122223333:key/${keyId}` }],
    })
  })

  it("refuses keys pending deletion with AWS's KMSInvalidStateException", () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('ScheduleKeyDeletion', { KeyId: keyId })
    expect(failure(() => call('EnableKey', { KeyId: keyId }))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `arn:aws:kms:us-east-1:111122223333:key/${keyId} is pending deletion.`,
    })
  })

  it("refuses AWS managed keys and other accounts' keys with AccessDeniedException", () => {
    const { call, newKey } = coreHarness()
    const aws = call('DescribeKey', { KeyId: 'alias/aws/s3' }).KeyMetadata?.Arn as string
    expect(failure(() => call('EnableKey', { KeyId: aws }))).toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:iam::111122223333:root is not authorized to perform: kms:EnableKey on resource: ${aws} because no resource-based policy allows the kms:EnableKey action`,
    })
    const other = `arn:aws:kms:us-east-1:444455556666:key/${newKey({}, { account: '444455556666' })}`
    expect(failure(() => call('EnableKey', { KeyId: other })).name).toBe('AccessDeniedException')
  })

  it('reports unknown keys and bad input', () => {
    const { call } = coreHarness()
    expect(failure(() => call('EnableKey', { KeyId: 'nope' }))).toMatchObject({
      name: 'NotFoundException',
      message: "Invalid keyId 'nope'",
    })
    expect(failure(() => call('EnableKey', {} as never)).message).toBe(
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    )
    expect(failure(() => call('EnableKey', null as never)).name).toBe('ValidationException')
  })
})
