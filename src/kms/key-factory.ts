/**
 * Making key records: customer managed keys (CreateKey), AWS managed keys (created on first
 * use of `alias/aws/<service>`), and multi-Region replicas (sharing the primary's material).
 */
import { keyArn, newKeyId, rootArn } from './ids.ts'
import type { ImportedMaterial, KmsKey, KeyMaterialSet, MultiRegionLink, RotationState } from './key.ts'
import { newKeyMaterial } from './key-material.ts'
import type { KeyManagerType, KeySpec, KeyUsageType, OriginType } from './model.generated.ts'
import type { RandomPool } from './random-pool.ts'
import { partitionOf } from '../regions.ts'

/**
 * The default key policy of a key created through the API without a policy: one statement
 * that gives the account (and so IAM policies) full access
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
export function defaultKeyPolicy(account: string, region: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: rootArn(account, partitionOf(region)) },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  )
}

/** What a new key is made of. */
export interface NewKeyParams {
  account: string
  region: string
  now: number
  keySpec: KeySpec
  keyUsage: KeyUsageType
  origin?: OriginType
  keyManager?: KeyManagerType
  description?: string
  policy?: string
  tags?: ReadonlyMap<string, string>
  multiRegion?: boolean
  customKeyStoreId?: string
  /** Initial state. @default 'Enabled' */
  state?: KmsKey['state']
}

/** A new key record with fresh material (not yet stored). */
export function newKeyRecord(p: NewKeyParams, random: RandomPool): KmsKey {
  const keyId = newKeyId(p.multiRegion === true)
  // A key for imported material starts without any (PendingImport, API_CreateKey.html, Origin).
  const external = p.origin === 'EXTERNAL'
  const material: KeyMaterialSet = {
    versions: external ? [] : [newKeyMaterial(p.keySpec, 0, p.now, random)],
    current: 0,
  }
  const rotation: RotationState = {
    enabled: false,
    periodDays: 365,
    nextRotationAt: undefined,
    onDemandCount: 0,
    history: [],
  }
  const link: MultiRegionLink | undefined =
    p.multiRegion === true
      ? { keyId, account: p.account, primaryRegion: p.region, regions: new Set([p.region]) }
      : undefined
  return {
    keyId,
    arn: keyArn(p.region, p.account, keyId),
    account: p.account,
    region: p.region,
    createdAt: p.now,
    description: p.description ?? '',
    keyUsage: p.keyUsage,
    keySpec: p.keySpec,
    origin: p.origin ?? 'AWS_KMS',
    keyManager: p.keyManager ?? 'CUSTOMER',
    state: p.state ?? (external ? 'PendingImport' : 'Enabled'),
    deletionDate: undefined,
    pendingWindowDays: undefined,
    policy: p.policy ?? defaultKeyPolicy(p.account, p.region),
    tags: new Map(p.tags ?? []),
    material,
    rotation,
    multiRegion: link,
    customKeyStoreId: p.customKeyStoreId,
    ...(external ? { imported: { parameters: [], materials: new Map(), pendingRotation: undefined } } : {}),
  }
}

/**
 * A replica of multi-Region key `primary` in `region`: the same key id and the same material
 * and rotation state (shared objects), its own policy, description and tags. It starts in the
 * transient Creating state, and its description defaults to empty, not to the primary's
 * (API_ReplicateKey.html; LocalStack's AWS-recorded snapshot `test_replicate_key`).
 *
 * A replica of a primary with imported material (Origin EXTERNAL) gets none of it: its own
 * material set naming the primary's material ids without their bytes, and its own import
 * state, so it waits in PendingImport for its own import of the same material, whose expiry
 * and deletion are its own ("Importing key material into multi-Region keys",
 * multi-region-keys-import.html: import the same key material into each key, each with its
 * own expiration).
 */
export function newReplicaRecord(
  primary: KmsKey,
  region: string,
  now: number,
  policy: string | undefined,
  description: string | undefined,
  tags: ReadonlyMap<string, string> | undefined,
): KmsKey {
  const link = primary.multiRegion
  if (link === undefined) throw new Error(`key ${primary.keyId} is not a multi-Region key`)
  link.regions.add(region)
  return {
    ...primary,
    arn: keyArn(region, primary.account, primary.keyId),
    region,
    createdAt: now,
    description: description ?? '',
    state: 'Creating',
    deletionDate: undefined,
    pendingWindowDays: undefined,
    policy: policy ?? defaultKeyPolicy(primary.account, region),
    tags: new Map(tags ?? []),
    ...(primary.imported !== undefined ? withoutImportedMaterial(primary) : {}),
  }
}

/** The material and import state of a new replica of an imported-material primary (see {@link newReplicaRecord}). */
function withoutImportedMaterial(primary: KmsKey): Pick<KmsKey, 'material' | 'imported'> {
  const material: KeyMaterialSet = {
    versions: primary.material.versions.map((v) => ({
      version: v.version,
      id: v.id,
      createdAt: v.createdAt,
      backingKeyId: v.backingKeyId,
    })),
    current: primary.material.current,
  }
  const materials = new Map<string, ImportedMaterial>()
  for (const m of primary.imported?.materials.values() ?? [])
    materials.set(m.id, {
      id: m.id,
      expirationModel: m.expirationModel,
      validTo: undefined,
      description: m.description,
      present: false,
    })
  return { material, imported: { parameters: [], materials, pendingRotation: undefined } }
}
