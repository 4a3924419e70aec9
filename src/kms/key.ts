/**
 * The KMS key record: everything KMS keeps about one key in one account and Region.
 * Operations read and change these records; `describeKey` turns one into the API's
 * `KeyMetadata` shape.
 */
import type { KeyObject } from 'node:crypto'
import { AccessDeniedException } from './errors.ts'
import type {
  AlgorithmSpec,
  EncryptionAlgorithmSpec,
  ExpirationModelType,
  KeyAgreementAlgorithmSpec,
  KeyManagerType,
  KeyMetadata,
  KeySpec,
  KeyState,
  KeyUsageType,
  MacAlgorithmSpec,
  OriginType,
  SigningAlgorithmSpec,
  WrappingKeySpec,
} from './model.generated.ts'

/** One version of a key's cryptographic material. Old versions are kept so old ciphertext decrypts. */
export interface KeyMaterialVersion {
  /** 0-based index, written into every ciphertext made with this version. */
  readonly version: number
  /** AWS-style key material id (64 hex characters), as ListKeyRotations reports it. */
  readonly id: string
  /** Epoch ms when this material was created. */
  readonly createdAt: number
  /** 32-byte identifier of the backing key (SHA-256 of the material id); written into ciphertext. */
  readonly backingKeyId: Buffer
  /** Secret key bytes: AES-256 for SYMMETRIC_DEFAULT, the HMAC key for HMAC_* specs. */
  readonly secret?: Buffer
  /** Asymmetric private key. */
  readonly privateKey?: KeyObject
  /** Asymmetric public key. */
  readonly publicKey?: KeyObject
  /** DER-encoded X.509 SubjectPublicKeyInfo of the public key, as GetPublicKey returns it. */
  readonly publicKeyDer?: Buffer
}

/**
 * A key's material history. Shared (the same object) between a multi-Region primary key and
 * its replicas, which is how replicas get the same material and the same rotations.
 */
export interface KeyMaterialSet {
  readonly versions: KeyMaterialVersion[]
  /** Index of the version used for new encryption. */
  current: number
}

/** One completed rotation, as ListKeyRotations reports it. */
export interface RotationRecord {
  readonly materialId: string
  readonly at: number
  readonly type: 'AUTOMATIC' | 'ON_DEMAND'
}

/** Rotation settings and history. Shared between a multi-Region primary and its replicas. */
export interface RotationState {
  enabled: boolean
  /** @default 365 */
  periodDays: number
  /** Epoch ms of the next automatic rotation, when enabled. */
  nextRotationAt: number | undefined
  onDemandCount: number
  /** Epoch ms when an on-demand rotation still in progress began (GetKeyRotationStatus OnDemandRotationStartDate). */
  onDemandStartedAt?: number | undefined
  readonly history: RotationRecord[]
}

/** One GetParametersForImport answer: the wrapping key pair's private half and its import token's facts. */
export interface ImportParameters {
  /** Random id carried in the import token (hex). */
  readonly tokenId: string
  readonly privateKey: KeyObject
  readonly algorithm: AlgorithmSpec
  readonly wrappingKeySpec: WrappingKeySpec
  /** Epoch ms after which the token and public key are expired (24 h after issue). */
  readonly validTo: number
}

/** What KMS keeps about one imported key material (by key material id). */
export interface ImportedMaterial {
  readonly id: string
  expirationModel: ExpirationModelType
  /** Epoch ms when the material expires (KEY_MATERIAL_EXPIRES only). */
  validTo: number | undefined
  description: string | undefined
  /** False once deleted (DeleteImportedKeyMaterial) or expired: only the same material can be re-imported. */
  present: boolean
}

/** Imported key material state of a key with Origin EXTERNAL (`import-material.ts`). */
export interface ImportState {
  /** Outstanding wrapping keys and tokens, newest last (expired ones are dropped on the next request). */
  readonly parameters: ImportParameters[]
  /** Every material ever imported into the key, by id. */
  readonly materials: Map<string, ImportedMaterial>
  /** A NEW_KEY_MATERIAL import not yet made current: RotateKeyOnDemand makes it current. */
  pendingRotation: KeyMaterialVersion | undefined
}

/** The last successful cryptographic use of a key (GetKeyLastUsage). */
export interface KeyLastUse {
  operation: string
  /** Epoch ms of the call. */
  at: number
}

/** Links the primary and the replicas of one multi-Region key (the same object in every Region). */
export interface MultiRegionLink {
  readonly keyId: string
  readonly account: string
  primaryRegion: string
  /** Every Region holding this key (primary included). */
  readonly regions: Set<string>
}

