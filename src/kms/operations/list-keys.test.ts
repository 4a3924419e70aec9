import { describe, expect, it } from 'vitest'
import { coreHarness, failure } from '../test-support.ts'

const DAY = 86_400_000

describe('ListKeys', () => {
  it('lists nothing in a new account', () => {
    const { call } = coreHarness()
    expect(call('ListKeys', {})).toEqual({ Keys: [], Truncated: false })
  })

  it('lists the keys of the caller account and Region, ordered by key id, with key ARNs', () => {
    const { call, newKey } = coreHarness()
    const ids = [newKey(), newKey(), newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })].sort()
    newKey({}, { region: 'eu-west-1' })
    newKey({}, { account: '444455556666' })
    const out = call('ListKeys', {})
    expect(out.Truncated).toBe(false)
    expect(out.NextMarker).toBeUndefined()
    expect(out.Keys).toEqual(ids.map((KeyId) => ({ KeyId, KeyArn: `arn:aws:kms:us-east-1:111122223333:key/${KeyId}` })))
  })

  it('pages with Limit and Marker until Truncated is false', () => {
    const { call, newKey } = coreHarness()
    const ids = Array.from({ length: 5 }, () => newKey()).sort()
    const seen: string[] = []
    let Marker: string | undefined
    let pages = 0
    for (;;) {
      const out = call('ListKeys', { Limit: 2, ...(Marker !== undefined ? { Marker } : {}) })
      pages++
      seen.push(...(out.Keys ?? []).map((k) => k.KeyId as string))
      if (!out.Truncated) {
        expect(out.NextMarker).toBeUndefined()
        break
      }
      Marker = out.NextMarker
    }
    expect(pages).toBe(3)
    expect(seen).toEqual(ids)
    expect(call('ListKeys', {}).Keys).toHaveLength(5)
  })

  it('defaults to 100 keys per page and returns at most 1000', () => {
    const { call, newKey } = coreHarness()
    for (let i = 0; i < 101; i++) newKey()
    const first = call('ListKeys', {})
    expect(first.Keys).toHaveLength(100)
    expect(first.Truncated).toBe(true)
    expect(call('ListKeys', { Marker: first.NextMarker as string }).Keys).toHaveLength(1)
    expect(call('ListKeys', { Limit: 1000 }).Keys).toHaveLength(101)
  })

  it('lists keys pending deletion and AWS managed keys; deleted keys are gone', () => {
    const { clock, call, newKey } = coreHarness()
    const keyId = newKey()
    call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    const aws = call('DescribeKey', { KeyId: 'alias/aws/ebs' }).KeyMetadata?.KeyId as string
    expect((call('ListKeys', {}).Keys ?? []).map((k) => k.KeyId).sort()).toEqual([keyId, aws].sort())
    clock.advance(7 * DAY)
    expect(call('ListKeys', {}).Keys).toEqual([{ KeyId: aws, KeyArn: `arn:aws:kms:us-east-1:111122223333:key/${aws}` }])
  })

  it('refuses a bad Marker (InvalidMarkerException) and a bad Limit (ValidationException)', () => {
    const { call, newKey } = coreHarness()
    newKey()
    newKey()
    expect(failure(() => call('ListKeys', { Marker: 'garbage' })).name).toBe('InvalidMarkerException')
    const aliasMarker = call('ListAliases', { Limit: 1 }).NextMarker as string
    expect(failure(() => call('ListKeys', { Marker: aliasMarker })).name).toBe('InvalidMarkerException')
    expect(failure(() => call('ListKeys', { Limit: 0 })).message).toBe(
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    )
    expect(failure(() => call('ListKeys', { Limit: 1001 })).name).toBe('ValidationException')
    expect(failure(() => call('ListKeys', { Limit: 1.5 } as never)).name).toBe('ValidationException')
  })
})
