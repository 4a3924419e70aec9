/**
 * Grants end to end: eventual consistency on the injected clock, grant tokens, constraints on
 * real cryptographic requests, cross-account grants, and grants that services create on AWS
 * managed keys.
 */
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../src/clock.ts'
import { createEmulator } from '../src/emulator.ts'
import { DEFAULT_GRANT_PROPAGATION_DELAY_MS, KmsCore } from '../src/kms/core.ts'
import { OPERATION_TABLE } from '../src/kms/operations/index.ts'

const A = '111122223333'
const B = '444455556666'
const APP = `arn:aws:iam::${A}:role/app`
const pt = new TextEncoder().encode('data')

describe('grant eventual consistency', () => {
  it(`a new grant works at once with its token, and without it after ${DEFAULT_GRANT_PROPAGATION_DELAY_MS} ms of the clock`, () => {
    const clock = new VirtualClock()
    const kms = createEmulator({ clock, profile: 'none' })
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId!
    const { GrantToken } = kms.callSync('CreateGrant', {
      KeyId: keyId,
      GranteePrincipal: APP,
      Operations: ['GenerateDataKey', 'Decrypt'],
    })
    const gdk = (tokens?: string[]) =>
      kms.tryCall(
        'GenerateDataKey',
        { KeyId: keyId, KeySpec: 'AES_256', ...(tokens !== undefined ? { GrantTokens: tokens } : {}) },
        { principal: APP },
      )
    expect(gdk([GrantToken!]).ok).toBe(true)
    expect(gdk()).toMatchObject({ ok: false, error: { name: 'AccessDeniedException' } })
    clock.advance(DEFAULT_GRANT_PROPAGATION_DELAY_MS - 1)
    expect(gdk().ok).toBe(false)
    clock.advance(1)
    expect(gdk().ok).toBe(true)
    // a malformed token fails the request even when access is otherwise allowed
    expect(kms.tryCall('Encrypt', { KeyId: keyId, Plaintext: pt, GrantTokens: ['bm90IGEgdG9rZW4='] })).toMatchObject({
      ok: false,
      error: { name: 'InvalidGrantTokenException' },
    })
  })

  it('takes grantPropagationDelayMs from the core options (0: immediate; 300000: the documented worst case)', () => {
    for (const delay of [0, 300_000]) {
      const clock = new VirtualClock()
      const core = new KmsCore({
        operations: OPERATION_TABLE,
        clock,
        defaultAccount: A,
        defaultRegion: 'us-east-1',
        grantPropagationDelayMs: delay,
      })
      const keyId = core.invoke('CreateKey', {}, core.caller(undefined)).KeyMetadata!.KeyId!
      core.invoke(
        'CreateGrant',
        { KeyId: keyId, GranteePrincipal: APP, Operations: ['Encrypt'] },
        core.caller(undefined),
      )
      const app = core.caller({ principal: APP })
      const use = (): boolean => {
        try {
          core.invoke('Encrypt', { KeyId: keyId, Plaintext: pt }, app)
          return true
        } catch {
          return false
        }
      }
      expect(use()).toBe(delay === 0)
      clock.advance(delay === 0 ? 1 : 299_999)
      expect(use()).toBe(delay === 0)
      clock.advance(1)
      expect(use()).toBe(true)
    }
  })
})

