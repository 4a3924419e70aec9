/**
 * The price model, with every expected figure worked out by hand in the comments
 * (a month is 730 h = 2,628,000 s; $0.03 per 10,000 requests = $0.000003 each).
 */
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import { createEmulator } from '../emulator.ts'
import { billableKeys, estimateCost, keyMonthlyPriceUsd, KMS_PRICES } from './pricing.ts'

const HOUR = 3600

describe('estimateCost', () => {
  it('prices an hour of 1M symmetric requests on one key, free tier prorated', () => {
    const cost = estimateCost({ symmetricRequests: 1_000_000, keys: [{ rotations: 0 }], periodSeconds: HOUR })
    // Run: the free tier's share of one hour is 20,000/730 = 27.397260274 requests;
    // (1,000,000 − 27.397260274) × 0.000003 = 2.999917808219.
    expect(cost.requests).toBeCloseTo(2.999917808219, 10)
    // Key: $1/month for one started hour = 1/730 = 0.001369863014.
    expect(cost.keys).toBeCloseTo(0.001369863014, 10)
    expect(cost.total).toBeCloseTo(3.001287671233, 10)
    // Month at the same rate: 730,000,000 requests − 20,000 free = 729,980,000 × 0.000003 = 2189.94.
    expect(cost.monthly.requests).toBeCloseTo(2189.94, 8)
    expect(cost.monthly.keys).toBe(1)
    expect(cost.monthly.total).toBeCloseTo(2190.94, 8)
    expect(cost.billedKeys).toBe(1)
    // The run is the month's bill times the run's share of the month: 2189.94 / 730.
    expect(cost.requests).toBeCloseTo(cost.monthly.requests / 730, 10)
  })

  it('bills nothing for requests a month of which stays within the free tier', () => {
    // 500 a day → 500 × 2,628,000 / 86,400 = 15,208.3 a month < 20,000.
    const cost = estimateCost({ symmetricRequests: 500, keys: [], periodSeconds: 86_400 })
    expect(cost).toEqual({ requests: 0, keys: 0, total: 0, monthly: { requests: 0, keys: 0, total: 0 }, billedKeys: 0 })
  })

  it('can leave the free tier out', () => {
    // 1,000,000 × 0.000003 = 3 for the hour; 730,000,000 × 0.000003 = 2190 a month.
    const cost = estimateCost({ symmetricRequests: 1_000_000, keys: [], periodSeconds: HOUR, freeTier: false })
    expect(cost.requests).toBeCloseTo(3, 12)
    expect(cost.monthly.requests).toBeCloseTo(2190, 9)
  })

  it('prices asymmetric and data key pair requests outside the free tier', () => {
    const cost = estimateCost({
      symmetricRequests: 0,
      asymmetricRequests: 10_000,
      rsa2048Requests: 10_000,
      dataKeyPairRequests: 10_000,
      rsaDataKeyPairRequests: 10_000,
      keys: [],
      periodSeconds: HOUR,
    })
    // 0.15 + 0.03 + 0.10 + 12.00 = 12.28 for the hour, × 730 = 8964.40 a month.
    expect(cost.requests).toBeCloseTo(12.28, 10)
    expect(cost.monthly.requests).toBeCloseTo(8964.4, 8)
  })

  it('adds $1/month for each of the first two rotations only; AWS managed and pending-deletion keys are free', () => {
    const cost = estimateCost({
      symmetricRequests: 0,
      keys: [
        { rotations: 0 }, // 1
        { rotations: 1 }, // 2
        { rotations: 2 }, // 3
        { rotations: 7 }, // 3 (capped)
        { rotations: 3, keyManager: 'AWS' }, // 0
        { rotations: 0, state: 'PendingDeletion' }, // 0
        { rotations: 1, state: 'PendingReplicaDeletion' }, // 0
      ],
      periodSeconds: 5400,
    })
    expect(cost.monthly.keys).toBe(9)
    expect(cost.billedKeys).toBe(4)
    // 90 minutes are 2 started hours: 9 × 2 / 730 = 0.024657534247.
    expect(cost.keys).toBeCloseTo(0.024657534247, 10)
  })

  it('prorates keys by started hours', () => {
    const keys = [{ rotations: 0 }]
    expect(estimateCost({ symmetricRequests: 0, keys, periodSeconds: 1 }).keys).toBeCloseTo(1 / 730, 12)
    expect(estimateCost({ symmetricRequests: 0, keys, periodSeconds: 7200 }).keys).toBeCloseTo(2 / 730, 12)
    expect(estimateCost({ symmetricRequests: 0, keys, periodSeconds: 7201 }).keys).toBeCloseTo(3 / 730, 12)
    // A whole month (730 h) costs exactly the monthly price.
    expect(estimateCost({ symmetricRequests: 0, keys, periodSeconds: 730 * HOUR }).keys).toBeCloseTo(1, 12)
  })

  it('takes price overrides', () => {
    // 20,000 free of 100,000 in a month-long run: 80,000 × 0.05 / 10,000 = 0.40.
    const cost = estimateCost({
      symmetricRequests: 100_000,
      keys: [{ rotations: 0 }],
      periodSeconds: 730 * HOUR,
      prices: { symmetricPer10k: 0.05, keyMonthUsd: 2 },
    })
    expect(cost.requests).toBeCloseTo(0.4, 12)
    expect(cost.keys).toBeCloseTo(2, 12)
  })

  it('names the member of a bad input', () => {
    const base = { symmetricRequests: 1, keys: [], periodSeconds: 1 }
    expect(() => estimateCost({ ...base, periodSeconds: 0 })).toThrow(/periodSeconds/)
    expect(() => estimateCost({ ...base, periodSeconds: Number.NaN })).toThrow(/periodSeconds/)
    expect(() => estimateCost({ ...base, symmetricRequests: -1 })).toThrow(/symmetricRequests/)
    expect(() => estimateCost({ ...base, asymmetricRequests: Infinity })).toThrow(/asymmetricRequests/)
    expect(() => estimateCost({ ...base, keys: [{ rotations: -2 }] })).toThrow(/keys\[0\]\.rotations/)
    expect(() => estimateCost({ ...base, prices: { hoursPerMonth: 0 } })).toThrow(/hoursPerMonth/)
    // @ts-expect-error deliberately wrong type
    expect(() => estimateCost({ ...base, symmetricRequests: '5' })).toThrow(RangeError)
  })
})

