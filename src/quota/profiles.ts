/**
 * Quota profiles: the request quotas (requests per second) of every pool, by default and per
 * Region. The built-in profiles copy AWS's published tables, past and present
 * (kms-facts.md §1.1, §1.2, §1.6); `aws-default` is today's table.
 */
import {
  API_POOL_PREFIX,
  CUSTOM_KEY_STORE_POOL,
  DEFAULT_HOT_KEY_PER_SECOND,
  HOT_KEY_POOL,
  KEY_PAIR_POOL_PREFIX,
} from './pools.ts'

/** A complete quota profile: limits in requests/s by pool name, by default and per Region. */
export interface QuotaProfile {
  readonly name: string
  readonly description: string
  /** Where the numbers come from. */
  readonly source: string
  /** Limits that apply in every Region unless the Region overrides them. Pools absent here have no quota. */
  readonly defaults: Readonly<Record<string, number>>
  /** Per-Region limits, overriding {@link defaults}. */
  readonly regions: Readonly<Record<string, Readonly<Record<string, number>>>>
}

/**
 * A profile given as an object (or a JSON file): validated by `createEmulator`. Pools it does
 * not name have no quota, unless it `extends` a built-in profile.
 */
export interface QuotaProfileInput {
  /** @default 'custom' */
  name?: string
  description?: string
  source?: string
  /** A built-in profile whose limits this one starts from. @default none (no quotas) */
  extends?: string
  /** Limits (requests/s) by pool name, in every Region. */
  defaults?: Record<string, number>
  /** Limits (requests/s) by Region, then pool name. */
  regions?: Record<string, Record<string, number>>
}

/** The profile name that turns the quota gate off entirely (the fast path). */
export const NO_QUOTA_PROFILE = 'none'

const REQUESTS_PER_SECOND_URL = 'https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html'

/** Today's per-API table (kms-facts.md §1.2). */
const API_CURRENT: Record<string, number> = {
  CancelKeyDeletion: 5,
  ConnectCustomKeyStore: 5,
  CreateAlias: 5,
  CreateCustomKeyStore: 5,
  CreateGrant: 50,
  CreateKey: 5,
  DeleteAlias: 15,
  DeleteCustomKeyStore: 5,
  DeleteImportedKeyMaterial: 15,
  DescribeCustomKeyStores: 5,
  DescribeKey: 2000,
  DisableKey: 5,
  DisableKeyRotation: 5,
  DisconnectCustomKeyStore: 5,
  EnableKey: 5,
  EnableKeyRotation: 15,
  GetKeyLastUsage: 5,
  GetKeyPolicy: 1000,
  GetKeyRotationStatus: 1000,
  GetParametersForImport: 1,
  GetPublicKey: 2000,
  ImportKeyMaterial: 15,
  ListAliases: 500,
  ListGrants: 100,
  ListKeyPolicies: 100,
  ListKeyRotations: 100,
  ListKeys: 500,
  ListResourceTags: 2000,
  ListRetirableGrants: 100,
  PutKeyPolicy: 15,
  ReplicateKey: 5,
  RetireGrant: 50,
  RevokeGrant: 50,
  RotateKeyOnDemand: 5,
  ScheduleKeyDeletion: 15,
  TagResource: 10,
  UntagResource: 5,
  UpdateAlias: 5,
  UpdateCustomKeyStore: 5,
  UpdateKeyDescription: 5,
  UpdatePrimaryRegion: 5,
}

/**
 * The per-API table of awsdocs/aws-kms-developer-guide `doc_source/requests-per-second.md`
 * at commit 7881062c (the 5,500/10,000/30,000 era). Operations added later (ReplicateKey,
 * GenerateMac, RotateKeyOnDemand, ...) keep today's values.
 */
const API_2020: Record<string, number> = {
  ...API_CURRENT,
  DeleteAlias: 5,
  DeleteImportedKeyMaterial: 5,
  DescribeKey: 1000,
  EnableKeyRotation: 5,
  GetParametersForImport: 0.25,
  GetPublicKey: 5,
  ImportKeyMaterial: 5,
  ListAliases: 100,
  ListKeys: 100,
  ListResourceTags: 100,
  ListRetirableGrants: 5,
  PutKeyPolicy: 5,
  RetireGrant: 15,
  RevokeGrant: 15,
  ScheduleKeyDeletion: 5,
  TagResource: 5,
}

/** The oldest per-API table recorded (same file at commit 059d59f): DescribeKey 100, GetKeyPolicy 30. */
const API_2018: Record<string, number> = { ...API_2020, DescribeKey: 100, GetKeyPolicy: 30, GetKeyRotationStatus: 30 }

const KEY_PAIRS_CURRENT: Record<string, number> = {
  ECC_NIST_P256: 100,
  ECC_NIST_P384: 100,
  ECC_NIST_P521: 100,
  ECC_SECG_P256K1: 100,
  ECC_NIST_EDWARDS25519: 100,
  RSA_2048: 20,
  RSA_3072: 4,
  RSA_4096: 1,
}

/** "1 in each 2-second interval" (0.5) and "1 in each 10-second interval" (0.1), as AWS wrote them. */
const KEY_PAIRS_2020: Record<string, number> = {
  ECC_NIST_P256: 25,
  ECC_NIST_P384: 10,
  ECC_NIST_P521: 5,
  ECC_SECG_P256K1: 25,
  RSA_2048: 1,
  RSA_3072: 0.5,
  RSA_4096: 0.1,
}

