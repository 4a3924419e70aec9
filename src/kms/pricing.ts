/**
 * The AWS KMS price model (https://aws.amazon.com/kms/pricing/, kms-facts.md §3), for the
 * cost of a run and of its workload sustained for a month.
 *
 * Key storage: $1 per key-month, prorated hourly, for every customer managed key (symmetric,
 * asymmetric, HMAC, imported, custom key store) and for each multi-Region primary and each
 * replica. The first and the second rotation each add $1/month; later ones are free (the
 * increase is capped at the second rotation, April 2024 change). Free: AWS managed and AWS
 * owned keys, and keys scheduled for deletion ("If you cancel the deletion ... charges as
 * though it was never scheduled": a snapshot taken while pending shows them free).
 *
 * Requests: $0.03 per 10,000 symmetric requests, with 20,000 free requests per month across
 * all Regions. The pricing page's footnote excludes GenerateDataKeyPair(WithoutPlaintext) and
 * requests such as Sign, Verify, Encrypt, Decrypt and GetPublicKey that use asymmetric keys
 * from the free tier (the stored copy of aws.amazon.com/kms/pricing/ is cut mid-footnote; its
 * full wording is quoted by laboratory.kazuuu.net from the Japanese page). The asymmetric
 * price table itself is missing from every stored copy we could search, so these
 * defaults are UNVERIFIED and overridable through `prices`: $0.03 per 10,000 requests with
 * RSA 2048 keys, $0.15 per 10,000 other asymmetric requests, $0.10 per 10,000 ECC and $12.00
 * per 10,000 RSA GenerateDataKeyPair requests — the page's table as we remember it, and in
 * line with factualminds.com ("asymmetric operations at 5× the symmetric rate"); wring.co
 * instead lists $0.03 for all asymmetric requests and $0.10 for RSA GenerateDataKeyPair.
 *
 * How a run is billed: prices are monthly, a month is 730 hours (the AWS Pricing Calculator's
 * convention). Requests: the run's monthly figure is its request rate sustained for a month,
 * billed with the free tier subtracted once; the run's own figure is that monthly bill times
 * the run's share of a month. For symmetric requests this is the same as subtracting a free
 * allowance prorated to the run's length: `max(0, n − 20,000 × period / month) × $0.000003`.
 * So a short run never looks free because the whole month's free tier was spent on it.
 * Keys: monthly = the sum of each key's monthly price; the run = that sum for the run's
 * length in whole hours, rounded up ("prorated hourly").
 */
import type { KmsStore } from './store.ts'
import type { KmsKey } from './key.ts'
import type { KeyManagerType, KeyState } from './model.generated.ts'

/** Unit prices in USD (us-east-1 list prices) and billing conventions. */
export interface KmsPrices {
  /** Storage of one key for a month. @default 1 */
  keyMonthUsd: number
  /** Added per month by each billed rotation. @default 1 */
  rotationMonthUsd: number
  /** Rotations that add to a key's price; later ones are free. @default 2 */
  billedRotations: number
  /** Per 10,000 symmetric requests (also HMAC, GenerateRandom). @default 0.03 */
  symmetricPer10k: number
  /** Per 10,000 requests using RSA 2048 keys (not in the free tier). @default 0.03 */
  rsa2048Per10k: number
  /** Per 10,000 other asymmetric requests (RSA 3072/4096, ECC, SM2; not in the free tier). @default 0.15 */
  asymmetricPer10k: number
  /** Per 10,000 ECC GenerateDataKeyPair(WithoutPlaintext) requests (not in the free tier). @default 0.10 */
  eccDataKeyPairPer10k: number
  /** Per 10,000 RSA GenerateDataKeyPair(WithoutPlaintext) requests (not in the free tier). @default 12 */
  rsaDataKeyPairPer10k: number
  /** Free symmetric requests per month, across all Regions. @default 20000 */
  freeRequestsPerMonth: number
  /** Hours in a billing month. @default 730 */
  hoursPerMonth: number
}

