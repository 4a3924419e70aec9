/**
 * DeriveSharedSecret (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html):
 * ECDH between the private key of an ECC KMS key of usage KEY_AGREEMENT and a peer's public
 * key (DER SubjectPublicKeyInfo on the same curve). The raw shared secret is returned, as
 * AWS does; the caller derives keys from it.
 */
import { deriveEcdhSecret } from '../asymmetric.ts'
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { UnsupportedOperationException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { incompatibleAlgorithm, requireKeyUsage } from '../key-usage.ts'
import { resolveKeyId } from '../resolve.ts'
import { assertNoRecipient } from '../symmetric.ts'

/** Handler of DeriveSharedSecret. */
export const deriveSharedSecret: Handler<'DeriveSharedSecret'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  assertNoRecipient(input)
  ctx.core.authorize(ctx, {
    action: 'kms:DeriveSharedSecret',
    key,
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
    conditions: { 'kms:KeyAgreementAlgorithm': input.KeyAgreementAlgorithm },
  })
  assertKeyState(key, 'crypto')
  requireKeyUsage(key, 'KEY_AGREEMENT', 'DeriveSharedSecret')
  if (input.KeyAgreementAlgorithm !== 'ECDH') throw incompatibleAlgorithm(input.KeyAgreementAlgorithm, key.keySpec)
  // SM2 key agreement is not ECDH over the SM2 curve; kms-bench does not implement it.
  if (key.keySpec === 'SM2')
    throw new UnsupportedOperationException(
      'kms-bench cannot derive a shared secret with SM2 keys: node:crypto (Node 20) has no SM2 key exchange (GB/T 32918.3).',
    )
  const secret = deriveEcdhSecret(key, input.PublicKey)
  endDryRun(input)
  return { KeyId: key.arn, SharedSecret: secret, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: key.origin }
}
