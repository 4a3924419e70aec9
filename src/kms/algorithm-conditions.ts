/**
 * The `kms:EncryptionAlgorithm` condition value of an Encrypt / Decrypt request
 * (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-algorithm),
 * as one shared, frozen object per algorithm: the request context only reads it, and the hot
 * path then builds no object for it per call.
 */
import type { ConditionValues } from './context.ts'

const byAlgorithm = new Map<string, Readonly<ConditionValues>>()

/** The default algorithm's (nearly every call's), without a lookup. */
const SYMMETRIC_DEFAULT: Readonly<ConditionValues> = Object.freeze({ 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' })

/** `{ 'kms:EncryptionAlgorithm': algorithm }`, the same frozen object for the same algorithm. */
export function algorithmConditions(algorithm: string): Readonly<ConditionValues> {
  if (algorithm === 'SYMMETRIC_DEFAULT') return SYMMETRIC_DEFAULT
  let c = byAlgorithm.get(algorithm)
  if (c === undefined) {
    c = Object.freeze({ 'kms:EncryptionAlgorithm': algorithm })
    // The model's algorithms are few; anything else (a bad value fails validation first) is not kept.
    if (byAlgorithm.size < 16) byAlgorithm.set(algorithm, c)
  }
  return c
}
