/**
 * AccessDeniedException texts, in AWS's shape (kms-facts.md §6.5, seen from real KMS in
 * jbrt/ec2cryptomatic#26 and aws/aws-nitro-enclaves-sdk-c#157):
 * `User: <principal ARN> is not authorized to perform: kms:<Action> on resource: <key ARN>`
 * followed by why.
 */
import type { DecisionReason } from './evaluate.ts'

/** The message of a denial. `principal` is the caller's ARN as it called (a session ARN stays one). */
export function accessDeniedMessage(
  principal: string,
  action: string,
  resource: string,
  reason: DecisionReason,
): string {
  const head = `User: ${principal} is not authorized to perform: ${action} on resource: ${resource}`
  switch (reason) {
    case 'deny-resource':
      return `${head} with an explicit deny in a resource-based policy`
    case 'deny-identity':
      return `${head} with an explicit deny in an identity-based policy`
    case 'no-identity-allow':
      return `${head} because no identity-based policy allows the ${action} action`
    default:
      return `${head} because no resource-based policy allows the ${action} action`
  }
}

/** The lockout safety check's text (CreateKey / PutKeyPolicy; seen in many reports, e.g. trussworks/terraform-aws-cloudtrail#178). */
export const LOCKOUT_MESSAGE = 'The new key policy will not allow you to update the key policy in the future.'
