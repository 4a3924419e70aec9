import { describe, expect, it } from 'vitest'
import { coreHarness, failure } from '../test-support.ts'

const A = '111122223333'
const B = '444455556666'
const RETIRER = `arn:aws:iam::${A}:role/retirer`

describe('ListRetirableGrants', () => {
  it('lists grants with that retiring principal on keys of every account in the Region', () => {
    const { call } = coreHarness()
    const mine = call('CreateKey', {}).KeyMetadata!.KeyId!
    const crossPolicy = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'kms:*', Resource: '*' }],
    })
    const theirs = call('CreateKey', { Policy: crossPolicy }, { account: B }).KeyMetadata!.KeyId!
    const g1 = call('CreateGrant', {
      KeyId: mine,
      GranteePrincipal: `arn:aws:iam::${A}:role/app`,
      RetiringPrincipal: RETIRER,
      Operations: ['Decrypt'],
    }).GrantId
    const g2 = call(
      'CreateGrant',
      {
        KeyId: theirs,
        GranteePrincipal: `arn:aws:iam::${A}:role/app`,
        RetiringPrincipal: RETIRER,
        Operations: ['Encrypt'],
      },
      { account: B },
    ).GrantId
    call('CreateGrant', { KeyId: mine, GranteePrincipal: `arn:aws:iam::${A}:role/app`, Operations: ['Decrypt'] })
    call('CreateKey', {}, { region: 'eu-west-1' })
    const out = call('ListRetirableGrants', { RetiringPrincipal: RETIRER })
    expect(out.Grants!.map((g) => g.GrantId).sort()).toEqual([g1, g2].sort())
    expect(out.Grants!.find((g) => g.GrantId === g2)).toMatchObject({
      IssuingAccount: `arn:aws:iam::${B}:root`,
      KeyId: expect.stringContaining(`:${B}:key/`),
    })
    expect(call('ListRetirableGrants', { RetiringPrincipal: RETIRER }, { region: 'eu-west-1' }).Grants).toEqual([])
    const p1 = call('ListRetirableGrants', { RetiringPrincipal: RETIRER, Limit: 1 })
    const p2 = call('ListRetirableGrants', { RetiringPrincipal: RETIRER, Limit: 1, Marker: p1.NextMarker! })
    expect([p1.Truncated, p2.Truncated]).toEqual([true, false])
  })

  it("is authorized by IAM alone, for a principal of the caller's account", () => {
    const { call, core } = coreHarness()
    const role = `arn:aws:iam::${A}:role/auditor`
    expect(
      failure(() => call('ListRetirableGrants', { RetiringPrincipal: RETIRER }, { principal: role })),
    ).toMatchObject({
      name: 'AccessDeniedException',
      message: `User: ${role} is not authorized to perform: kms:ListRetirableGrants on resource: ${RETIRER} because no identity-based policy allows the kms:ListRetirableGrants action`,
    })
    core.identityPolicies.put(
      role,
      'list',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:ListRetirableGrants', Resource: '*' }],
      }),
    )
    expect(call('ListRetirableGrants', { RetiringPrincipal: RETIRER }, { principal: role }).Grants).toEqual([])
    expect(
      failure(() =>
        call('ListRetirableGrants', { RetiringPrincipal: `arn:aws:iam::${B}:role/x` }, { principal: role }),
      ),
    ).toMatchObject({ name: 'AccessDeniedException' })
    expect(failure(() => call('ListRetirableGrants', { RetiringPrincipal: 'nobody' }))).toMatchObject({
      name: 'InvalidArnException',
    })
  })
})
