/**
 * CreateKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html):
 * a customer managed key of any key spec of the model (SM2 only in China Regions) with a
 * KeyUsage the spec allows (`key-usage.ts`), an optional description, tags (`tags.ts`,
 * which also need kms:TagResource), key policy (`parseKeyPolicy`, then the lockout safety
 * check unless BypassPolicyLockoutSafetyCheck; the default policy enables IAM), and
 * multi-Region primary keys (`mrk-` ids). Origin AWS_KMS, or EXTERNAL: a key without
 * material in PendingImport (`operations/import-key-material.ts`). Symmetric keys cost two
 * random draws and a hash, so creating many stays cheap.
 */
import type { Handler, OpContext } from '../context.ts'
import { customKeyStore, keysIn, type CustomKeyStore } from '../custom-key-stores.ts'
import {
  CustomKeyStoreInvalidStateException,
  LimitExceededException,
  UnsupportedOperationException,
  ValidationException,
  XksKeyAlreadyInUseException,
} from '../errors.ts'
import { newKeyRecord } from '../key-factory.ts'
import { isSupportedKeySpec } from '../key-material.ts'
import { isUsageAllowed } from '../key-usage.ts'
import { keyMetadata } from '../key.ts'
import type { CreateKeyRequest, KeySpec, KeyUsageType, OriginType } from '../model.generated.ts'
import { parseKeyPolicy } from '../policy-document.ts'
import type { RegionState } from '../store.ts'
import { requestTagConditions, tagsFromInput } from '../tags.ts'

/** Customer managed keys per account and Region (resource-limits.html). */
export const MAX_KEYS_PER_REGION = 100_000

/**
 * Throws LimitExceededException when an account's Region already holds the maximum number of
 * customer managed keys (CreateKey, and ReplicateKey in the replica's Region). Counting only
 * near the quota keeps it O(1): AWS managed keys are few, so below the quota in stored keys
 * the customer managed keys are below it too.
 */
export function assertKeyQuota(state: RegionState): void {
  if (state.keys.size < MAX_KEYS_PER_REGION) return
  let customerKeys = 0
  for (const k of state.keys.values()) if (k.keyManager === 'CUSTOMER') customerKeys++
  if (customerKeys >= MAX_KEYS_PER_REGION)
    throw new LimitExceededException(
      `The maximum number of KMS keys (${MAX_KEYS_PER_REGION}) in this Region has been reached.`,
    )
}

/**
 * The custom key store a CreateKey names, checked (CreateKey's "CustomKeyStoreId" and "Origin"
 * in API_CreateKey.html): the store exists and is CONNECTED, the origin matches its type, only
 * single-Region symmetric encryption keys, and an external key store needs an XksKeyId that no
 * other key of the store uses. The key's material is kms-bench's own (`custom-key-stores.ts`).
 */
function checkCustomKeyStoreKey(
  ctx: OpContext,
  input: CreateKeyRequest,
  origin: OriginType,
  keySpec: KeySpec,
  keyUsage: KeyUsageType,
): CustomKeyStore | undefined {
  const wanted = origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE'
  if (input.CustomKeyStoreId === undefined) {
    if (wanted) throw new ValidationException(`Origin ${origin} requires a CustomKeyStoreId.`)
    if (input.XksKeyId !== undefined)
      throw new ValidationException('XksKeyId is valid only with Origin EXTERNAL_KEY_STORE.')
    return undefined
  }
  const store = customKeyStore(ctx.state, input.CustomKeyStoreId)
  const expected = store.type === 'AWS_CLOUDHSM' ? 'AWS_CLOUDHSM' : 'EXTERNAL_KEY_STORE'
  if (origin !== expected)
    throw new ValidationException(
      `A key in custom key store ${store.id} (${store.type}) must have Origin ${expected}, not ${origin}.`,
    )
  if (keySpec !== 'SYMMETRIC_DEFAULT' || keyUsage !== 'ENCRYPT_DECRYPT' || input.MultiRegion === true)
    throw new UnsupportedOperationException(
      'Custom key stores support only single-Region symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT).',
    )
  if (store.connectionState !== 'CONNECTED')
    throw new CustomKeyStoreInvalidStateException(
      `Custom key store ${store.id} is ${store.connectionState}; CreateKey is valid only when it is CONNECTED.`,
    )
  if (store.type === 'EXTERNAL_KEY_STORE') {
    if (input.XksKeyId === undefined) throw new ValidationException('Origin EXTERNAL_KEY_STORE requires an XksKeyId.')
    for (const k of keysIn(ctx.state, store))
      if (k.xksKeyId === input.XksKeyId)
        throw new XksKeyAlreadyInUseException(`External key ${input.XksKeyId} is already associated with ${k.arn}.`)
  } else if (input.XksKeyId !== undefined)
    throw new ValidationException('XksKeyId is valid only with Origin EXTERNAL_KEY_STORE.')
  return store
}

