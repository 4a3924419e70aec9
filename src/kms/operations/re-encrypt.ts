/**
 * ReEncrypt (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html):
 * decrypts under the source key and encrypts under the destination key inside KMS, so the
 * plaintext never leaves (it is wiped before returning). It needs `kms:ReEncryptFrom` on the
 * source key and `kms:ReEncryptTo` on the destination key
 * (https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html).
 * SourceKeyId is optional for symmetric ciphertext and required for RSA ciphertext, as in
 * Decrypt; key-usage errors name the operation "ReEncrypt", as AWS does.
 */
import { asymmetricDecrypt, asymmetricEncrypt, checkAsymmetricEncryption, decryptionSource } from '../asymmetric.ts'
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { assertKeyState } from '../key-state.ts'
import { incompatibleAlgorithm, requireKeyUsage } from '../key-usage.ts'
import { resolveKeyId } from '../resolve.ts'
import { decryptSymmetric, encryptSymmetric } from '../symmetric.ts'
import { currentMaterial } from '../key.ts'

/** Handler of ReEncrypt. */
export const reEncrypt: Handler<'ReEncrypt'> = (ctx, input) => {
  const namedSource =
    input.SourceKeyId !== undefined ? resolveKeyId(ctx, input.SourceKeyId, { member: 'SourceKeyId' }) : undefined
  const destination = resolveKeyId(ctx, input.DestinationKeyId, { member: 'DestinationKeyId' })
  const sourceAlgorithm = input.SourceEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT'
  const destinationAlgorithm = input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT'
  const { key: source, header } = decryptionSource(ctx, input.CiphertextBlob, namedSource?.key, 'ReEncrypt')
  const dest = destination.key
  ctx.audit.resources.push(source)
  if (dest !== source) ctx.audit.resources.push(dest)
  const sameKey = source.arn === dest.arn
  ctx.core.authorize(ctx, {
    action: 'kms:ReEncryptFrom',
    key: source,
    ...(input.SourceEncryptionContext !== undefined ? { encryptionContext: input.SourceEncryptionContext } : {}),
    ...(namedSource?.alias !== undefined ? { requestAlias: namedSource.alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
    conditions: { 'kms:EncryptionAlgorithm': sourceAlgorithm, 'kms:ReEncryptOnSameKey': sameKey },
  })
  ctx.core.authorize(ctx, {
    action: 'kms:ReEncryptTo',
    key: dest,
    ...(input.DestinationEncryptionContext !== undefined
      ? { encryptionContext: input.DestinationEncryptionContext }
      : {}),
    ...(destination.alias !== undefined ? { requestAlias: destination.alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
    conditions: { 'kms:EncryptionAlgorithm': destinationAlgorithm, 'kms:ReEncryptOnSameKey': sameKey },
  })
  assertKeyState(source, 'crypto')
  assertKeyState(dest, 'crypto')
  requireKeyUsage(dest, 'ENCRYPT_DECRYPT', 'ReEncrypt')
  if (source.keySpec === 'SYMMETRIC_DEFAULT') {
    if (sourceAlgorithm !== 'SYMMETRIC_DEFAULT') throw incompatibleAlgorithm(sourceAlgorithm, source.keySpec)
  } else {
    checkAsymmetricEncryption(source, sourceAlgorithm, input.SourceEncryptionContext)
  }
  if (dest.keySpec === 'SYMMETRIC_DEFAULT') {
    if (destinationAlgorithm !== 'SYMMETRIC_DEFAULT') throw incompatibleAlgorithm(destinationAlgorithm, dest.keySpec)
  } else {
    checkAsymmetricEncryption(dest, destinationAlgorithm, input.DestinationEncryptionContext)
  }
  endDryRun(input)
  const plaintext =
    source.keySpec === 'SYMMETRIC_DEFAULT'
      ? decryptSymmetric(ctx, source, input.CiphertextBlob, input.SourceEncryptionContext, header)
      : asymmetricDecrypt(source, sourceAlgorithm, input.CiphertextBlob)
  try {
    let blob: Buffer
    if (dest.keySpec === 'SYMMETRIC_DEFAULT') {
      blob = encryptSymmetric(ctx, dest, plaintext, input.DestinationEncryptionContext)
    } else {
      checkAsymmetricEncryption(dest, destinationAlgorithm, undefined, plaintext.length)
      blob = asymmetricEncrypt(dest, destinationAlgorithm, plaintext)
    }
    return {
      CiphertextBlob: blob,
      SourceKeyId: source.arn,
      KeyId: dest.arn,
      SourceEncryptionAlgorithm: sourceAlgorithm,
      DestinationEncryptionAlgorithm: destinationAlgorithm,
      // The materials used, for symmetric keys only (API_ReEncrypt.html, installed SDK types).
      ...(source.keySpec === 'SYMMETRIC_DEFAULT' && header !== undefined
        ? { SourceKeyMaterialId: source.material.versions[header.materialVersion]?.id }
        : {}),
      ...(dest.keySpec === 'SYMMETRIC_DEFAULT' ? { DestinationKeyMaterialId: currentMaterial(dest).id } : {}),
    }
  } finally {
    plaintext.fill(0)
  }
}
