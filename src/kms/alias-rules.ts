/**
 * Whether an operation's key-identifying member accepts alias names and alias ARNs: a fact per
 * operation, read from the member's documentation in the model (`KEY_ID_ALIAS_RULES`, made by
 * scripts/gen-model.ts). "To specify a KMS key, use its key ID, key ARN, alias name, or alias
 * ARN" accepts aliases; "Specify the key ID or key ARN of the KMS key" does not (PutKeyPolicy,
 * EnableKey, ScheduleKeyDeletion, TagResource, ListAliases' KeyId filter, CreateAlias's
 * TargetKeyId, ...). Where the text says neither, {@link UNSTATED} decides, with its source.
 */
import { KEY_ID_ALIAS_RULES, type OperationName } from './model.generated.ts'

/**
 * Members whose model documentation says neither:
 * - GenerateMac, VerifyMac KeyId: aliases accepted. The developer guide lists both among the
 *   cryptographic operations that take an alias ("Using aliases in your applications",
 *   https://docs.aws.amazon.com/kms/latest/developerguide/alias-using.html, and the API
 *   reference examples of GenerateMac use alias names).
 * - RetireGrant KeyId: key ARN only ("The key ARN KMS key associated with the grant").
 */
const UNSTATED: Readonly<Record<string, boolean>> = {
  'GenerateMac.KeyId': true,
  'VerifyMac.KeyId': true,
  'RetireGrant.KeyId': false,
}

/** True when `member` of `op` accepts an alias name or alias ARN. Unknown pairs: false (key id or ARN only). */
export function acceptsAlias(op: OperationName | string, member: string): boolean {
  const rule = KEY_ID_ALIAS_RULES[op]?.[member]
  if (rule === 'alias') return true
  if (rule === 'unstated') return UNSTATED[`${op}.${member}`] ?? false
  return false
}
