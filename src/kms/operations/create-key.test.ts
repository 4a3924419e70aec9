import { describe, expect, it } from 'vitest'
import type { AccessRequest, OpContext } from '../context.ts'
import type { KmsKey } from '../key.ts'
import type { KeySpec, KeyUsageType } from '../model.generated.ts'
import { coreHarness, failure } from '../test-support.ts'

const ROOT = 'arn:aws:iam::111122223333:root'
const policy = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements })
const allowRoot = { Sid: 'root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }

describe('CreateKey', () => {
  it('creates an enabled symmetric key by default, with AWS metadata (LocalStack snapshot, test_create_key)', () => {
    const { clock, call } = coreHarness()
    const md = call('CreateKey', { Description: 'test key 123' }).KeyMetadata
    expect(md).toMatchObject({
      AWSAccountId: '111122223333',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      Description: 'test key 123',
      Enabled: true,
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      MultiRegion: false,
      Origin: 'AWS_KMS',
    })
    expect(md?.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(md?.Arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${md?.KeyId}`)
    expect(md?.CreationDate?.getTime()).toBe(clock.now())
    expect(md?.DeletionDate).toBeUndefined()
    expect(md?.MultiRegionConfiguration).toBeUndefined()
    expect(call('CreateKey', {}).KeyMetadata?.Description).toBe('')
  })

  it('creates every key spec of the model with each usage AWS allows for it', { timeout: 60_000 }, () => {
    const { call } = coreHarness()
    const cases: [KeySpec, KeyUsageType, Record<string, unknown>][] = [
      ['RSA_2048', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
      [
        'RSA_2048',
        'SIGN_VERIFY',
        { SigningAlgorithms: expect.arrayContaining(['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_512']) },
      ],
      ['RSA_3072', 'SIGN_VERIFY', {}],
      ['RSA_4096', 'ENCRYPT_DECRYPT', {}],
      ['ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
      ['ECC_NIST_P256', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
      ['ECC_NIST_P384', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_384'] }],
      ['ECC_NIST_P521', 'KEY_AGREEMENT', {}],
      ['ECC_SECG_P256K1', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
      ['HMAC_224', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_224'] }],
      ['HMAC_256', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_256'] }],
      ['HMAC_384', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_384'] }],
      ['HMAC_512', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_512'] }],
    ]
    for (const [KeySpec, KeyUsage, extra] of cases) {
      const md = call('CreateKey', { KeySpec, KeyUsage }).KeyMetadata
      expect(md, KeySpec).toMatchObject({
        KeySpec,
        CustomerMasterKeySpec: KeySpec,
        KeyUsage,
        KeyState: 'Enabled',
        ...extra,
      })
    }
    // The deprecated CustomerMasterKeySpec still works.
    expect(
      call('CreateKey', { CustomerMasterKeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }).KeyMetadata?.KeySpec,
    ).toBe('HMAC_256')
  })

  it('SM2 only in China Regions', () => {
    const { call } = coreHarness()
    const e = failure(() => call('CreateKey', { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }))
    expect(e.name).toBe('ValidationException')
    // Commercial Regions' enum list has no SM2 (LocalStack's AWS snapshot, create-hmac-key-invalid-spec).
    expect(e.message).toBe(
      "1 validation error detected: Value 'SM2' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, ECC_NIST_P384, ECC_NIST_P256, ECC_NIST_P521, HMAC_384, RSA_3072, ECC_SECG_P256K1, RSA_4096, SYMMETRIC_DEFAULT, HMAC_256, HMAC_224, HMAC_512]",
    )
    const md = call('CreateKey', { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }, { region: 'cn-north-1' }).KeyMetadata
    expect(md?.Arn).toMatch(/^arn:aws-cn:kms:cn-north-1:/)
    expect(md?.SigningAlgorithms).toEqual(['SM2DSA'])
  })

  it('refuses key usages the key spec does not support, with AWS messages', () => {
    const { call } = coreHarness()
    expect(failure(() => call('CreateKey', { KeySpec: 'HMAC_256' }))).toMatchObject({
      name: 'ValidationException',
      message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    })
    expect(failure(() => call('CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' }))).toMatchObject({
      name: 'ValidationException',
      message: 'KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048',
    })
    for (const [KeySpec, KeyUsage] of [
      ['SYMMETRIC_DEFAULT', 'SIGN_VERIFY'],
      ['ECC_SECG_P256K1', 'KEY_AGREEMENT'],
      ['HMAC_512', 'ENCRYPT_DECRYPT'],
      ['ECC_NIST_P384', 'ENCRYPT_DECRYPT'],
    ] as const) {
      expect(failure(() => call('CreateKey', { KeySpec, KeyUsage })).name, `${KeySpec}/${KeyUsage}`).toBe(
        'ValidationException',
      )
    }
    expect(
      failure(() =>
        call('CreateKey', { KeySpec: 'HMAC_256', CustomerMasterKeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
      ).name,
    ).toBe('ValidationException')
  })

  it('reports bad input as ValidationException naming the member, never a TypeError', () => {
    const { call } = coreHarness()
    expect(
      failure(() => call('CreateKey', { KeySpec: 'HMAC_random', KeyUsage: 'GENERATE_VERIFY_MAC' } as never)).message,
    ).toBe(
      "1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, ECC_NIST_P384, ECC_NIST_P256, ECC_NIST_P521, HMAC_384, RSA_3072, ECC_SECG_P256K1, RSA_4096, SYMMETRIC_DEFAULT, HMAC_256, HMAC_224, HMAC_512]",
    )
    for (const bad of [
      { Description: 42 },
      { Tags: 'x' },
      { Tags: [{ TagKey: 'a' }] },
      { MultiRegion: 'yes' },
      { Description: 'd'.repeat(8193) },
      { Policy: '' },
    ]) {
      const e = failure(() => call('CreateKey', bad as never))
      expect(e.name, JSON.stringify(bad).slice(0, 40)).toBe('ValidationException')
      expect(e.message).toMatch(/at '(description|tags|tags\.1\.member\.tagValue|multiRegion|policy)'/)
    }
  })

  it('applies the tag rules (LocalStack snapshot messages)', () => {
    const { call } = coreHarness()
    const tags = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }))
    expect(failure(() => call('CreateKey', { Tags: tags }))).toMatchObject({
      name: 'TagException',
      message: 'Too many tags',
    })
    for (const TagKey of ['aws:x', 'AWS:x', 'Aws:other']) {
      expect(failure(() => call('CreateKey', { Tags: [{ TagKey, TagValue: 'v' }] }))).toMatchObject({
        name: 'TagException',
        message: 'Tags beginning with aws: are reserved',
      })
    }
    expect(
      failure(() =>
        call('CreateKey', {
          Tags: [
            { TagKey: 'a', TagValue: '1' },
            { TagKey: 'a', TagValue: '2' },
          ],
        }),
      ),
    ).toMatchObject({ name: 'TagException', message: 'Duplicate tag keys' })
    expect(failure(() => call('CreateKey', { Tags: [{ TagKey: 'a'.repeat(129), TagValue: 'v' }] })).message).toContain(
      "at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128",
    )
    const keyId = call('CreateKey', { Tags: tags.slice(0, 50) }).KeyMetadata?.KeyId as string
    expect(call('ListResourceTags', { KeyId: keyId }).Tags).toHaveLength(50)
  })

  it('stores the given policy, or the default policy that enables IAM', () => {
    const { call } = coreHarness()
    const custom = policy([allowRoot])
    const a = call('CreateKey', { Policy: custom }).KeyMetadata?.KeyId as string
    expect(call('GetKeyPolicy', { KeyId: a }).Policy).toBe(custom)
    const b = call('CreateKey', {}).KeyMetadata?.KeyId as string
    const doc = JSON.parse(call('GetKeyPolicy', { KeyId: b }).Policy as string)
    expect(doc.Statement).toEqual([
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
    ])
  })

  it('refuses malformed key policies with MalformedPolicyDocumentException naming the problem', () => {
    const { call } = coreHarness()
    const cases: [string, RegExp][] = [
      ['{not json', /invalid JSON/],
      ['[]', /JSON object/],
      ['{"Version":"2012-10-17"}', /no Statement/],
      [policy([]), /no Statement/],
      [policy([{ ...allowRoot, Principal: undefined }]), /Statement 'root' has no Principal/],
      [
        policy([{ ...allowRoot, Principal: { AWS: 'not-an-arn' } }]),
        /^Policy contains a statement with one or more invalid principals\. Invalid principal: "not-an-arn" \(Statement 'root'\)\.$/,
      ],
      [policy([{ ...allowRoot, Principal: { Bogus: 'x' } }]), /invalid principals/],
      [policy([{ ...allowRoot, Effect: 'Maybe' }]), /Effect of Allow or Deny/],
      [policy([{ ...allowRoot, Action: undefined }]), /Action and NotAction/],
      [policy([{ ...allowRoot, Resource: undefined }]), /Resource and NotResource/],
      [policy([{ ...allowRoot, Condition: 'x' }]), /Condition/],
      [JSON.stringify({ Version: '2020-01-01', Statement: [allowRoot] }), /Version/],
      [policy([allowRoot, 'x']), /Statement 2 of the key policy must be a JSON object/],
    ]
    for (const [doc, message] of cases) {
      const e = failure(() => call('CreateKey', { Policy: doc }))
      expect(e.name, doc).toBe('MalformedPolicyDocumentException')
      expect(e.message, doc).toMatch(message)
    }
    const big = policy([{ ...allowRoot, Sid: 'x'.repeat(33_000) }])
    expect(failure(() => call('CreateKey', { Policy: big }))).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: expect.stringMatching(/32768 bytes/),
    })
    // Valid principal forms.
    const ok = policy([
      { ...allowRoot, Principal: '*' },
      {
        ...allowRoot,
        Sid: 'b',
        Principal: {
          AWS: ['111122223333', 'arn:aws:iam::111122223333:role/app', 'arn:aws:sts::111122223333:assumed-role/app/s'],
        },
      },
      {
        ...allowRoot,
        Sid: 'c',
        Principal: { Service: 's3.amazonaws.com' },
        Condition: { StringEquals: { 'kms:CallerAccount': '111122223333' } },
      },
      { Effect: 'Deny', NotPrincipal: { AWS: ROOT }, NotAction: ['kms:Decrypt'], NotResource: '*' },
    ])
    expect(call('CreateKey', { Policy: ok }).KeyMetadata?.KeyState).toBe('Enabled')
  })

  it('asks the lockout safety check unless BypassPolicyLockoutSafetyCheck, and authorizes CreateKey and TagResource', () => {
    const { core, call } = coreHarness()
    const requests: AccessRequest[] = []
    const checked: [string, KmsKey | undefined][] = []
    core.authorizer = {
      authorize: (_ctx: OpContext, r: AccessRequest) => {
        requests.push(r)
      },
      assertPolicyKeepsAccess: (_ctx: OpContext, p: string, key: KmsKey | undefined) => {
        checked.push([p, key])
      },
    }
    const p = policy([allowRoot])
    call('CreateKey', {
      Policy: p,
      Tags: [{ TagKey: 'team', TagValue: 'a' }],
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
      MultiRegion: true,
    })
    expect(checked).toEqual([[p, undefined]])
    expect(requests.map((r) => r.action)).toEqual(['kms:CreateKey', 'kms:TagResource'])
    expect(requests[0]?.conditions).toMatchObject({
      'kms:KeySpec': 'HMAC_256',
      'kms:KeyUsage': 'GENERATE_VERIFY_MAC',
      'kms:KeyOrigin': 'AWS_KMS',
      'kms:MultiRegion': true,
      'aws:RequestTag/team': 'a',
      'aws:TagKeys': ['team'],
    })
    call('CreateKey', { Policy: p, BypassPolicyLockoutSafetyCheck: true })
    expect(checked).toHaveLength(1)
    core.authorizer = {
      authorize: () => {},
      assertPolicyKeepsAccess: () => {
        throw Object.assign(new Error('x'), { name: 'x' })
      },
    }
    expect(failure(() => call('CreateKey', { Policy: p })).name).toBe('KMSInternalException')
    expect(core.store.region('111122223333', 'us-east-1').keys.size).toBe(2)
  })

  it('creates multi-Region primary keys with mrk- ids', () => {
    const { call } = coreHarness()
    const md = call('CreateKey', { MultiRegion: true }).KeyMetadata
    expect(md?.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/)
    expect(md?.MultiRegion).toBe(true)
    expect(md?.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: md?.Arn, Region: 'us-east-1' },
      ReplicaKeys: [],
    })
  })

  it('keeps keys per account and Region, and audits the new key', () => {
    const { core, call } = coreHarness()
    const keyId = call('CreateKey', {}, { account: '444455556666', region: 'eu-west-1' }).KeyMetadata?.KeyId as string
    expect(core.store.region('444455556666', 'eu-west-1').keys.has(keyId)).toBe(true)
    expect(core.store.peekRegion('111122223333', 'us-east-1')?.keys.has(keyId) ?? false).toBe(false)
    const event = core.audit.events().at(-1)
    expect(event).toMatchObject({
      eventName: 'CreateKey',
      awsRegion: 'eu-west-1',
      resources: [{ ARN: `arn:aws:kms:eu-west-1:444455556666:key/${keyId}` }],
    })
  })

  it('creates an EXTERNAL key without material, PendingImport (snapshot test_import_key_symmetric)', () => {
    const { call } = coreHarness()
    const md = call('CreateKey', { Origin: 'EXTERNAL', Description: 'd' }).KeyMetadata
    expect(md).toMatchObject({
      Origin: 'EXTERNAL',
      KeyState: 'PendingImport',
      Enabled: false,
      KeySpec: 'SYMMETRIC_DEFAULT',
    })
    expect(md?.CurrentKeyMaterialId).toBeUndefined()
    expect(md?.ExpirationModel).toBeUndefined()
    const e = failure(() => call('Encrypt', { KeyId: md?.KeyId as string, Plaintext: new Uint8Array([1]) }))
    expect([e.name, e.message]).toEqual(['KMSInvalidStateException', `${md?.Arn} is pending import.`])
    const ecc = call('CreateKey', { Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })
    expect(ecc.KeyMetadata).toMatchObject({ KeyState: 'PendingImport', SigningAlgorithms: ['ECDSA_SHA_256'] })
  })
})