/** AWS's list prices (see the module comment for sources). */
export const KMS_PRICES: Readonly<KmsPrices> = Object.freeze({
  keyMonthUsd: 1,
  rotationMonthUsd: 1,
  billedRotations: 2,
  symmetricPer10k: 0.03,
  rsa2048Per10k: 0.03,
  asymmetricPer10k: 0.15,
  eccDataKeyPairPer10k: 0.1,
  rsaDataKeyPairPer10k: 12,
  freeRequestsPerMonth: 20_000,
  hoursPerMonth: 730,
})

/** A key a run is billed for. Only `rotations` is needed; the rest makes free keys free. */
export interface KeyCostInput {
  /** Completed rotations (automatic and on demand). */
  readonly rotations: number
  /** AWS managed keys cost nothing to store. @default 'CUSTOMER' */
  readonly keyManager?: KeyManagerType
  /** Keys pending deletion (or pending replica deletion) cost nothing to store. @default 'Enabled' */
  readonly state?: KeyState
}

/** What {@link estimateCost} prices. Request counts are calls KMS served (throttled calls are free). */
export interface CostInput {
  /** Symmetric requests (Encrypt, Decrypt, GenerateDataKey*, ReEncrypt, GenerateRandom, GenerateMac, VerifyMac, ...). */
  symmetricRequests: number
  /** Asymmetric requests other than RSA 2048 (Sign, Verify, Encrypt, Decrypt, GetPublicKey, DeriveSharedSecret). @default 0 */
  asymmetricRequests?: number
  /** Asymmetric requests with RSA 2048 keys. @default 0 */
  rsa2048Requests?: number
  /** ECC GenerateDataKeyPair(WithoutPlaintext) requests. @default 0 */
  dataKeyPairRequests?: number
  /** RSA GenerateDataKeyPair(WithoutPlaintext) requests. @default 0 */
  rsaDataKeyPairRequests?: number
  /** The keys that exist during the run (see {@link billableKeys}). */
  keys: readonly KeyCostInput[]
  /** Length of the run in seconds (> 0). */
  periodSeconds: number
  /** Whether the 20,000 free requests a month apply. @default true */
  freeTier?: boolean
  /** Price overrides. @default KMS_PRICES */
  prices?: Partial<KmsPrices>
}

/** Dollar figures of one period. */
export interface CostFigures {
  requests: number
  keys: number
  total: number
}

/** The result of {@link estimateCost}: the run's figures and the same workload over a month. */
export interface CostEstimate extends CostFigures {
  monthly: CostFigures
  /** Keys with a non-zero storage price. */
  billedKeys: number
}

/** The monthly storage price of a key in USD: 0 when free, else $1 plus $1 per billed rotation. */
export function keyMonthlyPriceUsd(key: KmsKey | KeyCostInput, prices: Partial<KmsPrices> = {}): number {
  const p = { ...KMS_PRICES, ...prices }
  const input: KeyCostInput =
    'material' in key ? { rotations: key.rotation.history.length, keyManager: key.keyManager, state: key.state } : key
  return monthlyKeyPrice(input, p)
}

function monthlyKeyPrice(k: KeyCostInput, p: KmsPrices): number {
  if (k.keyManager === 'AWS') return 0
  if (k.state === 'PendingDeletion' || k.state === 'PendingReplicaDeletion') return 0
  return p.keyMonthUsd + p.rotationMonthUsd * Math.min(k.rotations, p.billedRotations)
}

/** A key a run is billed for, from the store. */
export interface BillableKey extends KeyCostInput {
  readonly keyId: string
  readonly arn: string
  readonly account: string
  readonly region: string
  readonly monthlyUsd: number
}

/**
 * The keys the emulator's state bills for now: every stored key with a non-zero monthly
 * price (customer managed, not pending deletion; each multi-Region record counts), optionally
 * of one account only (keys are billed to their owner; requests to the caller).
 */