/** A KMS key in one account and Region. */
export interface KmsKey {
  readonly keyId: string
  readonly arn: string
  readonly account: string
  readonly region: string
  readonly createdAt: number
  description: string
  readonly keyUsage: KeyUsageType
  readonly keySpec: KeySpec
  readonly origin: OriginType
  readonly keyManager: KeyManagerType
  state: KeyState
  /** Epoch ms when a key pending deletion is deleted. */
  deletionDate: number | undefined
  pendingWindowDays: number | undefined
  /** The key policy document (JSON text). Every key has exactly one, named `default`. */
  policy: string
  /** Tags, in insertion order. */
  readonly tags: Map<string, string>
  readonly material: KeyMaterialSet
  readonly rotation: RotationState
  readonly multiRegion: MultiRegionLink | undefined
  /** Custom key store id, for keys modelled in a custom key store (quota accounting). */
  readonly customKeyStoreId: string | undefined
  /** Imported key material (Origin EXTERNAL only). @default undefined */
  readonly imported?: ImportState
  /** The external key's id in its XKS proxy (keys of external key stores). @default undefined */
  xksKeyId?: string
  /**
   * The CloudHSM cluster holding the key's material (keys of CloudHSM key stores; follows the
   * store when UpdateCustomKeyStore names a related cluster). @default undefined
   */
  cloudHsmClusterId?: string
  /** The last successful cryptographic call on the key (GetKeyLastUsage). @default undefined */
  lastUsage?: KeyLastUse
  /**
   * An AWS owned key (`aws-owned-keys.ts`): used by AWS services on callers' behalf and
   * counted against no request quota. @default undefined (not AWS owned)
   */
  readonly awsOwned?: boolean
}

const ENCRYPTION_ALGORITHMS: Partial<Record<KeySpec, EncryptionAlgorithmSpec[]>> = {
  SYMMETRIC_DEFAULT: ['SYMMETRIC_DEFAULT'],
  RSA_2048: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
  RSA_3072: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
  RSA_4096: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
  SM2: ['SM2PKE'],
}

const SIGNING_ALGORITHMS: Partial<Record<KeySpec, SigningAlgorithmSpec[]>> = {
  RSA_2048: rsaSigning(),
  RSA_3072: rsaSigning(),
  RSA_4096: rsaSigning(),
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  ECC_NIST_P384: ['ECDSA_SHA_384'],
  ECC_NIST_P521: ['ECDSA_SHA_512'],
  ECC_SECG_P256K1: ['ECDSA_SHA_256'],
  SM2: ['SM2DSA'],
}

const MAC_ALGORITHMS: Partial<Record<KeySpec, MacAlgorithmSpec[]>> = {
  HMAC_224: ['HMAC_SHA_224'],
  HMAC_256: ['HMAC_SHA_256'],
  HMAC_384: ['HMAC_SHA_384'],
  HMAC_512: ['HMAC_SHA_512'],
}

function rsaSigning(): SigningAlgorithmSpec[] {
  return [
    'RSASSA_PSS_SHA_256',
    'RSASSA_PSS_SHA_384',
    'RSASSA_PSS_SHA_512',
    'RSASSA_PKCS1_V1_5_SHA_256',
    'RSASSA_PKCS1_V1_5_SHA_384',
    'RSASSA_PKCS1_V1_5_SHA_512',
  ]
}

/** Encryption algorithms a key supports (empty unless its usage is ENCRYPT_DECRYPT). */
export function encryptionAlgorithmsOf(key: Pick<KmsKey, 'keySpec' | 'keyUsage'>): EncryptionAlgorithmSpec[] {
  return key.keyUsage === 'ENCRYPT_DECRYPT' ? (ENCRYPTION_ALGORITHMS[key.keySpec] ?? []) : []
}

/** Signing algorithms a key supports (empty unless its usage is SIGN_VERIFY). */
export function signingAlgorithmsOf(key: Pick<KmsKey, 'keySpec' | 'keyUsage'>): SigningAlgorithmSpec[] {
  return key.keyUsage === 'SIGN_VERIFY' ? (SIGNING_ALGORITHMS[key.keySpec] ?? []) : []
}

/** MAC algorithms a key supports (empty unless its usage is GENERATE_VERIFY_MAC). */
export function macAlgorithmsOf(key: Pick<KmsKey, 'keySpec' | 'keyUsage'>): MacAlgorithmSpec[] {
  return key.keyUsage === 'GENERATE_VERIFY_MAC' ? (MAC_ALGORITHMS[key.keySpec] ?? []) : []
}

/** Key agreement algorithms a key supports (ECDH for ECC keys with KEY_AGREEMENT usage). */
export function keyAgreementAlgorithmsOf(key: Pick<KmsKey, 'keySpec' | 'keyUsage'>): KeyAgreementAlgorithmSpec[] {
  return key.keyUsage === 'KEY_AGREEMENT' ? ['ECDH'] : []
}

