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
import type { Handler } from '../context.ts'
import { LimitExceededException, UnsupportedOperationException, ValidationException } from '../errors.ts'
import { newKeyRecord } from '../key-factory.ts'
import { isSupportedKeySpec } from '../key-material.ts'
import { isUsageAllowed } from '../key-usage.ts'
import { keyMetadata } from '../key.ts'
import type { KeySpec, KeyUsageType } from '../model.generated.ts'
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
  if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL')
    throw new UnsupportedOperationException(`kms-bench supports Origin AWS_KMS only, not ${origin}`)
  if (input.CustomKeyStoreId !== undefined)
    throw new UnsupportedOperationException('kms-bench does not model custom key stores through CreateKey')
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
    },
    ctx.core.random,
  )
  ctx.state.keys.set(key.keyId, key)
  ctx.audit.resources.push(key)
  return { KeyMetadata: keyMetadata(key) }
}
