/**
 * GetPublicKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html):
 * the public key of an asymmetric KMS key as DER X.509 SubjectPublicKeyInfo (RFC 5280),
 * which node:crypto and `openssl` accept, with the key's spec, usage and algorithms so the
 * key can be used correctly offline. Symmetric and HMAC keys have no public key.
 */
import type { Handler } from '../context.ts'
import { UnsupportedOperationException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { algorithmMembers, currentMaterial } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

/** Handler of GetPublicKey. */
export const getPublicKey: Handler<'GetPublicKey'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, {
    action: 'kms:GetPublicKey',
    key,
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
  })
  assertKeyState(key, 'crypto')
  const der = currentMaterial(key).publicKeyDer
  if (der === undefined)
    throw new UnsupportedOperationException(
      `${key.arn} key spec is ${key.keySpec} which is not valid for GetPublicKey.`,
    )
  // Only keys with a public key get here, so the MAC list (HMAC keys) is never among them.
  return {
    KeyId: key.arn,
    PublicKey: Buffer.from(der),
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    ...algorithmMembers(key),
  }
}
