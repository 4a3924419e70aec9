/**
 * CreateKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
 */
import type { Handler } from '../context.ts'
import { LimitExceededException, UnsupportedOperationException, ValidationException } from '../errors.ts'
import { newKeyRecord } from '../key-factory.ts'
import { isSupportedKeySpec } from '../key-material.ts'
import { isUsageAllowed } from '../key-usage.ts'
import { keyMetadata } from '../key.ts'
import type { KeySpec, KeyUsageType } from '../model.generated.ts'
import { parsePolicyDocument } from '../policy-document.ts'
import { tagsFromInput } from '../tags.ts'

/** Customer managed keys per account and Region (resource-limits.html). */
export const MAX_KEYS_PER_REGION = 100_000

export const createKey: Handler<'CreateKey'> = (ctx, input) => {
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
    throw new ValidationException('You cannot specify both KeySpec and CustomerMasterKeySpec. CustomerMasterKeySpec is deprecated; use KeySpec.')
  }
  const keySpec: KeySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT'
  if (input.KeyUsage === undefined && keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new ValidationException('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.')
  }
  const keyUsage: KeyUsageType = input.KeyUsage ?? 'ENCRYPT_DECRYPT'
  if (!isUsageAllowed(keySpec, keyUsage)) throw new ValidationException(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`)
  if (keySpec === 'SM2' && !ctx.caller.region.startsWith('cn-')) {
    throw new ValidationException('KeySpec SM2 is only supported in China Regions.')
  }
  if (!isSupportedKeySpec(keySpec)) throw new UnsupportedOperationException(`kms-bench does not support KeySpec ${keySpec}`)
  const origin = input.Origin ?? 'AWS_KMS'
  if (origin !== 'AWS_KMS') throw new UnsupportedOperationException(`kms-bench supports Origin AWS_KMS only, not ${origin}`)
  if (input.CustomKeyStoreId !== undefined) throw new UnsupportedOperationException('kms-bench does not model custom key stores through CreateKey')
  if (input.Policy !== undefined) parsePolicyDocument(input.Policy)
  const tags = tagsFromInput(input.Tags)
  ctx.core.authorize(ctx, { action: 'kms:CreateKey', conditions: { 'kms:KeySpec': keySpec, 'kms:KeyUsage': keyUsage, 'kms:KeyOrigin': origin, 'kms:MultiRegion': input.MultiRegion === true } })
  let customerKeys = 0
  for (const k of ctx.state.keys.values()) if (k.keyManager === 'CUSTOMER') customerKeys++
  if (customerKeys >= MAX_KEYS_PER_REGION) throw new LimitExceededException(`The maximum number of KMS keys (${MAX_KEYS_PER_REGION}) in this Region has been reached.`)
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
