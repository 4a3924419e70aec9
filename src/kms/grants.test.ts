import { describe, expect, it } from 'vitest'
import { InvalidGrantTokenException, ValidationException } from './errors.ts'
import {
  constraintsAtLeastAsStrict,
  constraintsSatisfied,
  findAllowingGrant,
  GrantStore,
  granteeMatch,
  issueGrantToken,
  newGrantId,
  parseGrantToken,
  supportedGrantOperations,
  validateConstraints,
  type Grant,
} from './grants.ts'
import type { GrantOperation } from './model.generated.ts'

const ROLE = 'arn:aws:iam::111122223333:role/app'
const caller = {
  account: '111122223333',
  principal: 'arn:aws:sts::111122223333:assumed-role/app/s',
  policyPrincipal: ROLE,
  identityType: 'AssumedRole' as const,
}

function grant(operations: GrantOperation[], over: Partial<Grant> = {}): Grant {
  return {
    grantId: newGrantId(),
    keyId: 'k',
    keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
    account: '111122223333',
    region: 'us-east-1',
    name: undefined,
    createdAt: 0,
    effectiveAt: 0,
    granteePrincipal: ROLE,
    retiringPrincipal: undefined,
    issuingAccount: 'arn:aws:iam::111122223333:root',
    operations,
    operationSet: new Set(operations),
    constraints: undefined,
    ...over,
  }
}

describe('grant tokens', () => {
  it('round-trip, differ per issue, and refuse anything else', () => {
    const g = grant(['Encrypt'])
    const t1 = issueGrantToken(g)
    const t2 = issueGrantToken(g)
    expect(t1).not.toBe(t2)
    expect(t1).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(parseGrantToken(t1)).toEqual({
      account: '111122223333',
      region: 'us-east-1',
      keyId: 'k',
      grantId: g.grantId,
    })
    expect(parseGrantToken(t2).grantId).toBe(g.grantId)
    const tampered = Buffer.from(Buffer.from(t1, 'base64').toString('utf8').replace('us-east-1', 'us-west-2')).toString(
      'base64',
    )
    for (const bad of ['', 'not-a-token', tampered, Buffer.from('KBGT1\na\nb').toString('base64')]) {
      expect(() => parseGrantToken(bad)).toThrow(InvalidGrantTokenException)
    }
  })
})

