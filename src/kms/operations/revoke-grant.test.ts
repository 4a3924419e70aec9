import { describe, expect, it } from 'vitest'
import { coreHarness, failure } from '../test-support.ts'

const A = '111122223333'
const ADMIN = `arn:aws:iam::${A}:role/admin`
const GRANTEE = `arn:aws:iam::${A}:role/app`

describe('RevokeGrant', () => {
  it('deletes a grant at once: its permissions stop working, with or without the token', () => {
    const { call } = coreHarness()
    const keyId = call('CreateKey', {}).KeyMetadata!.KeyId!
    const g = call('CreateGrant', { KeyId: keyId, GranteePrincipal: GRANTEE, Operations: ['Encrypt'] })
    const use = () =>
      call(
        'Encrypt',
        { KeyId: keyId, Plaintext: new Uint8Array([1]), GrantTokens: [g.GrantToken!] },
        { principal: GRANTEE },
      )
    expect(use().KeyId).toContain(keyId)
    expect(call('RevokeGrant', { KeyId: keyId, GrantId: g.GrantId! })).toEqual({})
    expect(failure(use)).toMatchObject({ name: 'AccessDeniedException' })
    expect(failure(() => call('RevokeGrant', { KeyId: keyId, GrantId: g.GrantId! }))).toMatchObject({
      name: 'NotFoundException',
      message: `Grant ID ${g.GrantId} not found`,
    })
    expect(failure(() => call('RevokeGrant', { KeyId: keyId, GrantId: 'x' }))).toMatchObject({
      name: 'InvalidGrantIdException',
    })
  })

  it('needs kms:RevokeGrant from the key policy or IAM (a grant cannot give it), and honours DryRun', () => {
    const { call, core } = coreHarness()
    const keyId = call('CreateKey', {}).KeyMetadata!.KeyId!
    const g = call('CreateGrant', {
      KeyId: keyId,
      GranteePrincipal: GRANTEE,
      Operations: ['Encrypt', 'CreateGrant', 'RetireGrant'],
    })
    expect(
      failure(() => call('RevokeGrant', { KeyId: keyId, GrantId: g.GrantId! }, { principal: GRANTEE })),
    ).toMatchObject({ name: 'AccessDeniedException' })
    core.identityPolicies.put(
      ADMIN,
      'admin',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:RevokeGrant', Resource: '*' }],
      }),
    )
    expect(
      failure(() => call('RevokeGrant', { KeyId: keyId, GrantId: g.GrantId!, DryRun: true }, { principal: ADMIN })),
    ).toMatchObject({ name: 'DryRunOperationException' })
    call('RevokeGrant', { KeyId: keyId, GrantId: g.GrantId! }, { principal: ADMIN })
    expect(call('ListGrants', { KeyId: keyId }).Grants).toEqual([])
  })
})
