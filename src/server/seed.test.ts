import { describe, expect, it } from 'vitest'
import { createEmulator } from '../emulator.ts'
import { applySeed, parseSeed, SeedError } from './seed.ts'

function emulator() {
  return createEmulator({ profile: 'none', audit: { capacity: 0 } })
}

const policy = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
  ],
}

describe('seed', () => {
  it('creates keys, aliases, tags, rotation, replicas and identity policies through the real operations', () => {
    const e = emulator()
    const seed = parseSeed({
      keys: [
        {
          aliases: ['alias/app', 'alias/app-2'],
          description: 'app key',
          tags: { team: 'pay' },
          rotation: { enabled: true, periodDays: 180 },
          policy,
        },
        { aliases: ['alias/global'], multiRegion: true, replicaRegions: ['eu-west-1'] },
        {
          aliases: ['alias/signer'],
          keySpec: 'ECC_NIST_P256',
          keyUsage: 'SIGN_VERIFY',
          region: 'us-west-2',
          account: '444455556666',
        },
      ],
      identityPolicies: [
        {
          principal: 'arn:aws:iam::111122223333:role/app',
          name: 'kms',
          document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] },
        },
      ],
    })
    expect(applySeed(e, seed, { fresh: true })).toEqual({ created: 3, skipped: 0 })
    const md = e.callSync('DescribeKey', { KeyId: 'alias/app-2' }).KeyMetadata!
    expect(md.Description).toBe('app key')
    expect(e.callSync('GetKeyRotationStatus', { KeyId: md.KeyId })).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 180,
    })
    expect(e.callSync('ListResourceTags', { KeyId: md.KeyId }).Tags).toEqual([{ TagKey: 'team', TagValue: 'pay' }])
    expect(JSON.parse(e.callSync('GetKeyPolicy', { KeyId: md.KeyId, PolicyName: 'default' }).Policy!)).toEqual(policy)
    const global = e.callSync('DescribeKey', { KeyId: 'alias/global' }).KeyMetadata!
    expect(global.MultiRegionConfiguration?.ReplicaKeys?.map((r) => r.Region)).toEqual(['eu-west-1'])
    expect(
      e.callSync('DescribeKey', { KeyId: 'alias/signer' }, { account: '444455556666', region: 'us-west-2' })
        .KeyMetadata!.KeySpec,
    ).toBe('ECC_NIST_P256')
    expect(e.listIdentityPolicies('arn:aws:iam::111122223333:role/app')).toEqual(['kms'])
  })

  it('is idempotent by alias, and creates alias-less keys only on a fresh state', () => {
    const e = emulator()
    const seed = parseSeed({ keys: [{ aliases: ['alias/app'] }, { description: 'no alias' }] })
    expect(applySeed(e, seed, { fresh: true })).toEqual({ created: 2, skipped: 0 })
    expect(applySeed(e, seed, { fresh: false })).toEqual({ created: 0, skipped: 2 })
    expect(e.callSync('ListKeys', {}).Keys).toHaveLength(2)
  })

  it('rejects bad files naming every problem, and KMS refusals naming the entry', () => {
    expect(() =>
      parseSeed({
        keys: [{ aliases: ['app'], keySpec: 'AES', region: 'us-est-1', replicaRegions: ['eu-west-1'] }],
        extra: 1,
      }),
    ).toThrow(SeedError)
    let m = ''
    try {
      parseSeed({ keys: [{ aliases: ['app'], keySpec: 'AES', region: 'us-est-1', replicaRegions: ['eu-west-1'] }] })
    } catch (err) {
      m = (err as Error).message
    }
    expect(m).toContain('keys.0.aliases.0: aliases start with alias/')
    expect(m).toContain('keys.0.keySpec: must be one of')
    expect(m).toContain("unknown Region 'us-est-1' (did you mean us-east-1?)")
    expect(m).toContain('replicaRegions needs multiRegion: true')
    const e = emulator()
    expect(() => applySeed(e, parseSeed({ keys: [{ aliases: ['alias/aws/s3'] }] }), { fresh: true })).toThrow(
      /seed keys\.0: CreateAlias failed: \w+Exception/,
    )
  })
})
