/**
 * GenerateDataKeyWithoutPlaintext
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyWithoutPlaintext.html):
 * like GenerateDataKey, but only the encrypted copy of the data key is returned. The
 * plaintext key is wiped once sealed.
 */
import type { Handler } from '../context.ts'
import { currentMaterial } from '../key.ts'
import { generateDataKeyFor } from './generate-data-key.ts'

/** Handler of GenerateDataKeyWithoutPlaintext. */
export const generateDataKeyWithoutPlaintext: Handler<'GenerateDataKeyWithoutPlaintext'> = (ctx, input) => {
  const { key, plaintext, ciphertext } = generateDataKeyFor(ctx, input, 'GenerateDataKeyWithoutPlaintext')
  plaintext.fill(0)
  return { CiphertextBlob: ciphertext, KeyId: key.arn, KeyMaterialId: currentMaterial(key).id }
}
