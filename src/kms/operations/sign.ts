/**
 * Sign (https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html): an RSA (PSS or
 * PKCS #1 v1.5) or ECDSA signature with an asymmetric key of usage SIGN_VERIFY. MessageType
 * RAW (the default, up to 4096 bytes) is hashed by KMS; DIGEST is signed as given and must
 * be exactly one digest long.
 */
import { checkSigning, signMessage, type SigningScheme } from '../asymmetric.ts'
import type { Handler, OpContext } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { assertKeyState } from '../key-state.ts'
import { requireKeyUsage } from '../key-usage.ts'
import { currentMaterial, type KmsKey } from '../key.ts'
import type { MessageType, SigningAlgorithmSpec } from '../model.generated.ts'
import { resolveKeyId } from '../resolve.ts'

/** The members Sign and Verify share. */
export interface SigningRequest {
  KeyId: string
  Message: Uint8Array
  MessageType?: MessageType
  SigningAlgorithm: SigningAlgorithmSpec
  GrantTokens?: string[]
  DryRun?: boolean
}

/** A checked Sign or Verify request: the key, its signing scheme and the message type. */
export interface PreparedSigning {
  readonly key: KmsKey
  readonly scheme: SigningScheme
  readonly messageType: MessageType
}

/**
 * The steps Sign and Verify share (`op`): resolve, authorize `kms:<op>` (with
 * `kms:SigningAlgorithm` and `kms:MessageType`), key state, SIGN_VERIFY usage, the algorithm
 * and digest-length checks, then DryRun.
 */
export function prepareSigning(ctx: OpContext, input: SigningRequest, op: 'Sign' | 'Verify'): PreparedSigning {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  const messageType = input.MessageType ?? 'RAW'
  ctx.core.authorize(ctx, {
    action: op === 'Sign' ? 'kms:Sign' : 'kms:Verify',
    key,
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
    conditions: { 'kms:SigningAlgorithm': input.SigningAlgorithm, 'kms:MessageType': messageType },
  })
  assertKeyState(key, 'crypto')
  requireKeyUsage(key, 'SIGN_VERIFY', op)
  const scheme = checkSigning(key, input.SigningAlgorithm, messageType, input.Message)
  endDryRun(input)
  return { key, scheme, messageType }
}

/** Handler of Sign. */
export const sign: Handler<'Sign'> = (ctx, input) => {
  const { key, scheme, messageType } = prepareSigning(ctx, input, 'Sign')
  return {
    KeyId: key.arn,
    Signature: signMessage(currentMaterial(key), scheme, messageType, input.Message),
    SigningAlgorithm: input.SigningAlgorithm,
  }
}
