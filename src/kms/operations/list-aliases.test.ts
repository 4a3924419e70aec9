import { describe, expect, it } from 'vitest'

import { PREDEFINED_AWS_ALIASES } from './list-aliases.ts'
import { coreHarness, failure } from '../test-support.ts'

describe('ListAliases', () => {
  it('a new account lists the predefined AWS managed aliases, without TargetKeyId', () => {
    const { call } = coreHarness()
    const out = call('ListAliases', {})
    expect(out.Truncated).toBe(false)
    expect(out.Aliases).toEqual(
      PREDEFINED_AWS_ALIASES.map((AliasName) => ({
        AliasName,
        AliasArn: `arn:aws:kms:us-east-1:111122223333:${AliasName}`,
      })),
    )
  })

  it('lists customer and AWS managed aliases ordered by name; an AWS managed alias shows its key once it exists', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('CreateAlias', { AliasName: 'alias/zeta', TargetKeyId: keyId })
    call('CreateAlias', { AliasName: 'alias/alpha', TargetKeyId: keyId })
    const s3 = call('DescribeKey', { KeyId: 'alias/aws/s3' }).KeyMetadata?.KeyId
    const names = (call('ListAliases', { Limit: 100 }).Aliases ?? []).map((a) => a.AliasName as string)
    expect(names).toEqual([...names].sort())
    expect(names).toContain('alias/zeta')
    expect(names.filter((n) => n === 'alias/aws/s3')).toHaveLength(1)
    const s3Entry = (call('ListAliases', { Limit: 100 }).Aliases ?? []).find((a) => a.AliasName === 'alias/aws/s3')
    expect(s3Entry?.TargetKeyId).toBe(s3)
  })

  it("lists only one key's aliases with KeyId (key id or ARN; no alias, as documented), without predefined aliases", () => {
    const { call, newKey } = coreHarness()
    const a = newKey()
    const b = newKey()
    call('CreateAlias', { AliasName: 'alias/b1', TargetKeyId: b })
    call('CreateAlias', { AliasName: 'alias/a2', TargetKeyId: a })
    call('CreateAlias', { AliasName: 'alias/a1', TargetKeyId: a })
    expect(failure(() => call('ListAliases', { KeyId: 'alias/a2' })).message).toBe("Invalid keyId 'alias/a2'")
    for (const KeyId of [a, `arn:aws:kms:us-east-1:111122223333:key/${a}`]) {
      expect((call('ListAliases', { KeyId }).Aliases ?? []).map((x) => x.AliasName)).toEqual(['alias/a1', 'alias/a2'])
    }
    expect(call('ListAliases', { KeyId: newKey() })).toEqual({ Aliases: [], Truncated: false })
    expect(failure(() => call('ListAliases', { KeyId: '11111111-2222-3333-4444-555555555555' })).name).toBe(
      'NotFoundException',
    )
  })

  it('pages with Limit (default 50, at most 100) and Marker', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    for (let i = 0; i < 50; i++)
      call('CreateAlias', { AliasName: `alias/k${String(i).padStart(2, '0')}`, TargetKeyId: keyId })
    for (let i = 0; i < 50; i++)
      call('CreateAlias', { AliasName: `alias/m${String(i).padStart(2, '0')}`, TargetKeyId: newKey() })
    const total = 100 + PREDEFINED_AWS_ALIASES.length
    const first = call('ListAliases', {})
    expect(first.Aliases).toHaveLength(50)
    expect(first.Truncated).toBe(true)
    expect(call('ListAliases', { Limit: 1000 }).Aliases).toHaveLength(100)
    const all: string[] = []
    let Marker: string | undefined
    do {
      const out = call('ListAliases', { Limit: 30, ...(Marker !== undefined ? { Marker } : {}) })
      all.push(...(out.Aliases ?? []).map((x) => x.AliasName as string))
      Marker = out.NextMarker
      expect(out.Truncated).toBe(Marker !== undefined)
    } while (Marker !== undefined)
    expect(all).toHaveLength(total)
    expect(new Set(all).size).toBe(total)
    // A marker of the full list is not valid for one key's list.
    expect(failure(() => call('ListAliases', { KeyId: keyId, Marker: first.NextMarker as string })).name).toBe(
      'InvalidMarkerException',
    )
    expect(failure(() => call('ListAliases', { Limit: 0 })).name).toBe('ValidationException')
  })

  it("lists only the caller's account and Region", () => {
    const { call, newKey } = coreHarness()
    call(
      'CreateAlias',
      { AliasName: 'alias/west', TargetKeyId: newKey({}, { region: 'eu-west-1' }) },
      { region: 'eu-west-1' },
    )
    expect((call('ListAliases', {}).Aliases ?? []).map((a) => a.AliasName)).not.toContain('alias/west')
    expect(
      (call('ListAliases', {}, { region: 'eu-west-1' }).Aliases ?? []).find((a) => a.AliasName === 'alias/west')
        ?.AliasArn,
    ).toBe('arn:aws:kms:eu-west-1:111122223333:alias/west')
  })
})
