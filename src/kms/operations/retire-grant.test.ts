import { describe, expect, it } from 'vitest'
import type { OperationInputs } from '../model.generated.ts'
import { coreHarness, failure } from '../test-support.ts'

const A = '111122223333'
const B = '444455556666'
const GRANTEE = `arn:aws:iam::${A}:role/app`
const RETIRER = `arn:aws:iam::${A}:role/retirer`
const STRANGER = `arn:aws:iam::${A}:role/stranger`

/** A core with one key, and shorthands to grant on it and count its grants. */
function setup() {
  const { clock, core, call } = coreHarness()
  const keyId = call('CreateKey', {}).KeyMetadata!.KeyId!
  const grant = (
    ops: OperationInputs['CreateGrant']['Operations'] = ['Decrypt'],
    retiring: string | undefined = RETIRER,
  ) =>
    call('CreateGrant', {
      KeyId: keyId,
      GranteePrincipal: GRANTEE,
      ...(retiring !== undefined ? { RetiringPrincipal: retiring } : {}),
      Operations: ops,
    })
  const count = (): number => call('ListGrants', { KeyId: keyId }).Grants!.length
  return { clock, core, call, keyId, grant, count }
}

describe('RetireGrant', () => {
  it('by token (at once, before propagation) or by key and grant id', () => {
    const { call, keyId, grant, count } = setup()
    const a = grant()
    call('RetireGrant', { GrantToken: a.GrantToken! }, { principal: RETIRER })
    expect(count()).toBe(0)
    const b = grant()
    call('RetireGrant', { KeyId: keyId, GrantId: b.GrantId! }, { principal: RETIRER })
    expect(count()).toBe(0)
    expect(
      failure(() => call('RetireGrant', { KeyId: keyId, GrantId: b.GrantId! }, { principal: RETIRER })),
    ).toMatchObject({ name: 'NotFoundException', message: `Grant ID ${b.GrantId} not found` })
    expect(failure(() => call('RetireGrant', { GrantToken: 'garbage' }))).toMatchObject({
      name: 'InvalidGrantTokenException',
    })
    expect(failure(() => call('RetireGrant', { KeyId: keyId }))).toMatchObject({ name: 'ValidationException' })
    expect(failure(() => call('RetireGrant', { KeyId: keyId, GrantId: 'xyz' }))).toMatchObject({
      name: 'InvalidGrantIdException',
    })
  })

  it('is allowed to the retiring principal, the grantee when the grant allows RetireGrant, and the issuing account', () => {
    const { call, core, grant, count } = setup()
    // a stranger with kms:RetireGrant in IAM is not enough... unless it is delegated by the issuing account
    const g = grant()
    expect(failure(() => call('RetireGrant', { GrantToken: g.GrantToken! }, { principal: STRANGER }))).toMatchObject({
      name: 'AccessDeniedException',
    })
    // the grantee, when the grant does not include RetireGrant
    expect(failure(() => call('RetireGrant', { GrantToken: g.GrantToken! }, { principal: GRANTEE }))).toMatchObject({
      name: 'AccessDeniedException',
    })
    core.identityPolicies.put(
      STRANGER,
      'retire',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:RetireGrant', Resource: '*' }],
      }),
    )
    call('RetireGrant', { GrantToken: g.GrantToken! }, { principal: STRANGER })
    expect(count()).toBe(0)
    call(
      'RetireGrant',
      { GrantToken: grant(['Decrypt', 'RetireGrant'], undefined).GrantToken! },
      { principal: `arn:aws:sts::${A}:assumed-role/app/s` },
    )
    call('RetireGrant', { GrantToken: grant().GrantToken! }) // the account (root)
    expect(count()).toBe(0)
    // another account's principal cannot retire a grant it does not name
    expect(failure(() => call('RetireGrant', { GrantToken: grant().GrantToken! }, { account: B }))).toMatchObject({
      name: 'AccessDeniedException',
    })
    const audit = core.audit.events().filter((e) => e.eventName === 'RetireGrant' && e.errorCode === undefined)
    expect(
      audit.map((e) => (e.additionalEventData?.['authorization'] as { reason: string }[] | undefined)?.[0]?.reason),
    ).toEqual(['retiring-principal', 'retiring-principal', 'retiring-principal'])
  })

  it('honours DryRun and works whatever the key state', () => {
    const { call, keyId, grant, count } = setup()
    const g = grant()
    expect(
      failure(() => call('RetireGrant', { GrantToken: g.GrantToken!, DryRun: true }, { principal: RETIRER })),
    ).toMatchObject({ name: 'DryRunOperationException' })
    expect(count()).toBe(1)
    call('DisableKey', { KeyId: keyId })
    call('RetireGrant', { GrantToken: g.GrantToken! }, { principal: RETIRER })
    expect(count()).toBe(0)
  })
})