export const createKey: Handler<'CreateKey'> = (ctx, input) => {
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
    throw new ValidationException(
      'You cannot specify both KeySpec and CustomerMasterKeySpec. CustomerMasterKeySpec is deprecated; use KeySpec.',
    )
  }
  const keySpec: KeySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT'
  if (input.KeyUsage === undefined && keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new ValidationException(
      'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    )
  }
  const keyUsage: KeyUsageType = input.KeyUsage ?? 'ENCRYPT_DECRYPT'
  if (!isUsageAllowed(keySpec, keyUsage))
    throw new ValidationException(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`)
  if (keySpec === 'SM2' && !ctx.caller.region.startsWith('cn-')) {
    throw new ValidationException('KeySpec SM2 is only supported in China Regions.')
  }
  if (!isSupportedKeySpec(keySpec))
    throw new UnsupportedOperationException(`kms-bench does not support KeySpec ${keySpec}`)
  const origin = input.Origin ?? 'AWS_KMS'
  // EXTERNAL: a key without material, PendingImport until ImportKeyMaterial (importing-keys.html).
  // AWS_CLOUDHSM / EXTERNAL_KEY_STORE: a key in a custom key store (checkCustomKeyStoreKey).
  const store = checkCustomKeyStoreKey(ctx, input, origin, keySpec, keyUsage)
  if (input.Policy !== undefined) parseKeyPolicy(input.Policy)
  const tags = tagsFromInput(input.Tags)
  const bypass = input.BypassPolicyLockoutSafetyCheck === true
  ctx.core.authorize(ctx, {
    action: 'kms:CreateKey',
    conditions: {
      'kms:KeySpec': keySpec,
      'kms:KeyUsage': keyUsage,
      'kms:KeyOrigin': origin,
      'kms:MultiRegion': input.MultiRegion === true,
      'kms:BypassPolicyLockoutSafetyCheck': bypass,
      ...(tags.size > 0 ? requestTagConditions(tags) : {}),
    },
  })
  // "To use this parameter [Tags], you must have kms:TagResource permission in an IAM policy" (API_CreateKey.html).
  if (tags.size > 0) ctx.core.authorize(ctx, { action: 'kms:TagResource', conditions: requestTagConditions(tags) })
  if (input.Policy !== undefined && !bypass) ctx.core.assertPolicyKeepsAccess(ctx, input.Policy, undefined)
  assertKeyQuota(ctx.state)
  const key = newKeyRecord(
    {
      account: ctx.caller.account,
      region: ctx.caller.region,
      now: ctx.now,
      keySpec,
      keyUsage,
      origin,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.Policy !== undefined ? { policy: input.Policy } : {}),
      tags,
      multiRegion: input.MultiRegion === true,
      ...(store !== undefined ? { customKeyStoreId: store.id } : {}),
    },
    ctx.core.random,
  )
  if (input.XksKeyId !== undefined) key.xksKeyId = input.XksKeyId
  if (store?.cloudHsmClusterId !== undefined) key.cloudHsmClusterId = store.cloudHsmClusterId
  ctx.state.keys.set(key.keyId, key)
  ctx.audit.resources.push(key)
  return { KeyMetadata: keyMetadata(key) }
}
