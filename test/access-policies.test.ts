/**
 * Access control end to end, through `emulator.call`: key policies, IAM identity policies,
 * conditions on real requests, cross-account use, AWS managed keys, the lockout safety check,
 * audit, and the what-if switch.
 */
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../src/clock.ts'
import { createEmulator, type Emulator } from '../src/emulator.ts'
import { LOCKOUT_MESSAGE } from '../src/kms/access/messages.ts'
import { KmsCore } from '../src/kms/core.ts'
import { OPERATION_TABLE } from '../src/kms/operations/index.ts'

const A = '111122223333'
const B = '444455556666'
const ROOT_A = `arn:aws:iam::${A}:root`
const APP = `arn:aws:iam::${A}:role/app`
const APP_B = `arn:aws:iam::${B}:role/app`
const pt = new TextEncoder().encode('secret')

function emulator(): Emulator {
  return createEmulator({ clock: new VirtualClock(), profile: 'none', defaultAccount: A })
}

const iam = (...statements: Record<string, unknown>[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements })
const keyPolicy = (...statements: Record<string, unknown>[]): string =>
  iam({ Sid: 'EnableIAM', Effect: 'Allow', Principal: { AWS: ROOT_A }, Action: 'kms:*', Resource: '*' }, ...statements)

async function denied(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p
  } catch (e) {
    return e as { name: string; message: string }
  }
  throw new Error('expected the call to fail')
}

