/**
 * Quota pools and which pools each KMS operation is charged to
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html, kms-facts.md §1).
 *
 * A pool is one request quota of one account in one Region:
 * - the shared cryptographic pools, one per key type: `symmetric` (HMAC keys included),
 *   `rsa`, `ecc` (ECC and SM2) and `ml-dsa`;
 * - `custom-key-store:<id>`: 1,800/s per custom key store, counted *in addition* to the
 *   symmetric pool ("Custom key store request quotas");
 * - `key-pair:<KeyPairSpec>`: GenerateDataKeyPair[WithoutPlaintext] share one quota per
 *   key pair spec, not the shared pool ("Shared quotas for cryptographic operations");
 * - `api:<Operation>`: every other operation has its own quota;
 * - `hot-key`: state-changing calls on one key (throttling.html, "hot key"); AWS publishes
 *   no number, see {@link DEFAULT_HOT_KEY_PER_SECOND}.
 *
 * Pure data and functions: no kms runtime code (DESIGN.md import rules).
 */
import { closestName } from '../suggest.ts'

/** The shared cryptographic-operation pools, one per key type. */
export const SHARED_POOLS = ['symmetric', 'rsa', 'ecc', 'ml-dsa'] as const
/** A shared cryptographic-operation pool. */
export type SharedPool = (typeof SHARED_POOLS)[number]

/** Pool name prefix of the per-API quotas (`api:CreateKey`). */
export const API_POOL_PREFIX = 'api:'
/** Pool name prefix of the per-key-pair-spec quotas (`key-pair:RSA_2048`). */
export const KEY_PAIR_POOL_PREFIX = 'key-pair:'
/** Pool name of the custom key store quota; a store's own pool is `custom-key-store:<id>`. */
export const CUSTOM_KEY_STORE_POOL = 'custom-key-store'
/** Pool name of hot-key throttling (per key, state-changing calls). */
export const HOT_KEY_POOL = 'hot-key'

/**
 * Default hot-key limit: state-changing calls per second on one key. **An assumption**: AWS
 * says only that "a burst or sustained high rate" of such calls on the same key is throttled
 * even under the per-API quotas (https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html).
 * 5/s equals the smallest per-API quota of those operations (EnableKey, DisableKey, ...), so
 * one operation alone at its own quota is never hot-key throttled, while a volley mixing
 * EnableKey and DisableKey on one key is, as the docs' example says.
 */
export const DEFAULT_HOT_KEY_PER_SECOND = 5

/**
 * The operations with their own per-API quota in at least one profile, each with the input
 * member that names the key it acts on (AWS owned keys count against nothing; hot-key
 * throttling is per key) and whether it changes that key's state, which hot-key throttling
 * watches (throttling.html names EnableKey and DisableKey; the others change a key's state or
 * configuration the same way). (GetKeyLastUsage is in AWS's current table but not yet in the
 * Smithy model this project was generated from.)
 */
