/**
 * Principals as they appear in key policies and grants
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html):
 * an account (12-digit id or its `:root` ARN), an IAM user or role, an assumed-role session,
 * a federated user, an AWS service principal, or `*`. Who a caller is for matching purposes
 * comes from `caller.ts` (an assumed-role session is also its role).
 */
import type { Caller } from '../caller.ts'

/** A well-formed AWS principal, classified. */
export type PolicyPrincipal =
  | { readonly kind: 'any' }
  | { readonly kind: 'account'; readonly account: string }
  | { readonly kind: 'arn'; readonly arn: string; readonly account: string }
  | { readonly kind: 'service'; readonly service: string }
  /** Valid but never a kms-bench caller: federated and canonical-user principals, IAM unique ids. */
  | { readonly kind: 'other'; readonly value: string }

const ACCOUNT_RE = /^\d{12}$/
// IAM names: [\w+=,.@-], paths: /.../ (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html).
const IAM_ARN_RE =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):(root|(user|role)(\/[\w+=,.@-]+)*\/[\w+=,.@-]+|federated-user\/[\w+=,.@-]+)$/
const STS_ARN_RE =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):sts::(\d{12}):(assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+|federated-user\/[\w+=,.@-]+)$/
// The unique id IAM substitutes in a policy for a deleted user or role (AIDA..., AROA...).
const UNIQUE_ID_RE = /^A[A-Z0-9]{15,127}$/
const SERVICE_RE = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/

/**
 * Classifies an `AWS` principal value of a policy, a grantee or a retiring principal;
 * `undefined` when it is not a valid principal (AWS rejects it with "Policy contains a
 * statement with one or more invalid principals", or InvalidArnException for grants).
 */
export function parseAwsPrincipal(value: string): PolicyPrincipal | undefined {
  if (value === '*') return { kind: 'any' }
  if (ACCOUNT_RE.test(value)) return { kind: 'account', account: value }
  const iam = IAM_ARN_RE.exec(value)
  if (iam !== null) {
    const account = iam[2] as string
    return iam[3] === 'root' ? { kind: 'account', account } : { kind: 'arn', arn: value, account }
  }
  const sts = STS_ARN_RE.exec(value)
  if (sts !== null) return { kind: 'arn', arn: value, account: sts[2] as string }
  if (UNIQUE_ID_RE.test(value)) return { kind: 'other', value }
  return undefined
}

/** Classifies a `Service` principal value (`s3.amazonaws.com`); `undefined` when malformed. */
export function parseServicePrincipal(value: string): PolicyPrincipal | undefined {
  if (value === '*') return { kind: 'any' }
  return SERVICE_RE.test(value) ? { kind: 'service', service: value } : undefined
}

/** Classifies a grantee or retiring principal: an AWS principal (not `*`) or a service principal. */
export function parseGrantPrincipal(value: string): PolicyPrincipal | undefined {
  const p = parseAwsPrincipal(value) ?? parseServicePrincipal(value)
  return p === undefined || p.kind === 'any' || p.kind === 'other' ? undefined : p
}

/** How a principal entry applies to a caller. */
export type PrincipalMatch = 'direct' | 'account' | undefined

/** The parts of a caller that principal matching looks at. */
export type CallerIdentity = Pick<Caller, 'account' | 'principal' | 'policyPrincipal' | 'identityType'>

/**
 * Whether principal `p` names `caller`: `direct` when it names the caller itself (its ARN,
 * its role, `*`, or the account when the caller is the root user); `account` when it names
 * the caller's account and the caller is an IAM identity of it, which in a key policy
 * enables IAM policies to grant access (key-policy-default.html#key-policy-default-allow-root-enable-iam).
 */
export function principalMatches(p: PolicyPrincipal, caller: CallerIdentity): PrincipalMatch {
  switch (p.kind) {
    case 'any':
      return 'direct'
    case 'account':
      if (p.account !== caller.account) return undefined
      return caller.identityType === 'Root' ? 'direct' : 'account'
    case 'arn':
      return p.arn === caller.policyPrincipal || p.arn === caller.principal ? 'direct' : undefined
    case 'service':
    case 'other':
      return undefined
  }
}