describe('keyMonthlyPriceUsd and billableKeys', () => {
  it('price the keys in the emulator state', () => {
    const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
    const plain = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    const rotated = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    for (let i = 0; i < 3; i++) kms.callSync('RotateKeyOnDemand', { KeyId: rotated })
    const mrk = kms.callSync('CreateKey', { MultiRegion: true }).KeyMetadata!.KeyId
    kms.callSync('RotateKeyOnDemand', { KeyId: mrk })
    kms.callSync('ReplicateKey', { KeyId: mrk, ReplicaRegion: 'eu-west-1' })
    const doomed = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    kms.callSync('ScheduleKeyDeletion', { KeyId: doomed })
    kms.callSync('DescribeKey', { KeyId: 'alias/aws/s3' })
    kms.callSync('CreateKey', {}, { account: '444455556666' })

    const record = (keyId: string, region = 'us-east-1') =>
      kms.core.store.peekRegion('111122223333', region)!.keys.get(keyId)!
    expect(keyMonthlyPriceUsd(record(plain))).toBe(1)
    expect(keyMonthlyPriceUsd(record(rotated))).toBe(3)
    expect(keyMonthlyPriceUsd(record(doomed))).toBe(0)

    const mine = billableKeys(kms.core, { account: '111122223333' })
    // plain 1 + rotated 3 + primary 2 + replica 2 (each multi-Region record is a key); not the
    // key pending deletion, not the AWS managed key, not the other account's key.
    expect(mine.map((k) => [k.keyId, k.region, k.monthlyUsd]).sort()).toEqual(
      [
        [plain, 'us-east-1', 1],
        [rotated, 'us-east-1', 3],
        [mrk, 'eu-west-1', 2],
        [mrk, 'us-east-1', 2],
      ].sort(),
    )
    expect(billableKeys(kms.core)).toHaveLength(5)
    const cost = estimateCost({ symmetricRequests: 0, keys: mine, periodSeconds: 730 * HOUR })
    expect(cost.monthly.keys).toBe(8)
    expect(cost.billedKeys).toBe(4)
  })

  it('are AWS list prices', () => {
    expect(KMS_PRICES).toMatchObject({
      keyMonthUsd: 1,
      symmetricPer10k: 0.03,
      freeRequestsPerMonth: 20_000,
      hoursPerMonth: 730,
    })
    expect(Object.isFrozen(KMS_PRICES)).toBe(true)
  })
})
