/**
 * Verify (https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html): checks a
 * signature made with Sign (or offline with the private key's algorithm). A signature that
 * does not verify, malformed or not, answers KMSInvalidSignatureException with AWS's empty
 * message (LocalStack's AWS-recorded snapshot); a valid one answers SignatureValid: true.
 */
import { checkSigning, verifySignature } from '../asymmetric.ts'
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { KMSInvalidSignatureException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { requireKeyUsage } from '../key-usage.ts'
import { currentMaterial } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

/** Handler of Verify. */
export const verify: Handler<'Verify'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  const messageType = input.MessageType ?? 'RAW'
  ctx.core.authorize(ctx, {
    action: 'kms:Verify',
    key,
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
    conditions: { 'kms:SigningAlgorithm': input.SigningAlgorithm, 'kms:MessageType': messageType },
  })
  assertKeyState(key, 'crypto')
  requireKeyUsage(key, 'SIGN_VERIFY', 'Verify')
  const scheme = checkSigning(key, input.SigningAlgorithm, messageType, input.Message)
  endDryRun(input)
  if (!verifySignature(currentMaterial(key), scheme, messageType, input.Message, input.Signature)) throw new KMSInvalidSignatureException('')
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: input.SigningAlgorithm }
}