const PER_API_OPERATIONS: Readonly<Record<string, { readonly key?: 'KeyId' | 'TargetKeyId'; readonly hot?: true }>> = {
  CancelKeyDeletion: { key: 'KeyId', hot: true },
  ConnectCustomKeyStore: {},
  CreateAlias: { key: 'TargetKeyId' },
  CreateCustomKeyStore: {},
  CreateGrant: { key: 'KeyId' },
  CreateKey: {},
  DeleteAlias: {},
  DeleteCustomKeyStore: {},
  DeleteImportedKeyMaterial: { key: 'KeyId', hot: true },
  DescribeCustomKeyStores: {},
  DescribeKey: { key: 'KeyId' },
  DisableKey: { key: 'KeyId', hot: true },
  DisableKeyRotation: { key: 'KeyId', hot: true },
  DisconnectCustomKeyStore: {},
  EnableKey: { key: 'KeyId', hot: true },
  EnableKeyRotation: { key: 'KeyId', hot: true },
  GetKeyLastUsage: { key: 'KeyId' },
  GetKeyPolicy: { key: 'KeyId' },
  GetKeyRotationStatus: { key: 'KeyId' },
  GetParametersForImport: { key: 'KeyId' },
  GetPublicKey: { key: 'KeyId' },
  ImportKeyMaterial: { key: 'KeyId', hot: true },
  ListAliases: { key: 'KeyId' },
  ListGrants: { key: 'KeyId' },
  ListKeyPolicies: { key: 'KeyId' },
  ListKeyRotations: { key: 'KeyId' },
  ListKeys: {},
  ListResourceTags: { key: 'KeyId' },
  ListRetirableGrants: {},
  PutKeyPolicy: { key: 'KeyId', hot: true },
  ReplicateKey: {}, // charged as 'replicate-key' (below)
  RetireGrant: { key: 'KeyId' },
  RevokeGrant: { key: 'KeyId' },
  RotateKeyOnDemand: { key: 'KeyId', hot: true },
  ScheduleKeyDeletion: { key: 'KeyId', hot: true },
  TagResource: { key: 'KeyId', hot: true },
  UntagResource: { key: 'KeyId', hot: true },
  UpdateAlias: { key: 'TargetKeyId' },
  UpdateCustomKeyStore: {},
  UpdateKeyDescription: { key: 'KeyId', hot: true },
  UpdatePrimaryRegion: { hot: true }, // charged as 'update-primary-region' (below)
}

/** Operations with their own per-API quota in at least one profile. */
export const API_QUOTA_OPERATIONS: readonly string[] = Object.keys(PER_API_OPERATIONS)

/** Key pair specs with their own GenerateDataKeyPair quota (ECC_NIST_EDWARDS25519 is in AWS's current table). */
export const KEY_PAIR_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
  'SM2',
] as const

/** State-changing operations on one key that hot-key throttling watches. */
export const HOT_KEY_OPERATIONS: ReadonlySet<string> = new Set(
  API_QUOTA_OPERATIONS.filter((op) => PER_API_OPERATIONS[op]?.hot === true),
)

/** The shared pool of a key spec (HMAC keys are symmetric; SM2 shares the ECC pool). */
export function sharedPoolOfKeySpec(keySpec: string): SharedPool | undefined {
  if (keySpec === 'SYMMETRIC_DEFAULT' || keySpec.startsWith('HMAC_')) return 'symmetric'
  if (keySpec.startsWith('RSA_')) return 'rsa'
  if (keySpec.startsWith('ECC_') || keySpec === 'SM2') return 'ecc'
  if (keySpec.startsWith('ML_DSA')) return 'ml-dsa'
  return undefined
}

/** How one operation is charged. */
export type OperationCharge =
  /** A shared-pool operation on the key named by `KeyId`. */
  | { readonly kind: 'crypto'; readonly defaultPool: SharedPool; readonly customKeyStore: boolean }
  /** Decrypt: the key named by `KeyId`, else by the ciphertext. */
  | { readonly kind: 'decrypt' }
  /** ReEncrypt: the source key (SourceKeyId or ciphertext) and the destination key. */
  | { readonly kind: 'reencrypt' }
  /** GenerateRandom: the symmetric pool (and the store named by `CustomKeyStoreId`). */
  | { readonly kind: 'random' }
  /** GenerateDataKeyPair[WithoutPlaintext]: the pool of the requested `KeyPairSpec`. */
  | { readonly kind: 'key-pair' }
  /** A per-API quota; `keyParam` names the key the call acts on (AWS owned keys, hot keys). */
  | { readonly kind: 'api'; readonly keyParam: 'KeyId' | 'TargetKeyId' | undefined; readonly hotKey: boolean }
  /** ReplicateKey: 1 ReplicateKey here plus 2 CreateKey in the replica Region. */
  | { readonly kind: 'replicate-key' }
  /** UpdatePrimaryRegion: one request in this Region and one in the new primary Region. */
  | { readonly kind: 'update-primary-region' }

