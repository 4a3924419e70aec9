/**
 * The access decision for one request, as AWS documents it for KMS
 * (https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html,
 * key-policies.html, key-policy-default.html, key-policy-modifying-external-accounts.html,
 * grant-authorization.html, and IAM's policy evaluation logic,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 *
 * 1. An explicit Deny in the key policy or in the caller's identity policies wins.
 * 2. A key policy statement that names the caller (its ARN, its role, `*`, or the account
 *    when the caller is the root user) allows it.
 * 3. A key policy statement that names the caller's account enables IAM: an Allow in the
 *    caller's identity policies then allows it (identity Allows do nothing otherwise).
 * 4. A grant for the caller allows the grant's operations, within its constraints.
 * 5. Cross-account (the key belongs to another account): only the operations AWS allows
 *    cross-account, never on AWS managed keys, and both the key policy and the caller's
 *    identity policy must allow (grants alone suffice, as grants are per principal).
 * 6. Key-less actions (CreateKey, GenerateRandom, ListKeys, ...) are authorized by IAM alone.
 *
 * The root user has no identity policies; it holds every permission of its own account
 * (service control policies are not modelled), so wherever IAM must allow, root passes.
 *
 * Pure: no core, no clock. `authorizer.ts` feeds it; the decision table tests drive it.
 */
import type { CallerIdentity } from './principals.ts'
import type { ConditionContext } from './conditions.ts'
import {
  statementPrincipalMatch,
  statementResourceMatch,
  type CompiledPolicy,
  type CompiledStatement,
} from './policy-compile.ts'
import { findAllowingGrant, granteeMatch, type ChildGrant, type Grant } from '../grants.ts'

/**
 * Operations that work on another account's key (key-policy-modifying-external-accounts.html):
 * cryptographic operations, CreateGrant, DescribeKey, GetKeyRotationStatus, GetPublicKey,
 * ListGrants, RetireGrant, RevokeGrant. Permissions for anything else have no effect.
 */
export const CROSS_ACCOUNT_ACTIONS: ReadonlySet<string> = new Set([
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:Sign',
  'kms:Verify',
  'kms:GenerateMac',
  'kms:VerifyMac',
  'kms:DeriveSharedSecret',
  'kms:CreateGrant',
  'kms:DescribeKey',
  'kms:GetKeyRotationStatus',
  'kms:GetPublicKey',
  'kms:ListGrants',
  'kms:RetireGrant',
  'kms:RevokeGrant',
])

/** Why a request was allowed or denied. */
export type DecisionReason =
  | 'key-policy' // the key policy names the caller
  | 'key-policy+iam' // the key policy enables IAM for the account and an identity policy allows
  | 'iam' // key-less action allowed by an identity policy
  | 'root' // key-less action by the root user
  | 'grant'
  | 'retiring-principal' // RetireGrant by the grant's retiring principal or grantee
  | 'deny-resource' // explicit Deny in the key policy
  | 'deny-identity' // explicit Deny in an identity policy
  | 'no-identity-allow'
  | 'no-resource-allow'

/** The outcome of {@link evaluateAccess}. */
export interface AccessDecision {
  readonly allowed: boolean
  readonly reason: DecisionReason
  /** The statement that decided (`key-policy:<Sid or #n>` / `identity:<policy>:<Sid or #n>`). */
  readonly statement?: string
  /** The grant that allowed the request. */
  readonly grantId?: string
  /** Condition keys kms-bench cannot supply that appeared in statements considered (they never match). */
  readonly unknownConditionKeys: readonly string[]
}

/** A named compiled identity policy. */
export interface NamedPolicy {
  readonly name: string
  readonly policy: CompiledPolicy
}

/** Grant facts for one request. */
export interface GrantFacts {
  /** The key's grants. */
  readonly grants: Iterable<Grant>
  readonly now: number
  readonly tokenGrantIds: ReadonlySet<string> | undefined
  readonly encryptionContext: Readonly<Record<string, string>> | undefined
  /** For kms:CreateGrant: the grant being created (delegation check). */
  readonly child?: ChildGrant
  /** For kms:RetireGrant: the grant being retired. */
  readonly target?: Grant
}

