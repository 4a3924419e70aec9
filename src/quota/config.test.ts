import { describe, expect, it } from 'vitest'
import { parseProfile, QuotaConfigError, resolveQuotaConfig, type QuotaOptions } from './config.ts'
import { BUILT_IN_PROFILES, profileNames } from './profiles.ts'

function problemsOf(options: QuotaOptions): readonly string[] {
  try {
    resolveQuotaConfig(options)
  } catch (e) {
    if (e instanceof QuotaConfigError) return e.problems
    throw e
  }
  throw new Error('expected a QuotaConfigError')
}

describe('aws-default profile (requests-per-second.html, kms-facts.md §1.1-1.2)', () => {
  const config = resolveQuotaConfig({})!

  it('is the default', () => {
    expect(config.profile.name).toBe('aws-default')
  })

  it('has the symmetric quota per Region: 10,000 / 20,000 in six Regions / 100,000 in three', () => {
    expect(config.limit('ap-south-1', 'symmetric')).toBe(10_000)
    expect(config.limit('sa-east-1', 'symmetric')).toBe(10_000)
    for (const r of ['us-east-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'eu-central-1', 'eu-west-2'])
      expect(config.limit(r, 'symmetric')).toBe(20_000)
    for (const r of ['us-east-1', 'us-west-2', 'eu-west-1']) expect(config.limit(r, 'symmetric')).toBe(100_000)
  })

  it('has the asymmetric, custom key store and per-API quotas', () => {
    expect(config.limit('us-east-1', 'rsa')).toBe(1000)
    expect(config.limit('us-east-1', 'ecc')).toBe(1000)
    expect(config.limit('us-east-1', 'ml-dsa')).toBe(1000)
    expect(config.limit('us-east-1', 'custom-key-store:cks-1234567890abcdef0')).toBe(1800)
    expect(config.limit('us-east-1', 'api:CreateKey')).toBe(5)
    expect(config.limit('us-east-1', 'api:DescribeKey')).toBe(2000)
    expect(config.limit('us-east-1', 'api:ListKeys')).toBe(500)
    expect(config.limit('us-east-1', 'api:CreateGrant')).toBe(50)
    expect(config.limit('us-east-1', 'api:GetParametersForImport')).toBe(1)
    expect(config.limit('us-east-1', 'key-pair:RSA_2048')).toBe(20)
    expect(config.limit('us-east-1', 'key-pair:RSA_4096')).toBe(1)
    expect(config.limit('us-east-1', 'key-pair:ECC_NIST_P256')).toBe(100)
    expect(config.limit('us-east-1', 'hot-key')).toBe(5)
  })

  it('has the China Regions key pair quotas', () => {
    expect(config.limit('cn-north-1', 'key-pair:RSA_2048')).toBe(1)
    expect(config.limit('cn-north-1', 'key-pair:RSA_3072')).toBe(0.5)
    expect(config.limit('cn-northwest-1', 'key-pair:RSA_4096')).toBe(0.1)
    expect(config.limit('cn-north-1', 'key-pair:SM2')).toBe(25)
    expect(config.limit('us-east-1', 'key-pair:SM2')).toBeUndefined()
  })
})

describe('older profiles', () => {
  it('aws-2020: 5,500 / 10,000 / 30,000, RSA 500, ECC 300, DescribeKey 1,000', () => {
    const c = resolveQuotaConfig({ profile: 'aws-2020' })!
    expect([
      c.limit('ap-south-1', 'symmetric'),
      c.limit('eu-west-2', 'symmetric'),
      c.limit('us-east-1', 'symmetric'),
    ]).toEqual([5500, 10_000, 30_000])
    expect([c.limit('us-east-1', 'rsa'), c.limit('us-east-1', 'ecc'), c.limit('us-east-1', 'api:DescribeKey')]).toEqual(
      [500, 300, 1000],
    )
    expect(c.limit('us-east-1', 'key-pair:RSA_3072')).toBe(0.5)
    expect(c.limit('us-east-1', 'api:GetParametersForImport')).toBe(0.25)
  })

  it("aws-2018-08: 10,000 in us-east-1, us-west-2, eu-west-1 and 5,500 elsewhere (What's New 2018-08-21)", () => {
    const c = resolveQuotaConfig({ profile: 'aws-2018-08' })!
    expect([
      c.limit('us-west-2', 'symmetric'),
      c.limit('eu-west-2', 'symmetric'),
      c.limit('us-east-1', 'api:DescribeKey'),
    ]).toEqual([10_000, 5500, 100])
  })

  it('aws-pre-2018-08: 1,200 everywhere', () => {
    const c = resolveQuotaConfig({ profile: 'aws-pre-2018-08' })!
    expect([c.limit('us-east-1', 'symmetric'), c.limit('ap-south-1', 'symmetric')]).toEqual([1200, 1200])
  })

  it('every built-in profile names its source and description', () => {
    for (const p of BUILT_IN_PROFILES.values()) {
      expect(p.source.length).toBeGreaterThan(20)
      expect(p.description.length).toBeGreaterThan(20)
    }
    expect(profileNames()).toEqual(['aws-default', 'aws-2020', 'aws-2018-08', 'aws-pre-2018-08', 'none'])
  })
})

describe('overrides, scale and none', () => {
  it('an override replaces the profile value in every Region; a Region-prefixed one in that Region only', () => {
    const c = resolveQuotaConfig({
      quotas: { symmetric: 50_000, 'api:CreateKey': 10, 'eu-west-1/symmetric': 150_000 },
    })!
    expect(c.limit('us-east-1', 'symmetric')).toBe(50_000)
    expect(c.limit('eu-west-1', 'symmetric')).toBe(150_000)
    expect(c.limit('us-east-1', 'api:CreateKey')).toBe(10)
    expect(c.limit('us-east-1', 'rsa')).toBe(1000)
  })

  it('custom-key-store overrides every store; custom-key-store:<id> one store', () => {
    const c = resolveQuotaConfig({
      quotas: { 'custom-key-store': 900, 'custom-key-store:cks-aaaaaaaaaaaaaaaaa': 100 },
    })!
    expect(c.limit('us-east-1', 'custom-key-store:cks-bbbbbbbbbbbbbbbbb')).toBe(900)
    expect(c.limit('us-east-1', 'custom-key-store:cks-aaaaaaaaaaaaaaaaa')).toBe(100)
  })

  it('quotaScale multiplies every limit, overrides included', () => {
    const c = resolveQuotaConfig({ quotaScale: 0.1, quotas: { 'api:CreateKey': 10 } })!
    expect(c.limit('ap-south-1', 'symmetric')).toBe(1000)
    expect(c.limit('us-east-1', 'api:CreateKey')).toBe(1)
    expect(c.limit('us-east-1', 'api:EnableKey')).toBe(0.5)
  })

  it("profile 'none' has no gate at all, or limits only the overridden pools", () => {
    expect(resolveQuotaConfig({ profile: 'none' })).toBeUndefined()
    const c = resolveQuotaConfig({ profile: 'none', quotas: { symmetric: 100 } })!
    expect(c.limit('us-east-1', 'symmetric')).toBe(100)
    expect(c.limit('us-east-1', 'api:CreateKey')).toBeUndefined()
  })

  it('a profile object may extend a built-in profile; pools it does not name have no quota otherwise', () => {
    const extended = resolveQuotaConfig({
      profile: {
        name: 'mine',
        extends: 'aws-default',
        defaults: { symmetric: 30_000 },
        regions: { 'us-east-1': { rsa: 2000 } },
      },
    })!
    expect(extended.profile.name).toBe('mine')
    expect(extended.limit('ap-south-1', 'symmetric')).toBe(30_000)
    expect(extended.limit('us-east-1', 'symmetric')).toBe(100_000) // the base profile's Region value still applies
    expect(extended.limit('us-east-1', 'rsa')).toBe(2000)
    expect(extended.limit('us-west-2', 'rsa')).toBe(1000)
    const bare = resolveQuotaConfig({ profile: { defaults: { symmetric: 7 } } })!
    expect(bare.limit('us-east-1', 'symmetric')).toBe(7)
    expect(bare.limit('us-east-1', 'api:CreateKey')).toBeUndefined()
  })

  it('parseProfile accepts a JSON profile', () => {
    const p = parseProfile(JSON.parse('{"name":"file","defaults":{"symmetric":1234,"api:CreateKey":2}}'))
    expect(p.defaults).toEqual({ symmetric: 1234, 'api:CreateKey': 2 })
  })
})

describe('bad configurations are rejected with one error naming every problem', () => {
  it('names every bad override', () => {
    const problems = problemsOf({
      quotas: {
        symetric: 5,
        rsa: -1,
        ecc: Number.POSITIVE_INFINITY,
        'api:CreatKey': 1,
        'us-esat-1/symmetric': 5,
        'api:Encrypt': 3,
      },
    })
    expect(problems).toEqual(
      expect.arrayContaining([
        "quota 'symetric': unknown quota pool 'symetric' (did you mean 'symmetric'?)",
        "quota 'rsa': a quota must be a finite number of requests per second >= 0, got -1",
        "quota 'ecc': a quota must be a finite number of requests per second >= 0, got Infinity",
        "quota 'api:CreatKey': unknown quota pool 'api:CreatKey' (did you mean 'api:CreateKey'?)",
        "quota 'us-esat-1/symmetric': unknown Region 'us-esat-1' (did you mean 'us-east-1'?)",
      ]),
    )
    expect(problems.find((p) => p.startsWith("quota 'api:Encrypt'"))).toContain('shared pool')
    expect(problems).toHaveLength(6)
  })

  it('names an unknown profile with a hint and the known names', () => {
    const [p] = problemsOf({ profile: 'aws-defualt' })
    expect(p).toBe(
      "unknown quota profile 'aws-defualt' (did you mean 'aws-default'?); known profiles: aws-default, aws-2020, aws-2018-08, aws-pre-2018-08, none",
    )
  })

  it('names every problem of a profile object, and of the other options, together', () => {
    const problems = problemsOf({
      profile: {
        extends: 'aws-2019',
        defaults: { symmetric: Number.NaN, 'key-pair:RSA_1024': 1 },
        regions: { 'eu-wset-1': { symmetric: 1 } },
      },
      quotaScale: 0,
      quotaMode: 'leaky' as 'fixed-window',
    })
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^profile\.extends: unknown quota profile 'aws-2019'/),
        'profile.defaults.symmetric: a quota must be a finite number of requests per second >= 0, got NaN',
        expect.stringMatching(/^profile\.defaults: unknown quota pool 'key-pair:RSA_1024'/),
        "profile.regions: unknown Region 'eu-wset-1' (did you mean 'eu-west-1'?)",
        'quotaScale must be a finite number > 0, got 0',
        `quotaMode must be 'fixed-window' or 'token-bucket', got "leaky"`,
      ]),
    )
  })

  it('reports structural problems of a profile object by path', () => {
    const problems = problemsOf({ profile: { defaults: { symmetric: 1 }, burst: true } as never })
    expect(problems.join('\n')).toMatch(/profile.*burst/)
    expect(() => parseProfile({ regions: { 'us-east-1': 'fast' } })).toThrow(/profile\.regions\.us-east-1/)
    expect(() => parseProfile({ defaults: { symmetric: '100' } })).toThrow(/got "100"/)
  })

  it('the error message lists the problems', () => {
    expect(() => resolveQuotaConfig({ quotas: { nope: 1 } })).toThrow(
      "invalid quota configuration: quota 'nope': unknown quota pool 'nope'",
    )
  })
})
