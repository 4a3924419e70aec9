import { describe, expect, it } from 'vitest'
import type { CallerInput } from '../caller.ts'
import { MAX_GRANTS_PER_KEY, newGrantId, parseGrantToken } from '../grants.ts'
import type { OperationInputs } from '../model.generated.ts'
import { coreHarness, failure } from '../test-support.ts'

const A = '111122223333'
const ROLE = `arn:aws:iam::${A}:role/app`
const OTHER = `arn:aws:iam::${A}:role/other`

describe('CreateGrant', () => {
  it('creates a grant: a 64-hex id, a token, and a ListGrants entry without the token', () => {
    const { call, newKey, clock } = coreHarness()
    const keyId = newKey()
    const out = call('CreateGrant', {
      KeyId: keyId,
      GranteePrincipal: ROLE,
      RetiringPrincipal: OTHER,
      Operations: ['Encrypt', 'Decrypt', 'Encrypt'],
      Constraints: { EncryptionContextSubset: { app: 'x' } },
    })
    expect(out.GrantId).toMatch(/^[0-9a-f]{64}$/)
    expect(parseGrantToken(out.GrantToken!).grantId).toBe(out.GrantId)
    const list = call('ListGrants', { KeyId: keyId })
    expect(list).toEqual({
      Truncated: false,
      Grants: [
        {
          KeyId: `arn:aws:kms:us-east-1:${A}:key/${keyId}`,
          GrantId: out.GrantId,
          CreationDate: new Date(clock.now()),
          GranteePrincipal: ROLE,
          RetiringPrincipal: OTHER,
          IssuingAccount: `arn:aws:iam::${A}:root`,
          Operations: ['Encrypt', 'Decrypt'],
          Constraints: { EncryptionContextSubset: { app: 'x' } },
        },
      ],
    })
    expect(JSON.stringify(list)).not.toContain(out.GrantToken)
  })

  it('is idempotent by Name with identical parameters, with a fresh token each time', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    const req = {
      KeyId: keyId,
      GranteePrincipal: ROLE,
      Operations: ['Decrypt' as const, 'Encrypt' as const],
      Name: 'app-grant',
    }
    const a = call('CreateGrant', req)
    const b = call('CreateGrant', { ...req, Operations: ['Encrypt', 'Decrypt'] })
    expect(b.GrantId).toBe(a.GrantId)
    expect(b.GrantToken).not.toBe(a.GrantToken)
    // different parameters under the same name: a new grant; no name: always a new grant
    expect(call('CreateGrant', { ...req, Operations: ['Encrypt'] }).GrantId).not.toBe(a.GrantId)
    const { Name: _, ...unnamed } = req
    expect(call('CreateGrant', unnamed).GrantId).not.toBe(call('CreateGrant', unnamed).GrantId)
    expect(call('ListGrants', { KeyId: keyId }).Grants).toHaveLength(4)
  })

  it('refuses operations the key type does not support, and constraints on non-symmetric keys', () => {
    const { call, newKey } = coreHarness()
    const sym = newKey()
    const hmac = newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })
    expect(
      failure(() => call('CreateGrant', { KeyId: sym, GranteePrincipal: ROLE, Operations: ['Encrypt', 'Sign'] })),
    ).toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(
        /^Grant operations Sign are not supported for .* \(KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT\)\.$/,
      ),
    })
    expect(
      failure(() =>
        call('CreateGrant', { KeyId: hmac, GranteePrincipal: ROLE, Operations: ['GenerateMac', 'Encrypt'] }),
      ),
    ).toMatchObject({ name: 'ValidationException' })
    expect(
      call('CreateGrant', {
        KeyId: hmac,
        GranteePrincipal: ROLE,
        Operations: ['GenerateMac', 'VerifyMac', 'DescribeKey'],
      }).GrantId,
    ).toBeDefined()
    expect(
      failure(() =>
        call('CreateGrant', {
          KeyId: hmac,
          GranteePrincipal: ROLE,
          Operations: ['GenerateMac'],
          Constraints: { EncryptionContextEquals: { a: 'b' } },
        }),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('supported only on symmetric encryption KMS keys'),
    })
    expect(failure(() => call('CreateGrant', { KeyId: sym, GranteePrincipal: ROLE, Operations: [] }))).toMatchObject({
      name: 'ValidationException',
    })
  })

  it('names a bad grantee or retiring principal, refuses aliases, and follows the key state and DryRun', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    expect(
      failure(() => call('CreateGrant', { KeyId: keyId, GranteePrincipal: 'bob', Operations: ['Encrypt'] })),
    ).toMatchObject({
      name: 'InvalidArnException',
      message: expect.stringContaining("GranteePrincipal 'bob' is not a valid principal"),
    })
    expect(
      failure(() =>
        call('CreateGrant', {
          KeyId: keyId,
          GranteePrincipal: ROLE,
          RetiringPrincipal: 'arn:aws:iam::1:role/x',
          Operations: ['Encrypt'],
        }),
      ),
    ).toMatchObject({ name: 'InvalidArnException' })
    call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: keyId })
    expect(
      failure(() => call('CreateGrant', { KeyId: 'alias/app', GranteePrincipal: ROLE, Operations: ['Encrypt'] })),
    ).toMatchObject({ name: 'NotFoundException' })
    expect(
      failure(() =>
        call('CreateGrant', { KeyId: keyId, GranteePrincipal: ROLE, Operations: ['Encrypt'], DryRun: true }),
      ),
    ).toMatchObject({ name: 'DryRunOperationException' })
    call('DisableKey', { KeyId: keyId })
    expect(
      failure(() => call('CreateGrant', { KeyId: keyId, GranteePrincipal: ROLE, Operations: ['Encrypt'] })),
    ).toMatchObject({ name: 'DisabledException' })
    expect(call('ListGrants', { KeyId: keyId }).Grants).toEqual([])
  })

  it(`allows ${MAX_GRANTS_PER_KEY} grants per key (LimitExceededException beyond)`, () => {
    const { call, newKey, core } = coreHarness()
    const keyId = newKey()
    call('CreateGrant', { KeyId: keyId, GranteePrincipal: ROLE, Operations: ['Encrypt'], Name: 'first' })
    const grants = core.store.region(A, 'us-east-1').grants
    const [first] = [...grants.forKey(keyId)]
    for (let i = 1; i < MAX_GRANTS_PER_KEY; i++) grants.add({ ...first!, grantId: newGrantId() })
    expect(
      failure(() => call('CreateGrant', { KeyId: keyId, GranteePrincipal: ROLE, Operations: ['Encrypt'] })),
    ).toMatchObject({ name: 'LimitExceededException' })
    // a retry of an existing named grant still answers
    expect(
      call('CreateGrant', { KeyId: keyId, GranteePrincipal: ROLE, Operations: ['Encrypt'], Name: 'first' }).GrantId,
    ).toBe(first!.grantId)
  })

  it('lets a grantee with CreateGrant delegate only what its grant allows', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    const parent = call('CreateGrant', {
      KeyId: keyId,
      GranteePrincipal: ROLE,
      Operations: ['Encrypt', 'Decrypt', 'CreateGrant'],
      Constraints: { EncryptionContextSubset: { tenant: 'a' } },
    })
    const app = { principal: ROLE }
    const tokens = [parent.GrantToken!]
    // Subset of operations, stricter constraint: allowed (with the token, before propagation)
    expect(
      call(
        'CreateGrant',
        {
          KeyId: keyId,
          GranteePrincipal: OTHER,
          Operations: ['Decrypt'],
          Constraints: { EncryptionContextEquals: { tenant: 'a' } },
          GrantTokens: tokens,
        },
        app,
      ).GrantId,
    ).toBeDefined()
    // more operations, or a looser constraint: denied
    expect(
      failure(() =>
        call(
          'CreateGrant',
          {
            KeyId: keyId,
            GranteePrincipal: OTHER,
            Operations: ['Decrypt', 'ReEncryptFrom'],
            Constraints: { EncryptionContextSubset: { tenant: 'a' } },
            GrantTokens: tokens,
          },
          app,
        ),
      ),
    ).toMatchObject({ name: 'AccessDeniedException' })
    expect(
      failure(() =>
        call(
          'CreateGrant',
          { KeyId: keyId, GranteePrincipal: OTHER, Operations: ['Decrypt'], GrantTokens: tokens },
          app,
        ),
      ),
    ).toMatchObject({ name: 'AccessDeniedException' })
    // a grant never lets its grantee list or revoke grants
    expect(failure(() => call('ListGrants', { KeyId: keyId }, app))).toMatchObject({ name: 'AccessDeniedException' })
  })

  it('exposes the request to policies: kms:GrantOperations, kms:GranteePrincipal, kms:GrantIsForAWSResource', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey({
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'root',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${A}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'EncryptOnly',
            Effect: 'Allow',
            Principal: { AWS: ROLE },
            Action: 'kms:CreateGrant',
            Resource: '*',
            Condition: {
              'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'ReEncryptTo'] },
              StringEquals: { 'kms:GranteePrincipal': OTHER },
            },
          },
          {
            Sid: 'ForAWSResource',
            Effect: 'Allow',
            Principal: { AWS: OTHER },
            Action: 'kms:CreateGrant',
            Resource: '*',
            Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
          },
        ],
      }),
    })
    const grant =
      (ops: OperationInputs['CreateGrant']['Operations'], grantee = OTHER, caller: CallerInput = { principal: ROLE }) =>
      () =>
        call('CreateGrant', { KeyId: keyId, GranteePrincipal: grantee, Operations: ops }, caller)
    expect(grant(['Encrypt'])().GrantId).toBeDefined()
    expect(failure(grant(['Encrypt', 'Decrypt']))).toMatchObject({ name: 'AccessDeniedException' })
    expect(failure(grant(['Encrypt'], ROLE))).toMatchObject({ name: 'AccessDeniedException' })
    expect(failure(grant(['Decrypt'], ROLE, { principal: OTHER }))).toMatchObject({
      name: 'AccessDeniedException',
      message: `User: ${OTHER} is not authorized to perform: kms:CreateGrant on resource: arn:aws:kms:us-east-1:${A}:key/${keyId} because no identity-based policy allows the kms:CreateGrant action`,
    })
    expect(
      grant(['Decrypt'], ROLE, { principal: OTHER, viaService: 'ebs.us-east-1.amazonaws.com' })().GrantId,
    ).toBeDefined()
  })
})