/** One access question. */
export interface AccessQuery {
  /** IAM action, e.g. `kms:Decrypt`. */
  readonly action: string
  /** Key ARN, or `*` (or another resource) for key-less actions. */
  readonly resource: string
  /** Further resources the identity policies must also allow (the alias ARN of CreateAlias, ...). */
  readonly extraIdentityResources?: readonly string[]
  readonly caller: CallerIdentity
  /** The key acted on; absent for key-less actions. */
  readonly key?: {
    readonly account: string
    readonly keyManager: string
    /** AWS owned keys live in AWS's accounts and are used across accounts through their service. */
    readonly awsOwned?: boolean
    readonly policy: CompiledPolicy
  }
  readonly identityPolicies: readonly NamedPolicy[]
  readonly conditions: ConditionContext
  /** The key's grants; a {@link GrantFactsSource} is asked only when a grant is needed (most calls never look). */
  readonly grants?: GrantFacts | GrantFactsSource
}

const NONE: readonly string[] = []

/** Lazily computed grant facts (the authorizer looks grants up only when a request needs them). */
export interface GrantFactsSource {
  facts(): GrantFacts
}

/**
 * What {@link evaluateAccess} tells a caller that caches decisions: `pure` is false when the
 * decision read a condition key or the grants, so it holds only for this request.
 */
export interface EvaluationNotes {
  pure: boolean
}

/**
 * Decides one request. Never throws. With `notes`, says whether the decision depends only
 * on the action, the resource, the caller, the key's account, manager and compiled policy,
 * and the identity policies (then the same question always gets the same answer).
 */
export function evaluateAccess(q: AccessQuery, notes?: EvaluationNotes): AccessDecision {
  const e = new Evaluation(q)
  const d = e.run()
  if (notes !== undefined) notes.pure = e.pure
  return d
}

/**
 * One evaluation. A class rather than closures: this runs on every KMS call, and per-call
 * closures cost (allocation, and the name-keeping wrapper tsx/esbuild adds to each one).
 */
class Evaluation {
  readonly q: AccessQuery
  readonly caller: AccessQuery['caller']
  readonly isRoot: boolean
  unknown: string[] | undefined
  /** The identity statement that allows (`root` for the root user); null: not computed yet. */
  identityAllow: string | undefined | null = null
  grantFactsCache: GrantFacts | undefined | null = null
  /** No condition was tested and no grant looked at. */
  pure = true

  constructor(q: AccessQuery) {
    this.q = q
    this.caller = q.caller
    this.isRoot = q.caller.identityType === 'Root'
  }

  run(): AccessDecision {
    const q = this.q
    const caller = this.caller
    // 1. Explicit denies: key policy first (its message names the resource-based policy), then IAM.
    if (q.key !== undefined) {
      for (const st of q.key.policy.forAction(q.action).deny) {
        if (statementPrincipalMatch(st, caller) === undefined) continue
        if (this.applies(st, q.resource)) return this.decide(false, 'deny-resource', `key-policy:${st.label}`)
      }
    }
    for (const { name, policy } of q.identityPolicies) {
      for (const st of policy.forAction(q.action).deny) {
        if (this.applies(st, q.resource) || this.appliesToAny(st, q.extraIdentityResources))
          return this.decide(false, 'deny-identity', `identity:${name}:${st.label}`)
      }
    }

    // 6. Key-less actions: IAM alone.
    if (q.key === undefined) {
      if (this.isRoot) return this.decide(true, 'root')
      const by = this.iamAllows()
      return by !== undefined ? this.decide(true, 'iam', by) : this.decide(false, 'no-identity-allow')
    }

    const crossAccount = q.key.account !== caller.account

    // RetireGrant is authorized primarily by the grant itself (grant-delete.html).
    const target = q.action === 'kms:RetireGrant' ? this.grantFacts()?.target : undefined
    if (target !== undefined) return this.retire(target)

    // 5. Operations that cannot be used across accounts, and AWS managed keys, deny at once.
    const crossAccountAllowed =
      !crossAccount || (CROSS_ACCOUNT_ACTIONS.has(q.action) && (q.key.keyManager !== 'AWS' || q.key.awsOwned === true))
    if (!crossAccountAllowed) return this.decide(false, 'no-resource-allow')

    // 2./3. The key policy.
    let direct: CompiledStatement | undefined
    let viaAccount: CompiledStatement | undefined
    for (const st of q.key.policy.forAction(q.action).allow) {
      const m = statementPrincipalMatch(st, caller)
      if (m === undefined || (m === 'account' && viaAccount !== undefined)) continue
      if (!this.applies(st, q.resource)) continue
      if (m === 'direct') {
        direct = st
        break
      }
      viaAccount = st
    }
    if (direct !== undefined && !crossAccount) {
      // An alias has no resource policy: the alias part of CreateAlias & co. always needs IAM.
      const aliases = q.extraIdentityResources
      if (aliases === undefined || this.isRoot || this.identityAllowStatement(undefined, aliases) !== undefined) {
        return this.decide(true, 'key-policy', `key-policy:${direct.label}`)
      }
      return this.decide(false, 'no-identity-allow')
    }
    const enabling = direct ?? viaAccount
    if (enabling !== undefined) {
      const by = this.iamAllows()
      if (by !== undefined)
        return this.decide(
          true,
          'key-policy+iam',
          by === 'root' ? `key-policy:${enabling.label}` : `key-policy:${enabling.label} + ${by}`,
        )
    }

    // 4. Grants.
    const facts = this.grantFacts()
    if (facts !== undefined) {
      const found = findAllowingGrant(facts.grants, {
        action: q.action,
        caller,
        now: facts.now,
        tokenGrantIds: facts.tokenGrantIds,
        encryptionContext: facts.encryptionContext,
        ...(facts.child !== undefined ? { child: facts.child } : {}),
      })
      if (found !== undefined && (found.via === 'direct' || this.iamAllows() !== undefined))
        return this.decide(true, 'grant', undefined, found.grant.grantId)
    }
    return this.decide(false, enabling !== undefined ? 'no-identity-allow' : 'no-resource-allow')
  }

