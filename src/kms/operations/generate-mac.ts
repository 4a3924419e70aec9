/**
 * GenerateMac (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html):
 * an HMAC of up to 4096 bytes with an HMAC key (usage GENERATE_VERIFY_MAC) and the one
 * algorithm its key spec supports.
 */
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { assertKeyState } from '../key-state.ts'
import { requireKeyUsage } from '../key-usage.ts'
import { checkMacAlgorithm, computeMac } from '../mac.ts'
import { resolveKeyId } from '../resolve.ts'

/** Handler of GenerateMac. */
export const generateMac: Handler<'GenerateMac'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, {
    action: 'kms:GenerateMac',
    key,
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
    conditions: { 'kms:MacAlgorithm': input.MacAlgorithm },
  })
  assertKeyState(key, 'crypto')
  requireKeyUsage(key, 'GENERATE_VERIFY_MAC', 'GenerateMac')
  checkMacAlgorithm(key, input.MacAlgorithm)
  endDryRun(input)
  return { Mac: computeMac(key, input.MacAlgorithm, input.Message), MacAlgorithm: input.MacAlgorithm, KeyId: key.arn }
}