export function billableKeys(
  core: { readonly store: KmsStore },
  options: { account?: string; prices?: Partial<KmsPrices> } = {},
): BillableKey[] {
  const p = { ...KMS_PRICES, ...options.prices }
  const out: BillableKey[] = []
  for (const state of core.store.regions()) {
    if (options.account !== undefined && state.account !== options.account) continue
    for (const key of state.keys.values()) {
      const input: KeyCostInput = {
        rotations: key.rotation.history.length,
        keyManager: key.keyManager,
        state: key.state,
      }
      const monthlyUsd = monthlyKeyPrice(input, p)
      if (monthlyUsd > 0)
        out.push({ ...input, keyId: key.keyId, arn: key.arn, account: key.account, region: key.region, monthlyUsd })
    }
  }
  return out
}

/**
 * Prices a run of `periodSeconds` and the same workload sustained for a month (see the module
 * comment for how the free tier and proration apply). Throws RangeError naming the bad member
 * for negative, non-finite or missing figures.
 */
export function estimateCost(input: CostInput): CostEstimate {
  const p: KmsPrices = { ...KMS_PRICES, ...input.prices }
  for (const [name, value] of Object.entries(p)) checkAmount(`prices.${name}`, value)
  if (p.hoursPerMonth === 0) throw new RangeError('prices.hoursPerMonth must be greater than 0')
  if (!(typeof input.periodSeconds === 'number' && Number.isFinite(input.periodSeconds) && input.periodSeconds > 0)) {
    throw new RangeError(
      `periodSeconds must be a finite number of seconds greater than 0, got ${String(input.periodSeconds)}`,
    )
  }
  const symmetric = checkAmount('symmetricRequests', input.symmetricRequests)
  const asymmetric = checkAmount('asymmetricRequests', input.asymmetricRequests ?? 0)
  const rsa2048 = checkAmount('rsa2048Requests', input.rsa2048Requests ?? 0)
  const eccPairs = checkAmount('dataKeyPairRequests', input.dataKeyPairRequests ?? 0)
  const rsaPairs = checkAmount('rsaDataKeyPairRequests', input.rsaDataKeyPairRequests ?? 0)
  if (!Array.isArray(input.keys)) throw new RangeError('keys must be an array of { rotations }')
  input.keys.forEach((k, i) => {
    checkAmount(`keys[${i}].rotations`, k?.rotations)
  })

  const monthSeconds = p.hoursPerMonth * 3600
  const share = input.periodSeconds / monthSeconds
  const free = input.freeTier === false ? 0 : p.freeRequestsPerMonth
  // Requests excluded from the free tier, priced per request.
  const paidRate =
    (asymmetric * p.asymmetricPer10k +
      rsa2048 * p.rsa2048Per10k +
      eccPairs * p.eccDataKeyPairPer10k +
      rsaPairs * p.rsaDataKeyPairPer10k) /
    10_000
  const runRequests = (Math.max(0, symmetric - free * share) * p.symmetricPer10k) / 10_000 + paidRate
  const monthlyRequests = (Math.max(0, symmetric / share - free) * p.symmetricPer10k) / 10_000 + paidRate / share

  let monthlyKeys = 0
  let billedKeys = 0
  for (const k of input.keys) {
    const price = monthlyKeyPrice(k, p)
    monthlyKeys += price
    if (price > 0) billedKeys++
  }
  // Prorated hourly: a started hour is billed (the epsilon keeps an exact hour from rounding up).
  const billedHours = Math.ceil(input.periodSeconds / 3600 - 1e-9)
  const runKeys = (monthlyKeys * billedHours) / p.hoursPerMonth

  return {
    requests: runRequests,
    keys: runKeys,
    total: runRequests + runKeys,
    monthly: { requests: monthlyRequests, keys: monthlyKeys, total: monthlyRequests + monthlyKeys },
    billedKeys,
  }
}

function checkAmount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number ≥ 0, got ${String(value)}`)
  }
  return value
}