  retire(g: Grant): AccessDecision {
    const retirer = g.retiringPrincipal !== undefined ? granteeMatch(g.retiringPrincipal, this.caller) : undefined
    const grantee = g.operationSet.has('RetireGrant') ? granteeMatch(g.granteePrincipal, this.caller) : undefined
    if (retirer === 'direct' || grantee === 'direct')
      return this.decide(true, 'retiring-principal', undefined, g.grantId)
    // The account that created the grant may retire it, and may delegate that with kms:RetireGrant
    // in IAM; kms:RetireGrant alone, in any other account or in a key policy, does not suffice.
    if (g.issuingAccount.split(':')[4] === this.caller.account) {
      const by = this.iamAllows()
      if (by !== undefined) return this.decide(true, 'retiring-principal', by === 'root' ? undefined : by, g.grantId)
    }
    return this.decide(false, 'no-resource-allow')
  }

  /** Whether the caller's identity policies allow the action (the root user: always, in its own account). */
  iamAllows(): string | undefined {
    if (this.identityAllow === null)
      this.identityAllow = this.isRoot
        ? 'root'
        : this.identityAllowStatement(this.q.resource, this.q.extraIdentityResources)
    return this.identityAllow
  }

  grantFacts(): GrantFacts | undefined {
    if (this.grantFactsCache === null) {
      this.pure = false
      const g = this.q.grants
      this.grantFactsCache =
        g === undefined ? undefined : 'facts' in g && typeof g.facts === 'function' ? g.facts() : (g as GrantFacts)
    }
    return this.grantFactsCache
  }

  /** The identity statement allowing the action on `resource` (if given) and on every one of `extra`. */
  identityAllowStatement(resource: string | undefined, extra: readonly string[] | undefined): string | undefined {
    const q = this.q
    for (const { name, policy } of q.identityPolicies) {
      for (const st of policy.forAction(q.action).allow) {
        // Every resource the action touches must be allowed (the alias and the key of CreateAlias).
        if (resource !== undefined && !this.applies(st, resource)) continue
        if (extra !== undefined && !this.appliesToAll(st, extra)) continue
        return `identity:${name}:${st.label}`
      }
    }
    return undefined
  }

  appliesToAny(st: CompiledStatement, resources: readonly string[] | undefined): boolean {
    if (resources !== undefined) for (const r of resources) if (this.applies(st, r)) return true
    return false
  }

  appliesToAll(st: CompiledStatement, resources: readonly string[]): boolean {
    for (const r of resources) if (!this.applies(st, r)) return false
    return true
  }

  /** Whether a statement (principal and action already matched) covers the resource and its conditions hold. */
  applies(st: CompiledStatement, resource: string): boolean {
    if (!statementResourceMatch(st, resource)) return false
    if (st.conditions.length > 0 || st.unknownConditionKeys.length > 0) this.pure = false
    if (st.unknownConditionKeys.length > 0) {
      const u = (this.unknown ??= [])
      for (const k of st.unknownConditionKeys) if (!u.includes(k)) u.push(k)
    }
    const ctx = this.q.conditions
    for (const c of st.conditions) if (!c.test(ctx)) return false
    return true
  }

  decide(allowed: boolean, reason: DecisionReason, statement?: string, grantId?: string): AccessDecision {
    const d: { -readonly [K in keyof AccessDecision]: AccessDecision[K] } = {
      allowed,
      reason,
      unknownConditionKeys: this.unknown ?? NONE,
    }
    if (statement !== undefined) d.statement = statement
    if (grantId !== undefined) d.grantId = grantId
    return d
  }
}
