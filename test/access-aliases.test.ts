/**
 * Alias operations need permission on the alias as well as on the key
 * (https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html): the key policy
 * (or IAM, when the key policy enables it) for the key, and an IAM policy for the alias ARN.
 */
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../src/clock.ts'
import { createEmulator } from '../src/emulator.ts'

const A = '111122223333'
const role = `arn:aws:iam::${A}:role/ops`
const caller = { account: A, region: 'us-east-1', principal: role }

function identityPolicy(resources: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias', 'kms:CreateKey'],
        Resource: resources,
      },
    ],
  })
}

describe('alias permissions', () => {
  it('CreateAlias is denied without IAM permission on the alias ARN, allowed with it', async () => {
    const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
    const { KeyMetadata } = await kms.call('CreateKey', {})
    const keyArn = KeyMetadata!.Arn!
    kms.putIdentityPolicy(role, 'keys-only', identityPolicy([keyArn]))
    await expect(
      kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: keyArn }, caller),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`kms:CreateAlias on resource: arn:aws:kms:us-east-1:${A}:alias/app`),
    })
    kms.putIdentityPolicy(role, 'keys-only', identityPolicy([keyArn, `arn:aws:kms:us-east-1:${A}:alias/app*`]))
    await kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: keyArn }, caller)
    kms.putIdentityPolicy(role, 'keys-only', identityPolicy([keyArn]))
    await expect(kms.call('DeleteAlias', { AliasName: 'alias/app' }, caller)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
  })

  it('an alias-only IAM policy is not enough: the key must allow it too', async () => {
    const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
    const { KeyMetadata } = await kms.call('CreateKey', {})
    kms.putIdentityPolicy(role, 'alias-only', identityPolicy([`arn:aws:kms:us-east-1:${A}:alias/*`]))
    await expect(
      kms.call('CreateAlias', { AliasName: 'alias/app', TargetKeyId: KeyMetadata!.KeyId }, caller),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
  })
})
