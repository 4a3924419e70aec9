/**
 * GenerateDataKeyPairWithoutPlaintext
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPairWithoutPlaintext.html):
 * like GenerateDataKeyPair, but the private key is returned only encrypted; the plaintext
 * copy is wiped once sealed.
 */
import type { Handler } from '../context.ts'
import { currentMaterial } from '../key.ts'
import { generateDataKeyPairFor } from './generate-data-key-pair.ts'

/** Handler of GenerateDataKeyPairWithoutPlaintext. */
export const generateDataKeyPairWithoutPlaintext: Handler<'GenerateDataKeyPairWithoutPlaintext'> = (ctx, input) => {
  const pair = generateDataKeyPairFor(ctx, input, 'GenerateDataKeyPairWithoutPlaintext')
  pair.privateKeyPlaintext.fill(0)
  return {
    PrivateKeyCiphertextBlob: pair.privateKeyCiphertext,
    PublicKey: pair.publicKey,
    KeyId: pair.key.arn,
    KeyPairSpec: input.KeyPairSpec,
    KeyMaterialId: currentMaterial(pair.key).id,
  }
}
