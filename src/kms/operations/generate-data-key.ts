/**
 * GenerateDataKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html):
 * a random data key, returned in plaintext and encrypted under a symmetric KMS key.
 * Exactly one of KeySpec (AES_256, AES_128) and NumberOfBytes (1-1024) is required.
 */
import type { ConditionValues, Handler, OpContext } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import type { EncryptionContext } from '../encryption-context.ts'
import { ValidationException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { requireSymmetricEncryptionKey } from '../key-usage.ts'
import type { KmsKey } from '../key.ts'
import type { DataKeySpec } from '../model.generated.ts'
import { resolveKeyId } from '../resolve.ts'
import { assertNoRecipient, encryptSymmetric } from '../symmetric.ts'
import { currentMaterial } from '../key.ts'

const SPEC_BYTES: Record<DataKeySpec, number> = { AES_256: 32, AES_128: 16 }

/** The GenerateDataKey* operations. */
export type DataKeyOperation =
  | 'GenerateDataKey'
  | 'GenerateDataKeyWithoutPlaintext'
  | 'GenerateDataKeyPair'
  | 'GenerateDataKeyPairWithoutPlaintext'

/** Their IAM actions, as constants: a string built per call would be hashed afresh by the authorizer's lookups. */
const DATA_KEY_ACTIONS: Readonly<Record<DataKeyOperation, string>> = {
  GenerateDataKey: 'kms:GenerateDataKey',
  GenerateDataKeyWithoutPlaintext: 'kms:GenerateDataKeyWithoutPlaintext',
  GenerateDataKeyPair: 'kms:GenerateDataKeyPair',
  GenerateDataKeyPairWithoutPlaintext: 'kms:GenerateDataKeyPairWithoutPlaintext',
}

/** Data key length from KeySpec / NumberOfBytes, with AWS's message when not exactly one is given. */
export function dataKeyLength(keySpec: DataKeySpec | undefined, numberOfBytes: number | undefined): number {
  if ((keySpec === undefined) === (numberOfBytes === undefined)) {
    throw new ValidationException('Please specify either number of bytes or key spec.')
  }
  return keySpec !== undefined ? SPEC_BYTES[keySpec] : (numberOfBytes as number)
}

/** The members of a request that uses a symmetric encryption key to seal a data key (or key pair). */
export interface DataKeyUse {
  KeyId: string
  EncryptionContext?: EncryptionContext
  GrantTokens?: string[]
}

/** The members GenerateDataKey and GenerateDataKeyWithoutPlaintext share. */
export interface DataKeyRequest extends DataKeyUse {
  KeySpec?: DataKeySpec
  NumberOfBytes?: number
  DryRun?: boolean
}

/** A generated data key: the KMS key, the plaintext key and its ciphertext. */
export interface DataKey {
  readonly key: KmsKey
  readonly plaintext: Buffer
  readonly ciphertext: Buffer
}

/**
 * The checks every GenerateDataKey* operation (`op`) makes on its KMS key: resolve, authorize
 * `kms:<op>` (with the encryption context, `kms:RequestAlias`, grant tokens and any
 * operation-specific `conditions`), key state, and a symmetric encryption key. Returns the key.
 */
export function authorizeDataKeyUse(
  ctx: OpContext,
  input: DataKeyUse,
  op: DataKeyOperation,
  conditions?: ConditionValues,
): KmsKey {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  // One object, absent members undefined (no spread of temporaries on the hot path).
  ctx.core.authorize(ctx, {
    action: DATA_KEY_ACTIONS[op],
    key,
    encryptionContext: input.EncryptionContext,
    requestAlias: alias,
    grantTokens: input.GrantTokens,
    conditions,
  })
  assertKeyState(key, 'crypto')
  requireSymmetricEncryptionKey(key, op)
  return key
}

/**
 * The steps GenerateDataKey and GenerateDataKeyWithoutPlaintext share (`op`): the data key
 * length, the key checks of {@link authorizeDataKeyUse}, DryRun, then generate and seal.
 */
export function generateDataKeyFor(
  ctx: OpContext,
  input: DataKeyRequest,
  op: 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext',
): DataKey {
  const length = dataKeyLength(input.KeySpec, input.NumberOfBytes)
  const key = authorizeDataKeyUse(ctx, input, op)
  endDryRun(input)
  const plaintext = ctx.core.random.bytes(length)
  return { key, plaintext, ciphertext: encryptSymmetric(ctx, key, plaintext, input.EncryptionContext) }
}

/** Handler of GenerateDataKey. */
export const generateDataKey: Handler<'GenerateDataKey'> = (ctx, input) => {
  assertNoRecipient(input)
  const { key, plaintext, ciphertext } = generateDataKeyFor(ctx, input, 'GenerateDataKey')
  return { CiphertextBlob: ciphertext, Plaintext: plaintext, KeyId: key.arn, KeyMaterialId: currentMaterial(key).id }
}
