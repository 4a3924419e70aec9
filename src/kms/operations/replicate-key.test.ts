import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import { createEmulator, type Emulator } from '../../emulator.ts'

const east = { region: 'us-east-1' }
const west = { region: 'us-west-2' }

function setup(): Emulator {
  return createEmulator({ clock: new VirtualClock(), profile: 'none' })
}

function mrk(kms: Emulator): { KeyId: string; Arn: string } {
  const md = kms.callSync(
    'CreateKey',
    { MultiRegion: true, Description: 'primary', Tags: [{ TagKey: 'team', TagValue: 'a' }] },
    east,
  ).KeyMetadata!
  return { KeyId: md.KeyId, Arn: md.Arn! }
}

describe('ReplicateKey', () => {
  it("gives the replica its own policy, description and tags, not the primary's", () => {
    const kms = setup()
    const { KeyId } = mrk(kms)
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'all',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    })
    const out = kms.callSync(
      'ReplicateKey',
      {
        KeyId,
        ReplicaRegion: 'us-west-2',
        Policy: policy,
        Description: 'replica',
        Tags: [{ TagKey: 'env', TagValue: 'dr' }],
      },
      east,
    )
    expect(out.ReplicaPolicy).toBe(policy)
    expect(out.ReplicaTags).toEqual([{ TagKey: 'env', TagValue: 'dr' }])
    expect(out.ReplicaKeyMetadata).toMatchObject({
      Description: 'replica',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
    })
    expect(kms.callSync('ListResourceTags', { KeyId }, west).Tags).toEqual([{ TagKey: 'env', TagValue: 'dr' }])
    expect(kms.callSync('GetKeyPolicy', { KeyId, PolicyName: 'default' }, west).Policy).toBe(policy)
    expect(kms.callSync('DescribeKey', { KeyId }, east).KeyMetadata?.Description).toBe('primary')
  })

  it('accepts the key ARN; refuses aliases, unknown keys and other accounts', () => {
    const kms = setup()
    const { KeyId, Arn } = mrk(kms)
    kms.callSync('ReplicateKey', { KeyId: Arn, ReplicaRegion: 'us-west-2' }, east)
    kms.callSync('CreateAlias', { AliasName: 'alias/mrk', TargetKeyId: KeyId }, east)
    expect(() => kms.callSync('ReplicateKey', { KeyId: 'alias/mrk', ReplicaRegion: 'eu-west-1' }, east)).toThrow(
      expect.objectContaining({ name: 'NotFoundException' }),
    )
    expect(() =>
      kms.callSync('ReplicateKey', { KeyId: 'mrk-0123456789abcdef0123456789abcdef', ReplicaRegion: 'eu-west-1' }, east),
    ).toThrow(
      expect.objectContaining({
        name: 'NotFoundException',
        message: "Key 'arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef' does not exist",
      }),
    )
    const foreign = kms.callSync('CreateKey', { MultiRegion: true }, { account: '444455556666', region: 'us-east-1' })
      .KeyMetadata!
    expect(() => kms.callSync('ReplicateKey', { KeyId: foreign.Arn!, ReplicaRegion: 'eu-west-1' }, east)).toThrow(
      expect.objectContaining({ name: 'AccessDeniedException' }),
    )
  })

  it('refuses single-Region keys and replicas with AWS message', () => {
    const kms = setup()
    const single = kms.callSync('CreateKey', {}, east).KeyMetadata!
    expect(() => kms.callSync('ReplicateKey', { KeyId: single.KeyId, ReplicaRegion: 'us-west-2' }, east)).toThrow(
      expect.objectContaining({
        name: 'UnsupportedOperationException',
        message: `${single.Arn} is not a multi-region primary key.`,
      }),
    )
    const { KeyId } = mrk(kms)
    kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'us-west-2' }, east)
    expect(() => kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'us-west-2' }, west)).toThrow(
      expect.objectContaining({
        name: 'UnsupportedOperationException',
        message: `arn:aws:kms:us-west-2:111122223333:key/${KeyId} is not a multi-region primary key.`,
      }),
    )
  })

  it('refuses a Region that already holds the key, even pending deletion', () => {
    const kms = setup()
    const { KeyId } = mrk(kms)
    kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'us-west-2' }, east)
    expect(() => kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'us-west-2' }, east)).toThrow(
      expect.objectContaining({ name: 'AlreadyExistsException' }),
    )
    kms.callSync('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7 }, west)
    expect(() => kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'us-west-2' }, east)).toThrow(
      expect.objectContaining({ name: 'AlreadyExistsException' }),
    )
  })

  it('refuses the primary Region, unknown Regions and other partitions', () => {
    const kms = setup()
    const { KeyId } = mrk(kms)
    expect(() => kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'us-east-1' }, east)).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    )
    expect(() => kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'us-eats-1' }, east)).toThrow(
      expect.objectContaining({
        name: 'ValidationException',
        message: expect.stringContaining("did you mean 'us-east-1'"),
      }),
    )
    expect(() => kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'cn-north-1' }, east)).toThrow(
      expect.objectContaining({ name: 'ValidationException', message: expect.stringContaining('partition aws-cn') }),
    )
    // The model's own RegionType pattern, checked before the handler runs.
    expect(() => kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'Mars' }, east)).toThrow(
      expect.objectContaining({
        name: 'ValidationException',
        message: expect.stringContaining(
          "at 'replicaRegion' failed to satisfy constraint: Member must satisfy regular expression pattern",
        ),
      }),
    )
    expect(kms.callSync('DescribeKey', { KeyId }, east).KeyMetadata?.MultiRegionConfiguration?.ReplicaKeys).toEqual([])
  })

  it('checks the policy and tags it is given, and the primary key state', () => {
    const kms = setup()
    const { KeyId, Arn } = mrk(kms)
    expect(() =>
      kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'us-west-2', Policy: '{not json' }, east),
    ).toThrow(expect.objectContaining({ name: 'MalformedPolicyDocumentException' }))
    expect(() =>
      kms.callSync(
        'ReplicateKey',
        { KeyId, ReplicaRegion: 'us-west-2', Tags: [{ TagKey: 'aws:x', TagValue: '' }] },
        east,
      ),
    ).toThrow(expect.objectContaining({ name: 'TagException', message: 'Tags beginning with aws: are reserved' }))
    expect(() => kms.callSync('DescribeKey', { KeyId }, west)).toThrow(
      expect.objectContaining({ name: 'NotFoundException' }),
    )
    // A disabled primary can be replicated; the replica's state is its own.
    kms.callSync('DisableKey', { KeyId }, east)
    kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'us-west-2' }, east)
    expect(kms.callSync('DescribeKey', { KeyId }, west).KeyMetadata?.KeyState).toBe('Enabled')
    kms.callSync('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7 }, east)
    expect(() => kms.callSync('ReplicateKey', { KeyId, ReplicaRegion: 'eu-west-1' }, east)).toThrow(
      expect.objectContaining({ name: 'KMSInvalidStateException', message: `${Arn} is pending replica deletion.` }),
    )
  })

  it('replicates asymmetric and HMAC keys with the same key material', () => {
    const kms = setup()
    const ecc = kms.callSync(
      'CreateKey',
      { MultiRegion: true, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
      east,
    ).KeyMetadata!.KeyId
    kms.callSync('ReplicateKey', { KeyId: ecc, ReplicaRegion: 'us-west-2' }, east)
    const a = kms.callSync('GetPublicKey', { KeyId: ecc }, east).PublicKey
    const b = kms.callSync('GetPublicKey', { KeyId: ecc }, west).PublicKey
    expect(Buffer.from(b!).equals(Buffer.from(a!))).toBe(true)
  })
})