describe('key policy + IAM', () => {
  it('a role needs an identity policy under the default key policy; attaching and detaching take effect at once', async () => {
    const kms = emulator()
    const { KeyMetadata } = await kms.call('CreateKey', {})
    const arn = KeyMetadata!.Arn!
    const app = { principal: APP }
    expect(await denied(kms.call('Encrypt', { KeyId: arn, Plaintext: pt }, app))).toMatchObject({
      name: 'AccessDeniedException',
      message: `User: ${APP} is not authorized to perform: kms:Encrypt on resource: ${arn} because no identity-based policy allows the kms:Encrypt action`,
    })
    kms.putIdentityPolicy(APP, 'use', iam({ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: arn }))
    const { CiphertextBlob } = await kms.call('Encrypt', { KeyId: arn, Plaintext: pt }, app)
    // an assumed-role session of the role has the role's permissions, and is named in denials as itself
    const session = { principal: `arn:aws:sts::${A}:assumed-role/app/worker-1` }
    expect((await kms.call('Decrypt', { CiphertextBlob: CiphertextBlob! }, session)).KeyId).toBe(arn)
    expect(await denied(kms.call('GenerateDataKey', { KeyId: arn, KeySpec: 'AES_256' }, session))).toMatchObject({
      message: expect.stringMatching(/^User: arn:aws:sts::111122223333:assumed-role\/app\/worker-1 is not authorized/),
    })
    expect(kms.listIdentityPolicies(APP)).toEqual(['use'])
    expect(kms.deleteIdentityPolicy(APP, 'use')).toBe(true)
    expect((await denied(kms.call('Encrypt', { KeyId: arn, Plaintext: pt }, app))).name).toBe('AccessDeniedException')
  })

  it("a key policy that names the role allows it without IAM; explicit denies win with AWS's messages", async () => {
    const kms = emulator()
    const policy = keyPolicy(
      {
        Sid: 'AppUse',
        Effect: 'Allow',
        Principal: { AWS: APP },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
      },
      {
        Sid: 'NoDataKeysForApp',
        Effect: 'Deny',
        Principal: { AWS: APP },
        Action: 'kms:GenerateDataKey',
        Resource: '*',
      },
    )
    const arn = (await kms.call('CreateKey', { Policy: policy })).KeyMetadata!.Arn!
    await kms.call('Encrypt', { KeyId: arn, Plaintext: pt }, { principal: APP })
    expect(
      await denied(kms.call('GenerateDataKey', { KeyId: arn, KeySpec: 'AES_256' }, { principal: APP })),
    ).toMatchObject({
      message: `User: ${APP} is not authorized to perform: kms:GenerateDataKey on resource: ${arn} with an explicit deny in a resource-based policy`,
    })
    kms.putIdentityPolicy(APP, 'guard', iam({ Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }))
    const blob = (await kms.call('Encrypt', { KeyId: arn, Plaintext: pt }, { principal: APP })).CiphertextBlob!
    expect(await denied(kms.call('Decrypt', { CiphertextBlob: blob }, { principal: APP }))).toMatchObject({
      message: `User: ${APP} is not authorized to perform: kms:Decrypt on resource: ${arn} with an explicit deny in an identity-based policy`,
    })
  })

  it('evaluates conditions on real requests: encryption context, alias, algorithm, principal ARN, new key spec', async () => {
    const kms = emulator()
    const policy = keyPolicy(
      {
        Sid: 'TenantOnly',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt'],
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:CallerAccount': A,
            'kms:EncryptionContext:tenant': 'blue',
            'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT',
          },
          ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/app*` },
        },
      },
      {
        Sid: 'ByAliasOnly',
        Effect: 'Allow',
        Principal: { AWS: APP },
        Action: 'kms:GenerateDataKey',
        Resource: '*',
        Condition: { StringEquals: { 'kms:RequestAlias': 'alias/blue' } },
      },
    )
    const keyId = (await kms.call('CreateKey', { Policy: policy })).KeyMetadata!.KeyId!
    await kms.call('CreateAlias', { AliasName: 'alias/blue', TargetKeyId: keyId })
    const app = { principal: APP }
    const blob = (
      await kms.call('Encrypt', { KeyId: keyId, Plaintext: pt, EncryptionContext: { tenant: 'blue' } }, app)
    ).CiphertextBlob!
    expect(
      (await denied(kms.call('Encrypt', { KeyId: keyId, Plaintext: pt, EncryptionContext: { tenant: 'red' } }, app)))
        .name,
    ).toBe('AccessDeniedException')
    expect((await denied(kms.call('Encrypt', { KeyId: keyId, Plaintext: pt }, app))).name).toBe('AccessDeniedException')
    expect(
      (
        await denied(
          kms.call(
            'Encrypt',
            { KeyId: keyId, Plaintext: pt, EncryptionContext: { tenant: 'blue' } },
            { principal: `arn:aws:iam::${A}:role/other` },
          ),
        )
      ).name,
    ).toBe('AccessDeniedException')
    await kms.call('Decrypt', { CiphertextBlob: blob, EncryptionContext: { tenant: 'blue' } }, app)
    await kms.call('GenerateDataKey', { KeyId: 'alias/blue', KeySpec: 'AES_256' }, app)
    expect((await denied(kms.call('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }, app))).name).toBe(
      'AccessDeniedException',
    )

    // kms:KeySpec of CreateKey, from an identity policy (key-less action: IAM alone)
    kms.putIdentityPolicy(
      APP,
      'create',
      iam({
        Effect: 'Allow',
        Action: 'kms:CreateKey',
        Resource: '*',
        Condition: { StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT' } },
      }),
    )
    await kms.call('CreateKey', {}, app)
    expect(
      await denied(kms.call('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }, app)),
    ).toMatchObject({
      message: `User: ${APP} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`,
    })
  })

  it('evaluates conditions on the key: kms:ResourceAliases, aws:ResourceTag/*, kms:KeySpec', async () => {
    const kms = emulator()
    kms.putIdentityPolicy(
      APP,
      'abac',
      iam(
        {
          Sid: 'ByAlias',
          Effect: 'Allow',
          Action: 'kms:Encrypt',
          Resource: '*',
          Condition: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/team-a/*' } },
        },
        {
          Sid: 'ByTag',
          Effect: 'Allow',
          Action: 'kms:DescribeKey',
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/Team': 'a', 'kms:KeySpec': 'SYMMETRIC_DEFAULT' } },
        },
      ),
    )
    const tagged = (await kms.call('CreateKey', { Tags: [{ TagKey: 'team', TagValue: 'a' }] })).KeyMetadata!.KeyId!
    const plain = (await kms.call('CreateKey', {})).KeyMetadata!.KeyId!
    const app = { principal: APP }
    expect((await denied(kms.call('Encrypt', { KeyId: tagged, Plaintext: pt }, app))).name).toBe(
      'AccessDeniedException',
    )
    await kms.call('CreateAlias', { AliasName: 'alias/team-a/orders', TargetKeyId: tagged })
    await kms.call('Encrypt', { KeyId: tagged, Plaintext: pt }, app)
    // tag keys match without case, tag values with case
    expect((await kms.call('DescribeKey', { KeyId: tagged }, app)).KeyMetadata!.KeyId).toBe(tagged)
    expect((await denied(kms.call('DescribeKey', { KeyId: plain }, app))).name).toBe('AccessDeniedException')
  })

  it('GenerateRandom is authorized by IAM alone', async () => {
    const kms = emulator()
    expect((await kms.call('GenerateRandom', { NumberOfBytes: 8 })).Plaintext).toHaveLength(8)
    expect((await denied(kms.call('GenerateRandom', { NumberOfBytes: 8 }, { principal: APP }))).name).toBe(
      'AccessDeniedException',
    )
    kms.putIdentityPolicy(APP, 'rand', iam({ Effect: 'Allow', Action: 'kms:GenerateRandom', Resource: '*' }))
    expect((await kms.call('GenerateRandom', { NumberOfBytes: 8 }, { principal: APP })).Plaintext).toHaveLength(8)
  })

  it('validates identity policies and refuses to attach one to the root user', () => {
    const kms = emulator()
    expect(() =>
      kms.putIdentityPolicy(APP, 'p', iam({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' })),
    ).toThrow(
      expect.objectContaining({
        name: 'MalformedPolicyDocumentException',
        message: expect.stringContaining('should not specify a principal'),
      }),
    )
    expect(() =>
      kms.putIdentityPolicy(
        APP,
        'p',
        iam({
          Effect: 'Allow',
          Action: 'kms:*',
          Resource: '*',
          Condition: { StringEquels: { 'kms:CallerAccount': A } },
        }),
      ),
    ).toThrow(/unknown condition operator 'StringEquels'/)
    expect(() => kms.putIdentityPolicy(APP, 'p', '{')).toThrow(
      expect.objectContaining({ name: 'MalformedPolicyDocumentException' }),
    )
    expect(() => kms.putIdentityPolicy(ROOT_A, 'p', iam({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }))).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    )
    expect(kms.listIdentityPolicies(APP)).toEqual([])
  })
})

describe('cross-account use', () => {
  async function sharedKey(kms: Emulator): Promise<string> {
    const policy = keyPolicy({
      Sid: 'AccountB',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${B}:root` },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:ScheduleKeyDeletion'],
      Resource: '*',
    })
    const arn = (await kms.call('CreateKey', { Policy: policy })).KeyMetadata!.Arn!
    await kms.call('CreateAlias', { AliasName: 'alias/shared', TargetKeyId: arn })
    return arn
  }

  it('needs the key policy of the owner and the identity policy of the caller; only by key ARN or alias ARN', async () => {
    const kms = emulator()
    const arn = await sharedKey(kms)
    const appB = { principal: APP_B }
    expect(await denied(kms.call('Encrypt', { KeyId: arn, Plaintext: pt }, appB))).toMatchObject({
      message: `User: ${APP_B} is not authorized to perform: kms:Encrypt on resource: ${arn} because no identity-based policy allows the kms:Encrypt action`,
    })
    kms.putIdentityPolicy(
      APP_B,
      'useA',
      iam({
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:ScheduleKeyDeletion', 'kms:GenerateDataKey'],
        Resource: `arn:aws:kms:us-east-1:${A}:key/*`,
      }),
    )
    const blob = (await kms.call('Encrypt', { KeyId: arn, Plaintext: pt }, appB)).CiphertextBlob!
    expect(
      (await kms.call('Encrypt', { KeyId: `arn:aws:kms:us-east-1:${A}:alias/shared`, Plaintext: pt }, appB)).KeyId,
    ).toBe(arn)
    expect((await kms.call('Decrypt', { CiphertextBlob: blob }, appB)).KeyId).toBe(arn)
    expect((await kms.call('DescribeKey', { KeyId: arn }, appB)).KeyMetadata!.AWSAccountId).toBe(A)
    // a bare key id or alias name means the caller's own account
    expect((await denied(kms.call('Encrypt', { KeyId: arn.split('/')[1]!, Plaintext: pt }, appB))).name).toBe(
      'NotFoundException',
    )
    expect((await denied(kms.call('Encrypt', { KeyId: 'alias/shared', Plaintext: pt }, appB))).name).toBe(
      'NotFoundException',
    )
    // not in the key policy for B: no resource-based policy allows
    expect(await denied(kms.call('GenerateDataKey', { KeyId: arn, KeySpec: 'AES_256' }, appB))).toMatchObject({
      message: expect.stringContaining('because no resource-based policy allows the kms:GenerateDataKey action'),
    })
    // allowed by both policies, but not an operation that works across accounts
    expect((await denied(kms.call('ScheduleKeyDeletion', { KeyId: arn }, appB))).name).toBe('AccessDeniedException')
    expect((await kms.call('DescribeKey', { KeyId: arn })).KeyMetadata!.KeyState).toBe('Enabled')
  })

  it('is refused on AWS managed keys; they are used only through their service', async () => {
    const kms = emulator()
    const s3Key = (await kms.call('DescribeKey', { KeyId: 'alias/aws/s3' })).KeyMetadata!
    expect(s3Key.KeyManager).toBe('AWS')
    const direct = await denied(kms.call('Encrypt', { KeyId: 'alias/aws/s3', Plaintext: pt }))
    expect(direct).toMatchObject({
      name: 'AccessDeniedException',
      message: `User: ${ROOT_A} is not authorized to perform: kms:Encrypt on resource: ${s3Key.Arn} because no resource-based policy allows the kms:Encrypt action`,
    })
    const viaS3 = { principal: APP, viaService: 's3.us-east-1.amazonaws.com' }
    const blob = (await kms.call('GenerateDataKey', { KeyId: 'alias/aws/s3', KeySpec: 'AES_256' }, viaS3))
      .CiphertextBlob!
    expect((await kms.call('Decrypt', { CiphertextBlob: blob }, viaS3)).KeyId).toBe(s3Key.Arn)
    expect(
      (
        await denied(
          kms.call('Decrypt', { CiphertextBlob: blob }, { ...viaS3, viaService: 'ec2.us-east-1.amazonaws.com' }),
        )
      ).name,
    ).toBe('AccessDeniedException')
    kms.putIdentityPolicy(APP_B, 'all', iam({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }))
    expect((await denied(kms.call('DescribeKey', { KeyId: s3Key.Arn! }, { principal: APP_B }))).name).toBe(
      'AccessDeniedException',
    )
    expect(
      (
        await denied(
          kms.call('Decrypt', { CiphertextBlob: blob }, { principal: APP_B, viaService: 's3.us-east-1.amazonaws.com' }),
        )
      ).name,
    ).toBe('AccessDeniedException')
  })
})