describe('grant constraints', () => {
  it('EncryptionContextSubset and EncryptionContextEquals (grants.md examples)', () => {
    const subset = { EncryptionContextSubset: { Department: 'Finance', Classification: 'Public' } }
    expect(constraintsSatisfied(subset, { Classification: 'Public', Department: 'Finance' })).toBe(true)
    expect(
      constraintsSatisfied(subset, {
        Customer: '12345',
        Department: 'Finance',
        Classification: 'Public',
        Purpose: 'Test',
      }),
    ).toBe(true)
    expect(constraintsSatisfied(subset, { Department: 'Finance' })).toBe(false)
    expect(constraintsSatisfied(subset, { department: 'finance', classification: 'public' })).toBe(false)
    expect(constraintsSatisfied(subset, undefined)).toBe(false)
    const equals = { EncryptionContextEquals: { Department: 'Finance' } }
    expect(constraintsSatisfied(equals, { Department: 'Finance' })).toBe(true)
    expect(constraintsSatisfied(equals, { Department: 'Finance', X: 'y' })).toBe(false)
    expect(constraintsSatisfied(undefined, { anything: 'goes' })).toBe(true)
  })

  it('child grants must be equally or more restrictive', () => {
    const s = { EncryptionContextSubset: { a: '1' } }
    expect(constraintsAtLeastAsStrict(undefined, undefined)).toBe(true)
    expect(constraintsAtLeastAsStrict(s, undefined)).toBe(false)
    expect(constraintsAtLeastAsStrict(s, { EncryptionContextSubset: { a: '1', b: '2' } })).toBe(true)
    expect(constraintsAtLeastAsStrict(s, { EncryptionContextSubset: { b: '2' } })).toBe(false)
    expect(constraintsAtLeastAsStrict(s, { EncryptionContextEquals: { a: '1' } })).toBe(true)
    const e = { EncryptionContextEquals: { a: '1' } }
    expect(constraintsAtLeastAsStrict(e, { EncryptionContextSubset: { a: '1' } })).toBe(false)
    expect(constraintsAtLeastAsStrict(e, { EncryptionContextEquals: { a: '1' } })).toBe(true)
    expect(constraintsAtLeastAsStrict(e, { EncryptionContextEquals: { a: '1', b: '2' } })).toBe(false)
  })

  it('are allowed only on symmetric encryption keys, 8 pairs, 384 characters', () => {
    const sym = { keySpec: 'SYMMETRIC_DEFAULT' as const, keyUsage: 'ENCRYPT_DECRYPT' as const, arn: 'k' }
    expect(() => validateConstraints({ EncryptionContextSubset: { a: 'b' } }, sym)).not.toThrow()
    expect(() =>
      validateConstraints(
        { EncryptionContextSubset: { a: 'b' } },
        { ...sym, keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' },
      ),
    ).toThrow(ValidationException)
    const nine = Object.fromEntries([...Array(9).keys()].map((i) => [`k${i}`, 'v']))
    expect(() => validateConstraints({ EncryptionContextEquals: nine }, sym)).toThrow(
      /9 encryption context pairs; at most 8/,
    )
    expect(() => validateConstraints({ EncryptionContextEquals: { a: 'x'.repeat(385) } }, sym)).toThrow(
      /longer than 384/,
    )
  })
})

describe('grant operations per key type', () => {
  it('follows the key type table', () => {
    const ops = (keySpec: string, keyUsage: string): string[] =>
      [...supportedGrantOperations({ keySpec, keyUsage } as never)].sort()
    expect(ops('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT')).toEqual([
      'CreateGrant',
      'Decrypt',
      'DescribeKey',
      'Encrypt',
      'GenerateDataKey',
      'GenerateDataKeyPair',
      'GenerateDataKeyPairWithoutPlaintext',
      'GenerateDataKeyWithoutPlaintext',
      'ReEncryptFrom',
      'ReEncryptTo',
      'RetireGrant',
    ])
    expect(ops('RSA_2048', 'SIGN_VERIFY')).toEqual([
      'CreateGrant',
      'DescribeKey',
      'GetPublicKey',
      'RetireGrant',
      'Sign',
      'Verify',
    ])
    expect(ops('HMAC_256', 'GENERATE_VERIFY_MAC')).toEqual([
      'CreateGrant',
      'DescribeKey',
      'GenerateMac',
      'RetireGrant',
      'VerifyMac',
    ])
    expect(ops('ECC_NIST_P256', 'KEY_AGREEMENT')).toEqual([
      'CreateGrant',
      'DeriveSharedSecret',
      'DescribeKey',
      'GetPublicKey',
      'RetireGrant',
    ])
    expect(ops('RSA_4096', 'ENCRYPT_DECRYPT')).toContain('GetPublicKey')
    expect(ops('RSA_4096', 'ENCRYPT_DECRYPT')).not.toContain('GenerateDataKey')
  })
})

describe('findAllowingGrant', () => {
  const q = { action: 'kms:Encrypt', caller, now: 100, tokenGrantIds: undefined, encryptionContext: undefined }

  it('needs the operation, the grantee, propagation (or a token) and the constraints', () => {
    const g = grant(['Encrypt'])
    expect(findAllowingGrant([g], q)?.grant).toBe(g)
    expect(findAllowingGrant([g], { ...q, action: 'kms:Decrypt' })).toBeUndefined()
    expect(
      findAllowingGrant([grant(['Encrypt'], { granteePrincipal: 'arn:aws:iam::111122223333:role/other' })], q),
    ).toBeUndefined()
    const pending = grant(['Encrypt'], { effectiveAt: 101 })
    expect(findAllowingGrant([pending], q)).toBeUndefined()
    expect(findAllowingGrant([pending], { ...q, now: 101 })?.grant).toBe(pending)
    expect(findAllowingGrant([pending], { ...q, tokenGrantIds: new Set([pending.grantId]) })?.grant).toBe(pending)
    const constrained = grant(['Encrypt', 'DescribeKey'], { constraints: { EncryptionContextEquals: { t: '1' } } })
    expect(findAllowingGrant([constrained], q)).toBeUndefined()
    expect(findAllowingGrant([constrained], { ...q, encryptionContext: { t: '1' } })?.grant).toBe(constrained)
    // constraints do not apply to DescribeKey
    expect(findAllowingGrant([constrained], { ...q, action: 'kms:DescribeKey' })?.grant).toBe(constrained)
  })

  it('lets a grantee delegate only what its grant allows', () => {
    const parent = grant(['Encrypt', 'Decrypt', 'CreateGrant'], {
      constraints: { EncryptionContextSubset: { t: '1' } },
    })
    const create = { ...q, action: 'kms:CreateGrant' }
    expect(
      findAllowingGrant([parent], {
        ...create,
        child: { operations: ['Decrypt'], constraints: { EncryptionContextSubset: { t: '1', u: '2' } } },
      }),
    ).toBeDefined()
    expect(
      findAllowingGrant([parent], {
        ...create,
        child: { operations: ['Decrypt', 'ReEncryptFrom'], constraints: { EncryptionContextSubset: { t: '1' } } },
      }),
    ).toBeUndefined()
    expect(
      findAllowingGrant([parent], { ...create, child: { operations: ['Decrypt'], constraints: undefined } }),
    ).toBeUndefined()
  })

  it('matches grantees: the caller, its role, or its account', () => {
    expect(granteeMatch(ROLE, caller)).toBe('direct')
    expect(granteeMatch(caller.principal, caller)).toBe('direct')
    expect(granteeMatch('arn:aws:iam::111122223333:root', caller)).toBe('account')
    expect(granteeMatch('111122223333', { ...caller, identityType: 'Root' })).toBe('direct')
    expect(granteeMatch('arn:aws:iam::444455556666:root', caller)).toBeUndefined()
  })
})

describe('GrantStore', () => {
  it('keeps grants per key in creation order', () => {
    const s = new GrantStore()
    const a = grant(['Encrypt'])
    const b = grant(['Decrypt'])
    const c = grant(['Decrypt'], { keyId: 'other' })
    for (const g of [a, b, c]) s.add(g)
    expect([...s.forKey('k')]).toEqual([a, b])
    expect(s.count('k')).toBe(2)
    expect(s.get('k', b.grantId)).toBe(b)
    expect(s.delete('k', a.grantId)).toBe(true)
    expect(s.delete('k', a.grantId)).toBe(false)
    expect([...s.all()]).toEqual([b, c])
    s.deleteKey('k')
    expect(s.count('k')).toBe(0)
  })
})
