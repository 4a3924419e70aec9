import { describe, expect, it } from 'vitest'
import { coreHarness, failure } from '../test-support.ts'

const A = '111122223333'
const B = '444455556666'
const ROLE = `arn:aws:iam::${A}:role/app`

describe('ListGrants', () => {
  it("lists a key's grants oldest first, filters by GrantId and GranteePrincipal, and pages", () => {
    const { call, clock } = coreHarness()
    const keyId = call('CreateKey', {}).KeyMetadata!.KeyId
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      clock.advance(1000)
      ids.push(
        call('CreateGrant', {
          KeyId: keyId,
          GranteePrincipal: i % 2 === 0 ? ROLE : `arn:aws:iam::${A}:user/u${i}`,
          Operations: ['Decrypt'],
        }).GrantId!,
      )
    }
    expect(call('ListGrants', { KeyId: keyId }).Grants!.map((g) => g.GrantId)).toEqual(ids)
    expect(call('ListGrants', { KeyId: keyId, GrantId: ids[3] }).Grants!.map((g) => g.GrantId)).toEqual([ids[3]])
    expect(call('ListGrants', { KeyId: keyId, GranteePrincipal: ROLE }).Grants!.map((g) => g.GrantId)).toEqual([
      ids[0],
      ids[2],
      ids[4],
    ])
    const p1 = call('ListGrants', { KeyId: keyId, Limit: 2 })
    expect(p1).toMatchObject({ Truncated: true })
    const p2 = call('ListGrants', { KeyId: keyId, Limit: 2, Marker: p1.NextMarker! })
    const p3 = call('ListGrants', { KeyId: keyId, Limit: 2, Marker: p2.NextMarker! })
    expect([...p1.Grants!, ...p2.Grants!, ...p3.Grants!].map((g) => g.GrantId)).toEqual(ids)
    expect(p3).toMatchObject({ Truncated: false })
    expect(p3.NextMarker).toBeUndefined()
    expect(failure(() => call('ListGrants', { KeyId: keyId, Marker: 'bogus' }))).toMatchObject({
      name: 'InvalidMarkerException',
    })
    expect(failure(() => call('ListGrants', { KeyId: keyId, GrantId: 'nope' }))).toMatchObject({
      name: 'InvalidGrantIdException',
    })
  })

  it('needs kms:ListGrants, works in any key state, and across accounts by key ARN', () => {
    const { call } = coreHarness()
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'B',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${B}:root` },
          Action: 'kms:ListGrants',
          Resource: '*',
        },
      ],
    })
    const { KeyId: keyId, Arn: arn } = call('CreateKey', { Policy: policy }).KeyMetadata!
    call('CreateGrant', { KeyId: keyId!, GranteePrincipal: ROLE, Operations: ['Decrypt'] })
    call('ScheduleKeyDeletion', { KeyId: keyId! })
    expect(call('ListGrants', { KeyId: keyId! }).Grants).toHaveLength(1)
    expect(call('ListGrants', { KeyId: arn! }, { account: B }).Grants).toHaveLength(1)
    expect(failure(() => call('ListGrants', { KeyId: keyId! }, { account: B }))).toMatchObject({
      name: 'NotFoundException',
    })
    expect(failure(() => call('ListGrants', { KeyId: keyId! }, { principal: ROLE }))).toMatchObject({
      name: 'AccessDeniedException',
      message: `User: ${ROLE} is not authorized to perform: kms:ListGrants on resource: ${arn} because no identity-based policy allows the kms:ListGrants action`,
    })
  })
})
