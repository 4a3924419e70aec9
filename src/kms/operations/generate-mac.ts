/**
 * GenerateMac (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html):
 * an HMAC of up to 4096 bytes with an HMAC key (usage GENERATE_VERIFY_MAC) and the one
 * algorithm its key spec supports.
 */
import type { Handler, OpContext } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { assertKeyState } from '../key-state.ts'
import { requireKeyUsage } from '../key-usage.ts'
import type { KmsKey } from '../key.ts'
import { checkMacAlgorithm, computeMac } from '../mac.ts'
import type { MacAlgorithmSpec } from '../model.generated.ts'
import { resolveKeyId } from '../resolve.ts'

/** The members GenerateMac and VerifyMac share. */
export interface MacRequest {
  KeyId: string
  MacAlgorithm: MacAlgorithmSpec
  GrantTokens?: string[]
  DryRun?: boolean
}

/**
 * The steps GenerateMac and VerifyMac share (`op`): resolve, authorize `kms:<op>` (with
 * `kms:MacAlgorithm`), key state, GENERATE_VERIFY_MAC usage, the algorithm check, then
 * DryRun. Returns the HMAC key.
 */
export function prepareMac(ctx: OpContext, input: MacRequest, op: 'GenerateMac' | 'VerifyMac'): KmsKey {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, {
    action: op === 'GenerateMac' ? 'kms:GenerateMac' : 'kms:VerifyMac',
    key,
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
    conditions: { 'kms:MacAlgorithm': input.MacAlgorithm },
  })
  assertKeyState(key, 'crypto')
  requireKeyUsage(key, 'GENERATE_VERIFY_MAC', op)
  checkMacAlgorithm(key, input.MacAlgorithm)
  endDryRun(input)
  return key
}

/** Handler of GenerateMac. */
export const generateMac: Handler<'GenerateMac'> = (ctx, input) => {
  const key = prepareMac(ctx, input, 'GenerateMac')
  return { Mac: computeMac(key, input.MacAlgorithm, input.Message), MacAlgorithm: input.MacAlgorithm, KeyId: key.arn }
}
