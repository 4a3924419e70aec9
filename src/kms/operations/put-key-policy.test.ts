import { describe, expect, it } from 'vitest'

import type { KmsKey } from '../key.ts'
import { coreHarness, failure, keyIdOf } from '../test-support.ts'

const policy = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'admins',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::111122223333:role/admin', 'arn:aws:iam::111122223333:root'] },
        Action: 'kms:*',
        Resource: '*',
        ...extra,
      },
    ],
  })

describe('PutKeyPolicy', () => {
  it('replaces the key policy, whatever the key state', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    expect(call('PutKeyPolicy', { KeyId: keyId, Policy: policy() })).toEqual({})
    expect(call('GetKeyPolicy', { KeyId: keyId }).Policy).toBe(policy())
    call('DisableKey', { KeyId: keyId })
    call('PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: policy({ Sid: 'b' }) })
    call('ScheduleKeyDeletion', { KeyId: keyId })
    call('PutKeyPolicy', { KeyId: keyId, Policy: policy({ Sid: 'c' }) })
    expect(call('GetKeyPolicy', { KeyId: keyId }).Policy).toBe(policy({ Sid: 'c' }))
  })

  it('refuses malformed policies, naming the problem, and keeps the old one', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    const before = call('GetKeyPolicy', { KeyId: keyId }).Policy
    for (const [doc, message] of [
      ['{', /invalid JSON/],
      [policy({ Principal: undefined }), /has no Principal/],
      [policy({ Principal: { AWS: 'someone' } }), /invalid principals/],
      [policy({ Sid: 'x'.repeat(32_800) }), /larger than 32768 bytes/],
    ] as const) {
      expect(failure(() => call('PutKeyPolicy', { KeyId: keyId, Policy: doc }))).toMatchObject({
        name: 'MalformedPolicyDocumentException',
        message: expect.stringMatching(message),
      })
    }
    expect(call('GetKeyPolicy', { KeyId: keyId }).Policy).toBe(before)
    // The model's own limits come first (pattern: printable Latin-1, tab, CR, LF).
    expect(failure(() => call('PutKeyPolicy', { KeyId: keyId, Policy: policy({ Sid: 'é€' }) })).name).toBe(
      'ValidationException',
    )
    expect(failure(() => call('PutKeyPolicy', { KeyId: keyId } as never)).message).toContain("Value null at 'policy'")
  })

  it('only the policy named default exists', () => {
    const { call, newKey } = coreHarness()
    expect(
      failure(() => call('PutKeyPolicy', { KeyId: newKey(), PolicyName: 'mine', Policy: policy() })),
    ).toMatchObject({ name: 'NotFoundException', message: 'No such policy exists' })
  })

  it('the policy of an AWS managed key cannot be changed', () => {
    const { call } = coreHarness()
    const before = call('GetKeyPolicy', { KeyId: keyIdOf(call, 'alias/aws/s3') }).Policy
    expect(failure(() => call('PutKeyPolicy', { KeyId: keyIdOf(call, 'alias/aws/s3'), Policy: policy() })).name).toBe(
      'AccessDeniedException',
    )
    expect(call('GetKeyPolicy', { KeyId: keyIdOf(call, 'alias/aws/s3') }).Policy).toBe(before)
  })

  it('runs the lockout safety check with the key unless BypassPolicyLockoutSafetyCheck is true', () => {
    const { core, call, newKey } = coreHarness()
    const keyId = newKey()
    const checks: [string, string | undefined][] = []
    const bypassSeen: unknown[] = []
    core.authorizer = {
      authorize: (_ctx, r) => void bypassSeen.push(r.conditions?.['kms:BypassPolicyLockoutSafetyCheck']),
      assertPolicyKeepsAccess: (_ctx, p: string, key: KmsKey | undefined) => {
        checks.push([p, key?.keyId])
        if (p.includes('locked')) throw Object.assign(new Error('lockout'), { name: 'Lockout' })
      },
    }
    call('PutKeyPolicy', { KeyId: keyId, Policy: policy() })
    expect(checks).toEqual([[policy(), keyId]])
    expect(failure(() => call('PutKeyPolicy', { KeyId: keyId, Policy: policy({ Sid: 'locked' }) })).name).toBe(
      'KMSInternalException',
    )
    expect(call('GetKeyPolicy', { KeyId: keyId }).Policy).toBe(policy())
    call('PutKeyPolicy', { KeyId: keyId, Policy: policy({ Sid: 'locked' }), BypassPolicyLockoutSafetyCheck: true })
    expect(checks).toHaveLength(2)
    expect(call('GetKeyPolicy', { KeyId: keyId }).Policy).toBe(policy({ Sid: 'locked' }))
    expect(bypassSeen.filter((b) => b !== undefined)).toEqual([false, false, true])
  })
})

describe('PutKeyPolicy with the policy evaluator', () => {
  it('the default authorizer refuses a policy that would lock the caller out, unless bypassed', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    const lockout = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/other' }, Action: 'kms:*', Resource: '*' },
      ],
    })
    expect(failure(() => call('PutKeyPolicy', { KeyId: keyId, Policy: lockout })).name).toBe(
      'MalformedPolicyDocumentException',
    )
    call('PutKeyPolicy', { KeyId: keyId, Policy: lockout, BypassPolicyLockoutSafetyCheck: true })
    // The root user is locked out now: even reading the policy is denied.
    expect(failure(() => call('GetKeyPolicy', { KeyId: keyId })).name).toBe('AccessDeniedException')
  })
})
