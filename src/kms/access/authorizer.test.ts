import { describe, expect, it } from 'vitest'
import { coreHarness, failure, TEST_ACCOUNT } from '../test-support.ts'

const ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/app`
const identity = (...actions: string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] })

describe('PolicyAuthorizer decision reuse', () => {
  // Decisions are reused for the same caller, action and key (the last two, then a map): each
  // change below must be seen on the very next call, whichever slot held the old decision.
  it('sees a changed identity policy and key policy at once while a caller alternates actions', () => {
    const { core, newKey } = coreHarness()
    const keyId = newKey()
    const app = core.caller({ principal: ROLE })
    core.identityPolicies.put(ROLE, 'use', identity('kms:Encrypt', 'kms:Decrypt'))
    const encrypt = () => core.invoke('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1, 2]) }, app)
    const decrypt = (blob: Uint8Array) => core.invoke('Decrypt', { CiphertextBlob: blob }, app)
    let blob = encrypt().CiphertextBlob as Uint8Array
    for (let i = 0; i < 3; i++) {
      expect([...(decrypt(blob).Plaintext as Uint8Array)]).toEqual([1, 2])
      blob = encrypt().CiphertextBlob as Uint8Array
    }

    core.identityPolicies.put(ROLE, 'use', identity('kms:Encrypt'))
    for (let i = 0; i < 2; i++) {
      expect(failure(() => decrypt(blob))).toMatchObject({ name: 'AccessDeniedException' })
      expect(encrypt().KeyId).toContain(keyId)
    }

    const root = core.caller({})
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: ROLE }, Action: 'kms:Encrypt', Resource: '*' },
      ],
    })
    core.invoke('PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: policy }, root)
    expect(failure(encrypt)).toMatchObject({ name: 'AccessDeniedException' })
    expect(failure(() => decrypt(blob))).toMatchObject({ name: 'AccessDeniedException' })

    core.identityPolicies.put(ROLE, 'use', identity('kms:Encrypt', 'kms:Decrypt'))
    expect([...(decrypt(blob).Plaintext as Uint8Array)]).toEqual([1, 2])
    expect(failure(encrypt)).toMatchObject({ name: 'AccessDeniedException' })
  })

  it('keeps decisions of one key from answering for another with the same policy text', () => {
    const { core, createKey } = coreHarness()
    const open = createKey()
    const closed = createKey().KeyId
    const app = core.caller({ principal: ROLE })
    // Both keys have the default key policy; the identity policy names one key's ARN.
    core.identityPolicies.put(
      ROLE,
      'use',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: open.Arn }],
      }),
    )
    for (let i = 0; i < 2; i++) {
      expect(core.invoke('Encrypt', { KeyId: open.KeyId, Plaintext: new Uint8Array([1]) }, app).KeyId).toBe(open.Arn)
      expect(
        failure(() => core.invoke('Encrypt', { KeyId: closed, Plaintext: new Uint8Array([1]) }, app)),
      ).toMatchObject({ name: 'AccessDeniedException' })
    }
  })
})