/** China Regions' key pair quotas (RSA 1 / 0.5 / 0.1, SM2 25). */
const KEY_PAIRS_CHINA: Record<string, number> = { RSA_2048: 1, RSA_3072: 0.5, RSA_4096: 0.1, SM2: 25 }

function prefixed(prefix: string, table: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [prefix + k, v]))
}

function pools(
  symmetric: number,
  rsa: number,
  ecc: number,
  api: Record<string, number>,
  keyPairs: Record<string, number>,
): Record<string, number> {
  return {
    symmetric,
    rsa,
    ecc,
    // ML-DSA keys came in 2025 with 1,000/s; older profiles keep that value so such calls are limited.
    'ml-dsa': 1000,
    [CUSTOM_KEY_STORE_POOL]: 1800,
    [HOT_KEY_POOL]: DEFAULT_HOT_KEY_PER_SECOND,
    ...prefixed(API_POOL_PREFIX, api),
    ...prefixed(KEY_PAIR_POOL_PREFIX, keyPairs),
  }
}

function symmetricByRegion(
  regions: readonly string[],
  symmetric: number,
  extra: Record<string, number> = {},
): Record<string, Record<string, number>> {
  return Object.fromEntries(regions.map((r) => [r, { symmetric, ...extra }]))
}

/** The six Regions with twice the default symmetric quota today. */
const TIER2_REGIONS = [
  'us-east-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'eu-central-1',
  'eu-west-2',
] as const
/** The three Regions with the highest symmetric quota since August 2018. */
const TIER3_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'] as const
const CHINA_REGIONS = ['cn-north-1', 'cn-northwest-1'] as const

/** The built-in profiles, by name. */
export const BUILT_IN_PROFILES: ReadonlyMap<string, QuotaProfile> = new Map<string, QuotaProfile>([
  [
    'aws-default',
    {
      name: 'aws-default',
      description:
        "AWS's current quotas: symmetric 10,000/s (20,000 in six Regions, 100,000 in us-east-1, us-west-2, eu-west-1); RSA, ECC/SM2 and ML-DSA 1,000/s; today's per-API table",
      source: `${REQUESTS_PER_SECOND_URL} (kms-facts.md §1.1-1.2)`,
      defaults: pools(10_000, 1000, 1000, API_CURRENT, KEY_PAIRS_CURRENT),
      regions: {
        ...symmetricByRegion(TIER2_REGIONS, 20_000),
        ...symmetricByRegion(TIER3_REGIONS, 100_000),
        ...Object.fromEntries(CHINA_REGIONS.map((r) => [r, prefixed(KEY_PAIR_POOL_PREFIX, KEY_PAIRS_CHINA)])),
      },
    },
  ],
  [
    'aws-2020',
    {
      name: 'aws-2020',
      description:
        'The 5,500 / 10,000 / 30,000 era (about 2019-2021): symmetric 5,500/s, 10,000 in six Regions, 30,000 in us-east-1, us-west-2, eu-west-1; RSA 500, ECC 300; DescribeKey 1,000',
      source:
        'awsdocs/aws-kms-developer-guide doc_source/requests-per-second.md at commit 7881062c (per-API table, RSA 500, ECC 300, key pairs) and its "5,500 (or 10,000 or 30,000)" text; the six 10,000 Regions are inferred to be those that have 20,000 today',
      defaults: pools(5500, 500, 300, API_2020, KEY_PAIRS_2020),
      regions: { ...symmetricByRegion(TIER2_REGIONS, 10_000), ...symmetricByRegion(TIER3_REGIONS, 30_000) },
    },
  ],
  [
    'aws-2018-08',
    {
      name: 'aws-2018-08',
      description:
        'August 2018 to about 2019: symmetric 10,000/s in us-east-1, us-west-2, eu-west-1 and 5,500/s elsewhere; the oldest per-API table (DescribeKey 100)',
      source:
        "AWS What's New 2018-08-21 (https://aws.amazon.com/about-aws/whats-new/2018/08/aws-key-management-service-increases-api-requests-per-second-limits/); per-API table from awsdocs/aws-kms-developer-guide requests-per-second.md at commit 059d59f; RSA 500 / ECC 300 as first published (asymmetric keys came in late 2019)",
      defaults: pools(5500, 500, 300, API_2018, KEY_PAIRS_2020),
      regions: symmetricByRegion(TIER3_REGIONS, 10_000),
    },
  ],
  [
    'aws-pre-2018-08',
    {
      name: 'aws-pre-2018-08',
      description: 'Before August 2018: symmetric 1,200/s in every Region; the oldest per-API table (DescribeKey 100)',
      source: "AWS What's New 2018-08-21 (the raise was from 1,200/s); per-API table as aws-2018-08",
      defaults: pools(1200, 500, 300, API_2018, KEY_PAIRS_2020),
      regions: {},
    },
  ],
])

/** Names accepted as `profile`: the built-in profiles and `none`. */
export function profileNames(): string[] {
  return [...BUILT_IN_PROFILES.keys(), NO_QUOTA_PROFILE]
}
