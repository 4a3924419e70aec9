/**
 * Sign (https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html): an RSA (PSS or
 * PKCS #1 v1.5) or ECDSA signature with an asymmetric key of usage SIGN_VERIFY. MessageType
 * RAW (the default, up to 4096 bytes) is hashed by KMS; DIGEST is signed as given and must
 * be exactly one digest long.
 */
import { checkSigning, signMessage } from '../asymmetric.ts'
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { assertKeyState } from '../key-state.ts'
import { requireKeyUsage } from '../key-usage.ts'
import { currentMaterial } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

/** Handler of Sign. */
export const sign: Handler<'Sign'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  const messageType = input.MessageType ?? 'RAW'
  ctx.core.authorize(ctx, {
    action: 'kms:Sign',
    key,
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
    conditions: { 'kms:SigningAlgorithm': input.SigningAlgorithm, 'kms:MessageType': messageType },
  })
  assertKeyState(key, 'crypto')
  requireKeyUsage(key, 'SIGN_VERIFY', 'Sign')
  const scheme = checkSigning(key, input.SigningAlgorithm, messageType, input.Message)
  endDryRun(input)
  return { KeyId: key.arn, Signature: signMessage(currentMaterial(key), scheme, messageType, input.Message), SigningAlgorithm: input.SigningAlgorithm }
}