function buildCharges(): ReadonlyMap<string, OperationCharge> {
  const m = new Map<string, OperationCharge>()
  const crypto = (defaultPool: SharedPool, customKeyStore: boolean): OperationCharge => ({
    kind: 'crypto',
    defaultPool,
    customKeyStore,
  })
  // Custom key store ops per the current table: Decrypt, DeriveSharedSecret, Encrypt,
  // GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom, ReEncrypt.
  m.set('Encrypt', crypto('symmetric', true))
  m.set('GenerateDataKey', crypto('symmetric', true))
  m.set('GenerateDataKeyWithoutPlaintext', crypto('symmetric', true))
  m.set('GenerateMac', crypto('symmetric', false))
  m.set('VerifyMac', crypto('symmetric', false))
  // Sign/Verify never work on symmetric keys; an unknown key is charged to the first pool
  // AWS lists them under (RSA). DeriveSharedSecret works only on ECC (and SM2) keys.
  m.set('Sign', crypto('rsa', false))
  m.set('Verify', crypto('rsa', false))
  m.set('DeriveSharedSecret', crypto('ecc', true))
  m.set('Decrypt', { kind: 'decrypt' })
  m.set('ReEncrypt', { kind: 'reencrypt' })
  m.set('GenerateRandom', { kind: 'random' })
  m.set('GenerateDataKeyPair', { kind: 'key-pair' })
  m.set('GenerateDataKeyPairWithoutPlaintext', { kind: 'key-pair' })
  for (const [op, { key, hot }] of Object.entries(PER_API_OPERATIONS))
    m.set(op, { kind: 'api', keyParam: key, hotKey: hot === true })
  m.set('ReplicateKey', { kind: 'replicate-key' })
  m.set('UpdatePrimaryRegion', { kind: 'update-primary-region' })
  return m
}

/** How each operation is charged; operations absent here count against no quota. */
export const OPERATION_CHARGES: ReadonlyMap<string, OperationCharge> = buildCharges()

/** Every fixed pool name (store-specific `custom-key-store:<id>` pools aside). */
export function fixedPoolNames(): string[] {
  return [
    ...SHARED_POOLS,
    CUSTOM_KEY_STORE_POOL,
    HOT_KEY_POOL,
    ...API_QUOTA_OPERATIONS.map((op) => API_POOL_PREFIX + op),
    ...KEY_PAIR_SPECS.map((spec) => KEY_PAIR_POOL_PREFIX + spec),
  ]
}

const FIXED_POOL_NAMES: ReadonlySet<string> = new Set(fixedPoolNames())

/** True when `name` names a pool (a fixed pool or `custom-key-store:<id>`). */
export function isPoolName(name: string): boolean {
  return (
    FIXED_POOL_NAMES.has(name) ||
    (name.startsWith(`${CUSTOM_KEY_STORE_POOL}:`) && name.length > CUSTOM_KEY_STORE_POOL.length + 1)
  )
}

/** Why `name` is not a pool, with a "did you mean" hint; `undefined` when it is one. */
export function poolNameProblem(name: string): string | undefined {
  if (isPoolName(name)) return undefined
  if (name.startsWith(API_POOL_PREFIX)) {
    const op = name.slice(API_POOL_PREFIX.length)
    const charge = OPERATION_CHARGES.get(op)
    if (
      charge !== undefined &&
      charge.kind !== 'api' &&
      charge.kind !== 'replicate-key' &&
      charge.kind !== 'update-primary-region'
    ) {
      return `unknown quota pool '${name}': ${op} has no per-API quota, it is charged to ${charge.kind === 'key-pair' ? "'key-pair:<KeyPairSpec>'" : 'the shared pool of its key type (symmetric, rsa, ecc, ml-dsa)'}`
    }
  }
  const hint = closestName(name, [...FIXED_POOL_NAMES])
  return `unknown quota pool '${name}'${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}`
}
