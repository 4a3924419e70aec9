/**
 * VerifyMac (https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html):
 * recomputes the HMAC and compares it in constant time. A mismatch answers
 * KMSInvalidMacException with AWS's empty message (LocalStack's AWS-recorded snapshot).
 */
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { KMSInvalidMacException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { requireKeyUsage } from '../key-usage.ts'
import { checkMacAlgorithm, macMatches } from '../mac.ts'
import { resolveKeyId } from '../resolve.ts'

/** Handler of VerifyMac. */
export const verifyMac: Handler<'VerifyMac'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, {
    action: 'kms:VerifyMac',
    key,
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
    conditions: { 'kms:MacAlgorithm': input.MacAlgorithm },
  })
  assertKeyState(key, 'crypto')
  requireKeyUsage(key, 'GENERATE_VERIFY_MAC', 'VerifyMac')
  checkMacAlgorithm(key, input.MacAlgorithm)
  endDryRun(input)
  if (!macMatches(key, input.MacAlgorithm, input.Message, input.Mac)) throw new KMSInvalidMacException('')
  return { KeyId: key.arn, MacValid: true, MacAlgorithm: input.MacAlgorithm }
}
