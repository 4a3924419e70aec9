/**
 * GenerateDataKeyPair (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html):
 * a fresh RSA or ECC key pair; the private key (PKCS #8 DER) is returned in plaintext and
 * encrypted under a symmetric KMS key with the encryption context, the public key as X.509
 * SubjectPublicKeyInfo DER. The encrypted private key is an ordinary symmetric ciphertext:
 * Decrypt returns the PKCS #8 bytes (as AWS does, LocalStack's AWS-recorded test).
 */
import { newDataKeyPair } from '../asymmetric.ts'
import type { Handler, OpContext } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { ValidationException } from '../errors.ts'
import type { KmsKey } from '../key.ts'
import type { DataKeyPairSpec } from '../model.generated.ts'
import { assertNoRecipient, encryptSymmetric } from '../symmetric.ts'
import { currentMaterial } from '../key.ts'
import { authorizeDataKeyUse, type DataKeyUse } from './generate-data-key.ts'

/** What both GenerateDataKeyPair operations send. */
export interface DataKeyPairRequest extends DataKeyUse {
  KeyPairSpec: DataKeyPairSpec
  DryRun?: boolean
}

/** A generated pair: the plaintext private key, its ciphertext, the public key, the KMS key. */
export interface DataKeyPair {
  readonly key: KmsKey
  readonly privateKeyPlaintext: Buffer
  readonly privateKeyCiphertext: Buffer
  readonly publicKey: Buffer
}

/**
 * The shared steps of GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (`op`):
 * the key checks of {@link authorizeDataKeyUse} (with `kms:DataKeyPairSpec`),
 * SM2 only in China Regions, DryRun, then generate and seal.
 */
export function generateDataKeyPairFor(
  ctx: OpContext,
  input: DataKeyPairRequest,
  op: 'GenerateDataKeyPair' | 'GenerateDataKeyPairWithoutPlaintext',
): DataKeyPair {
  const key = authorizeDataKeyUse(ctx, input, op, { 'kms:DataKeyPairSpec': input.KeyPairSpec })
  // SM2 exists only in the China Regions (https://docs.aws.amazon.com/kms/latest/developerguide/asymmetric-key-specs.html#key-spec-sm).
  if (input.KeyPairSpec === 'SM2' && !ctx.caller.region.startsWith('cn-')) {
    throw new ValidationException('KeyPairSpec SM2 is only supported in China Regions.')
  }
  endDryRun(input)
  const { privateKeyDer, publicKeyDer } = newDataKeyPair(input.KeyPairSpec)
  return {
    key,
    privateKeyPlaintext: privateKeyDer,
    privateKeyCiphertext: encryptSymmetric(ctx, key, privateKeyDer, input.EncryptionContext),
    publicKey: publicKeyDer,
  }
}

/** Handler of GenerateDataKeyPair. */
export const generateDataKeyPair: Handler<'GenerateDataKeyPair'> = (ctx, input) => {
  assertNoRecipient(input)
  const pair = generateDataKeyPairFor(ctx, input, 'GenerateDataKeyPair')
  return {
    PrivateKeyCiphertextBlob: pair.privateKeyCiphertext,
    PrivateKeyPlaintext: pair.privateKeyPlaintext,
    PublicKey: pair.publicKey,
    KeyId: pair.key.arn,
    KeyPairSpec: input.KeyPairSpec,
    KeyMaterialId: currentMaterial(pair.key).id,
  }
}
