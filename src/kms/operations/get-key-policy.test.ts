import { describe, expect, it } from 'vitest'
import { coreHarness, failure, keyIdOf } from '../test-support.ts'

describe('GetKeyPolicy', () => {
  it('returns the key policy, named default (also without PolicyName)', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    const out = call('GetKeyPolicy', { KeyId: keyId, PolicyName: 'default' })
    expect(out.PolicyName).toBe('default')
    expect(JSON.parse(out.Policy as string)).toMatchObject({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
      ],
    })
    expect(call('GetKeyPolicy', { KeyId: keyId })).toEqual(out)
  })

  it('any other policy name is NotFoundException', () => {
    const { call, newKey } = coreHarness()
    expect(failure(() => call('GetKeyPolicy', { KeyId: newKey(), PolicyName: 'other' }))).toMatchObject({
      name: 'NotFoundException',
      message: 'No such policy exists',
    })
    expect(failure(() => call('GetKeyPolicy', { KeyId: newKey(), PolicyName: 'bad name' })).message).toContain(
      "at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern",
    )
  })

  it('works in every key state and for AWS managed keys', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('ScheduleKeyDeletion', { KeyId: keyId })
    expect(call('GetKeyPolicy', { KeyId: keyId }).Policy).toContain('kms:*')
    const aws = JSON.parse(call('GetKeyPolicy', { KeyId: keyIdOf(call, 'alias/aws/dynamodb') }).Policy as string)
    expect(JSON.stringify(aws)).toContain('kms:ViaService')
  })

  it("refuses another account's key (cross-account use: no)", () => {
    const { call, newKey } = coreHarness()
    const other = `arn:aws:kms:us-east-1:444455556666:key/${newKey({}, { account: '444455556666' })}`
    expect(failure(() => call('GetKeyPolicy', { KeyId: other })).name).toBe('AccessDeniedException')
  })
})
