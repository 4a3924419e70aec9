/**
 * Decapsulate (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decapsulate.html, in the installed
 * @aws-sdk/client-kms; not in the shared Smithy model, see scripts/model-supplement.ts): ML-KEM
 * key encapsulation. node:crypto in Node 20 has no ML-KEM, so no ML_KEM_* key can exist here:
 * after resolving and authorizing the key, the call answers UnsupportedOperationException
 * naming what is missing, never a made-up shared secret.
 *
 * Quotas: none. kms-facts.md §1 (requests-per-second.html as recorded) has no ML-KEM row, so
 * the call counts against no pool (src/quota/pools.ts leaves it out), rather than an invented one.
 */
import type { Handler } from '../context.ts'
import { UnsupportedOperationException } from '../errors.ts'
import { resolveKeyId } from '../resolve.ts'

/** The message of every Decapsulate: what kms-bench lacks. */
export const DECAPSULATE_UNSUPPORTED =
  'kms-bench cannot run Decapsulate: ML-KEM (FIPS 203) is missing from node:crypto in Node 20, so no ML_KEM_512/768/1024 key can be created or used here'

/** Handler of Decapsulate. */
export const decapsulate: Handler<'Decapsulate'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, {
    action: 'kms:Decapsulate',
    key,
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
  })
  throw new UnsupportedOperationException(DECAPSULATE_UNSUPPORTED)
}
