/**
 * GetParametersForImport (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html):
 * a fresh RSA wrapping key (RSA_2048/3072/4096) and an import token for a key with Origin
 * EXTERNAL, both valid for 24 hours of clock time. Any other origin: UnsupportedOperationException
 * "<key ARN> origin is AWS_KMS which is not valid for this operation." (LocalStack's AWS snapshot,
 * test_get_parameters_for_import). Key ID or key ARN only; not cross-account. Allowed while
 * PendingImport, Enabled or Disabled; refused while pending deletion (key-state.html).
 */
import type { Handler } from '../context.ts'
import { importStateOf, issueParameters } from '../import-material.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

/** Handler of GetParametersForImport. */
export const getParametersForImport: Handler<'GetParametersForImport'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, {
    action: 'kms:GetParametersForImport',
    key,
    conditions: { 'kms:WrappingAlgorithm': input.WrappingAlgorithm, 'kms:WrappingKeySpec': input.WrappingKeySpec },
  })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:GetParametersForImport')
  const state = importStateOf(key)
  assertKeyState(key, 'import')
  const p = issueParameters(
    key,
    state,
    input.WrappingAlgorithm,
    input.WrappingKeySpec,
    ctx.now,
    ctx.core.random.bytes(32).toString('hex'),
  )
  return { KeyId: key.arn, ImportToken: p.token, PublicKey: p.publicKeyDer, ParametersValidTo: new Date(p.validTo) }
}