describe('grants on real requests', () => {
  it('enforce encryption-context constraints on Encrypt, GenerateDataKey and Decrypt, not on DescribeKey', () => {
    const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId!
    const { GrantToken } = kms.callSync('CreateGrant', {
      KeyId: keyId,
      GranteePrincipal: APP,
      Operations: ['Encrypt', 'Decrypt', 'GenerateDataKey', 'DescribeKey'],
      Constraints: { EncryptionContextSubset: { tenant: 'blue' } },
    })
    const app = { principal: APP }
    const t = { GrantTokens: [GrantToken!] }
    const blob = kms.callSync(
      'Encrypt',
      { KeyId: keyId, Plaintext: pt, EncryptionContext: { tenant: 'blue', object: '1' }, ...t },
      app,
    ).CiphertextBlob!
    expect(
      kms.callSync('Decrypt', { CiphertextBlob: blob, EncryptionContext: { tenant: 'blue', object: '1' }, ...t }, app)
        .KeyId,
    ).toContain(keyId)
    expect(
      kms.tryCall(
        'GenerateDataKey',
        { KeyId: keyId, KeySpec: 'AES_128', EncryptionContext: { tenant: 'red' }, ...t },
        app,
      ),
    ).toMatchObject({ ok: false, error: { name: 'AccessDeniedException' } })
    expect(kms.tryCall('Encrypt', { KeyId: keyId, Plaintext: pt, ...t }, app).ok).toBe(false)
    expect(kms.callSync('DescribeKey', { KeyId: keyId, ...t }, app).KeyMetadata!.KeyId).toBe(keyId)
    const allowed = kms.auditEvents().filter((e) => e.eventName === 'Decrypt')[0]
    expect(allowed?.additionalEventData?.['authorization']).toEqual([
      expect.objectContaining({ decision: 'Allow', reason: 'grant', grantId: expect.stringMatching(/^[0-9a-f]{64}$/) }),
    ])
  })

  it("work across accounts by key ARN, without an IAM policy in the grantee's account", () => {
    const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
    const arn = kms.callSync('CreateKey', {}).KeyMetadata!.Arn!
    const appB = `arn:aws:iam::${B}:role/app`
    const { GrantToken } = kms.callSync('CreateGrant', {
      KeyId: arn,
      GranteePrincipal: appB,
      RetiringPrincipal: appB,
      Operations: ['Encrypt', 'RetireGrant'],
    })
    expect(
      kms.callSync('Encrypt', { KeyId: arn, Plaintext: pt, GrantTokens: [GrantToken!] }, { principal: appB }).KeyId,
    ).toBe(arn)
    expect(
      kms.tryCall(
        'Decrypt',
        { CiphertextBlob: kms.callSync('Encrypt', { KeyId: arn, Plaintext: pt }).CiphertextBlob! },
        { principal: appB },
      ).ok,
    ).toBe(false)
    expect(kms.callSync('ListRetirableGrants', { RetiringPrincipal: appB }, { account: B }).Grants).toHaveLength(1)
    kms.callSync('RetireGrant', { GrantToken: GrantToken! }, { principal: appB })
    expect(
      kms.tryCall('Encrypt', { KeyId: arn, Plaintext: pt, GrantTokens: [GrantToken!] }, { principal: appB }).ok,
    ).toBe(false)
  })

  it('lets an integrated service create grants on an AWS managed key for the caller (EBS-style)', () => {
    const clock = new VirtualClock()
    const kms = createEmulator({ clock, profile: 'none' })
    const viaEbs = { principal: APP, viaService: 'ec2.us-east-1.amazonaws.com' }
    const arn = kms.callSync('DescribeKey', { KeyId: 'alias/aws/ebs' }).KeyMetadata!.Arn!
    expect(
      kms.tryCall('CreateGrant', { KeyId: arn, GranteePrincipal: APP, Operations: ['Decrypt'] }, { principal: APP }),
    ).toMatchObject({ ok: false, error: { name: 'AccessDeniedException' } })
    // the aws/ebs key policy names the EC2 endpoint, through which EBS calls KMS
    expect(
      kms.tryCall(
        'CreateGrant',
        { KeyId: arn, GranteePrincipal: APP, Operations: ['Decrypt'] },
        { ...viaEbs, viaService: 'ebs.us-east-1.amazonaws.com' },
      ).ok,
    ).toBe(false)
    const g = kms.callSync('CreateGrant', { KeyId: arn, GranteePrincipal: APP, Operations: ['Decrypt'] }, viaEbs)
    expect(kms.callSync('ListGrants', { KeyId: arn }).Grants!.map((x) => x.GrantId)).toEqual([g.GrantId])
  })
})