/** The algorithm lists of a key that KeyMetadata and GetPublicKey show: only the non-empty ones. */
export type AlgorithmMembers = Pick<
  KeyMetadata,
  'EncryptionAlgorithms' | 'SigningAlgorithms' | 'MacAlgorithms' | 'KeyAgreementAlgorithms'
>

/** The non-empty algorithm lists of a key (each depends on its key usage and spec). */
export function algorithmMembers(key: Pick<KmsKey, 'keySpec' | 'keyUsage'>): AlgorithmMembers {
  const out: AlgorithmMembers = {}
  const enc = encryptionAlgorithmsOf(key)
  if (enc.length > 0) out.EncryptionAlgorithms = enc
  const sig = signingAlgorithmsOf(key)
  if (sig.length > 0) out.SigningAlgorithms = sig
  const mac = macAlgorithmsOf(key)
  if (mac.length > 0) out.MacAlgorithms = mac
  const ka = keyAgreementAlgorithmsOf(key)
  if (ka.length > 0) out.KeyAgreementAlgorithms = ka
  return out
}

/** The current material version of a key. */
export function currentMaterial(key: KmsKey): KeyMaterialVersion {
  const m = key.material.versions[key.material.current]
  if (m === undefined) throw new Error(`key ${key.keyId} has no current material`)
  return m
}

/** The API's `KeyMetadata` for a key (https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html). */
export function keyMetadata(key: KmsKey): KeyMetadata {
  const md: KeyMetadata = {
    AWSAccountId: key.account,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.createdAt),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    Origin: key.origin,
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    MultiRegion: key.multiRegion !== undefined,
  }
  if (key.deletionDate !== undefined && key.state === 'PendingDeletion') md.DeletionDate = new Date(key.deletionDate)
  // Only a multi-Region primary waiting for its replicas shows its window; every other key
  // pending deletion shows its DeletionDate (API_KeyMetadata.html, PendingDeletionWindowInDays).
  if (key.pendingWindowDays !== undefined && key.state === 'PendingReplicaDeletion')
    md.PendingDeletionWindowInDays = key.pendingWindowDays
  Object.assign(md, algorithmMembers(key))
  const current = key.material.versions[key.material.current]
  // Symmetric keys name their current material, also after it was deleted (LocalStack's
  // AWS-recorded snapshot, describe-key-after-deleted-import); asymmetric and HMAC keys do not.
  if (key.keySpec === 'SYMMETRIC_DEFAULT' && current !== undefined) md.CurrentKeyMaterialId = current.id
  if (key.imported !== undefined && current !== undefined) {
    const info = key.imported.materials.get(current.id)
    if (info?.present === true) {
      md.ExpirationModel = info.expirationModel
      if (info.validTo !== undefined) md.ValidTo = new Date(info.validTo)
    }
  }
  if (key.customKeyStoreId !== undefined) md.CustomKeyStoreId = key.customKeyStoreId
  // "present only when the KMS key is created in an CloudHSM key store" (API_KeyMetadata.html).
  if (key.cloudHsmClusterId !== undefined) md.CloudHsmClusterId = key.cloudHsmClusterId
  if (key.xksKeyId !== undefined) md.XksKeyConfiguration = { Id: key.xksKeyId }
  const link = key.multiRegion
  if (link !== undefined) {
    const arnIn = (region: string): string => key.arn.replace(`:${key.region}:`, `:${region}:`)
    md.MultiRegionConfiguration = {
      MultiRegionKeyType: link.primaryRegion === key.region ? 'PRIMARY' : 'REPLICA',
      PrimaryKey: { Arn: arnIn(link.primaryRegion), Region: link.primaryRegion },
      ReplicaKeys: [...link.regions]
        .filter((r) => r !== link.primaryRegion)
        .sort()
        .map((r) => ({ Arn: arnIn(r), Region: r })),
    }
  }
  return md
}

/**
 * AWS's AccessDeniedException when no policy lets `principal` perform `action` on a
 * resource (kms-facts.md §6.5, "User: ... is not authorized to perform: ...").
 */
export function noResourcePolicyAllows(principal: string, action: string, resourceArn: string): AccessDeniedException {
  return new AccessDeniedException(
    `User: ${principal} is not authorized to perform: ${action} on resource: ${resourceArn} because no resource-based policy allows the ${action} action`,
  )
}

/**
 * Refuses to manage an AWS managed key as a customer managed one: its key policy (created
 * by the owning service) allows only use through that service and Describe/Get/List, so
 * changing its policy, description, tags, aliases, state or deletion is denied
 * (https://docs.aws.amazon.com/kms/latest/developerguide/editing-keys.html: "You cannot edit
 * any properties of AWS managed keys"). Checked here as well as by the policy evaluator so
 * the rule holds whatever authorizer is configured.
 */
export function assertCustomerManaged(key: KmsKey, principal: string, action: string): void {
  if (key.keyManager !== 'CUSTOMER') throw noResourcePolicyAllows(principal, action, key.arn)
}