describe('the policy lockout safety check', () => {
  it('refuses a policy that would lock the caller out, unless BypassPolicyLockoutSafetyCheck', async () => {
    const kms = emulator()
    const admin = `arn:aws:iam::${A}:role/admin`
    kms.putIdentityPolicy(admin, 'admin', iam({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }))
    const keyId = (await kms.call('CreateKey', {}, { principal: admin })).KeyMetadata!.KeyId!
    const appOnly = iam({ Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:*', Resource: '*' })
    expect(
      await denied(kms.call('PutKeyPolicy', { KeyId: keyId, Policy: appOnly }, { principal: admin })),
    ).toMatchObject({ name: 'MalformedPolicyDocumentException', message: LOCKOUT_MESSAGE })
    expect(await denied(kms.call('CreateKey', { Policy: appOnly }, { principal: admin }))).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: LOCKOUT_MESSAGE,
    })
    // a policy that names the admin role directly keeps access
    await kms.call(
      'PutKeyPolicy',
      {
        KeyId: keyId,
        Policy: iam({ Effect: 'Allow', Principal: { AWS: admin }, Action: 'kms:PutKeyPolicy', Resource: '*' }),
      },
      { principal: admin },
    )
    await kms.call(
      'PutKeyPolicy',
      { KeyId: keyId, Policy: appOnly, BypassPolicyLockoutSafetyCheck: true },
      { principal: admin },
    )
    expect(
      (await denied(kms.call('PutKeyPolicy', { KeyId: keyId, Policy: keyPolicy() }, { principal: admin }))).name,
    ).toBe('AccessDeniedException')
    // the root user is locked out too: only the app role can manage the key now
    expect((await denied(kms.call('DescribeKey', { KeyId: keyId }))).name).toBe('AccessDeniedException')
  })

  it('names a bad principal and other grammar errors in CreateKey and PutKeyPolicy', async () => {
    const kms = emulator()
    const keyId = (await kms.call('CreateKey', {})).KeyMetadata!.KeyId!
    expect(
      await denied(
        kms.call('PutKeyPolicy', {
          KeyId: keyId,
          Policy: keyPolicy({
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${A}:role/*` },
            Action: 'kms:*',
            Resource: '*',
          }),
        }),
      ),
    ).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: `Policy contains a statement with one or more invalid principals. Invalid principal: "arn:aws:iam::${A}:role/*" (Statement 2).`,
    })
    expect(
      await denied(
        kms.call('CreateKey', {
          Policy: keyPolicy({
            Effect: 'Allow',
            Principal: '*',
            Action: 'kms:Decrypt',
            Resource: '*',
            Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContext:app': 'x' } },
          }),
        }),
      ),
    ).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: expect.stringMatching(/^OverlyPermissiveCondition/),
    })
    expect(
      await denied(
        kms.call('CreateKey', {
          Policy: keyPolicy({ Effect: 'Allow', Principal: '*', Action: 'Decrypt', Resource: '*' }),
        }),
      ),
    ).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: expect.stringContaining("Action 'Decrypt' is not a valid action"),
    })
  })
})

describe('audit and the what-if switch', () => {
  it('records every decision: errorCode for denials, the deciding statement or grant, unknown condition keys', async () => {
    const kms = emulator()
    const policy = keyPolicy({
      Sid: 'ThroughVpce',
      Effect: 'Allow',
      Principal: { AWS: APP },
      Action: 'kms:Encrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-123' } },
    })
    const arn = (await kms.call('CreateKey', { Policy: policy })).KeyMetadata!.Arn!
    await kms.call('Encrypt', { KeyId: arn, Plaintext: pt })
    await denied(kms.call('Encrypt', { KeyId: arn, Plaintext: pt }, { principal: APP }))
    const [, ok, no] = kms.auditEvents()
    expect(ok?.additionalEventData).toEqual({
      authorization: [
        {
          action: 'kms:Encrypt',
          resource: arn,
          decision: 'Allow',
          reason: 'key-policy',
          statement: 'key-policy:EnableIAM',
        },
      ],
    })
    expect(no).toMatchObject({ errorCode: 'AccessDeniedException', userIdentity: { arn: APP } })
    expect(no?.additionalEventData).toEqual({
      authorization: [{ action: 'kms:Encrypt', resource: arn, decision: 'Deny', reason: 'no-identity-allow' }],
      unknownConditionKeys: ['aws:SourceVpce'],
    })
  })

  it("accessControl 'off' allows every request (what-if studies only)", () => {
    const core = new KmsCore({
      operations: OPERATION_TABLE,
      clock: new VirtualClock(),
      defaultAccount: A,
      defaultRegion: 'us-east-1',
      accessControl: 'off',
    })
    const app = core.caller({ principal: APP })
    const keyId = core.invoke(
      'CreateKey',
      {
        Policy: iam({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${A}:role/nobody` },
          Action: 'kms:*',
          Resource: '*',
        }),
      },
      app,
    ).KeyMetadata!.KeyId!
    expect(core.invoke('Encrypt', { KeyId: keyId, Plaintext: pt }, app).KeyId).toContain(keyId)
    expect(core.invoke('Encrypt', { KeyId: 'alias/aws/s3', Plaintext: pt }, app).KeyId).toBeDefined()
    expect(
      () =>
        new KmsCore({
          operations: OPERATION_TABLE,
          clock: new VirtualClock(),
          defaultAccount: A,
          defaultRegion: 'us-east-1',
          grantPropagationDelayMs: -1,
        }),
    ).toThrow(RangeError)
  })
})
