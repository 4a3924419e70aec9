/**
 * The core's default {@link Authorizer}: key policy + IAM identity policies + grants,
 * evaluated like AWS KMS (`evaluate.ts` has the rules and their sources). It gathers the
 * facts of a request (the compiled key policy, the caller's compiled identity policies, the
 * key's grants, the grant tokens, the condition-key values), asks {@link evaluateAccess},
 * writes the decision into the call's audit event, and throws AccessDeniedException (AWS's
 * message) to deny.
 *
 * Compiled policies are cached: per key (recompiled only when the key's policy text changes)
 * and per principal (recompiled only when the identity-policy store's `version` changes).
 */
import { addAuthorization, type AuthorizationRecord } from '../audit.ts'
import type { Caller } from '../caller.ts'
import type { AccessRequest, Authorizer, OpContext } from '../context.ts'
import { AccessDeniedException, MalformedPolicyDocumentException } from '../errors.ts'
import { grantIdsOfTokens, type ChildGrant, type Grant } from '../grants.ts'
import type { IdentityPolicyStore } from '../identity-policies.ts'
import { aliasArn, keyArn } from '../ids.ts'
import type { KmsKey } from '../key.ts'
import type { GrantConstraints } from '../model.generated.ts'
import {
  evaluateAccess,
  type AccessDecision,
  type AccessQuery,
  type EvaluationNotes,
  type GrantFacts,
  type GrantFactsSource,
  type NamedPolicy,
} from './evaluate.ts'
import { accessDeniedMessage, LOCKOUT_MESSAGE } from './messages.ts'
import { compilePolicy, type CompiledPolicy } from './policy-compile.ts'
import { RequestConditions } from './request-context.ts'

/**
 * Condition entry by which RetireGrant tells the authorizer which grant it retires (the grant
 * decides who may retire it). Internal: not a real condition key, so policies naming it never match.
 */
export const RETIRE_GRANT_ID_CONDITION = 'kms-bench:RetireGrantId'

/** Actions on an alias that also need IAM permission on the alias ARN (alias-access.html). */
const ALIAS_ACTIONS = new Set(['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'])

/** A policy with no statements: what a key whose stored policy cannot be compiled gets (fail closed). */
const EMPTY_KEY_POLICY: CompiledPolicy = compilePolicy('{"Statement":[]}', 'key')

const NO_POLICIES: readonly NamedPolicy[] = []

interface IdentityCache {
  version: number
  readonly byPrincipal: Map<string, readonly NamedPolicy[]>
}

/**
 * A decision that depended on nothing but the question (see {@link EvaluationNotes}): reused
 * while the caller, action and key are the same objects, the key's policy text is the one
 * compiled, and the identity-policy store has not changed since.
 */
interface CachedDecision {
  readonly caller: Caller
  readonly action: string
  readonly key: KmsKey
  readonly policy: CompiledPolicy
  readonly store: IdentityPolicyStore
  readonly storeVersion: number
  readonly record: AuthorizationRecord
}

/** Whether `d` answers this question (see {@link CachedDecision}). */
function answers(
  d: CachedDecision | undefined,
  caller: Caller,
  action: string,
  key: KmsKey,
  store: IdentityPolicyStore,
): d is CachedDecision {
  return (
    d !== undefined &&
    d.caller === caller &&
    d.action === action &&
    d.key === key &&
    // The compiled policy is a function of its text: the same text is the same policy.
    d.policy.text === key.policy &&
    d.store === store &&
    d.storeVersion === store.version
  )
}

/** Evaluates key policies, IAM identity policies and grants as AWS KMS does. */
export class PolicyAuthorizer implements Authorizer {
  readonly #keyPolicies = new WeakMap<KmsKey, CompiledPolicy>()
  readonly #identity = new WeakMap<IdentityPolicyStore, IdentityCache>()
  /** The last pure decision per caller and action (the hot path: the same caller, key and action again). */
  readonly #decisions = new WeakMap<Caller, Map<string, CachedDecision>>()
  readonly #notes: EvaluationNotes = { pure: false }
  /**
   * The last two pure decisions reused or made: the same question again needs no lookup. Two,
   * because a client's calls alternate (GenerateDataKey to write, Decrypt to read): with one,
   * half the calls of an envelope-encryption workload went to the maps.
   */
  #last: CachedDecision | undefined
  #previous: CachedDecision | undefined

  authorize(ctx: OpContext, request: AccessRequest): void {
    const caller = ctx.caller
    const key = request.key
    // Every token must be well-formed, whatever it is for (InvalidGrantTokenException). Decided
    // for a malformed token on a call the key policy alone allows: still InvalidGrantTokenException,
    // the documented error for "the specified grant token is not valid" (API_Encrypt.html and
    // every operation taking GrantTokens); KMS reads the tokens before it evaluates access.
    const tokenGrantIds =
      request.grantTokens !== undefined && request.grantTokens.length > 0
        ? grantIdsOfTokens(request.grantTokens)
        : undefined
    const resource = key?.arn ?? resourceOfKeyless(request)
    const extra =
      request.requestAlias !== undefined && ALIAS_ACTIONS.has(request.action)
        ? [aliasArn(key?.region ?? caller.region, key?.account ?? caller.account, request.requestAlias)]
        : undefined
    const store = ctx.core.identityPolicies
    // Fast path: a pure question asked before (no condition keys, no grants involved).
    let byAction: Map<string, CachedDecision> | undefined
    let policy: CompiledPolicy | undefined
    if (key !== undefined && extra === undefined) {
      const hit = this.#cachedDecision(caller, request.action, key, store)
      if (hit !== undefined) {
        const record = hit.record
        if (ctx.core.audit.enabled) addAuthorization(ctx.audit, record)
        if (!record.allowed)
          throw new AccessDeniedException(
            accessDeniedMessage(caller.principal, request.action, resource, record.reason as AccessDecision['reason']),
          )
        return
      }
      policy = this.keyPolicy(key)
      byAction = this.#decisions.get(caller)
    }
    const identityPolicies = this.identityPolicies(ctx)
    const query: { -readonly [K in keyof AccessQuery]: AccessQuery[K] } = {
      action: request.action,
      resource,
      caller,
      identityPolicies,
      conditions: new RequestConditions(ctx, request),
    }
    if (extra !== undefined) query.extraIdentityResources = extra
    if (key !== undefined) {
      query.key = {
        account: key.account,
        keyManager: key.keyManager,
        awsOwned: key.awsOwned === true,
        policy: policy ?? this.keyPolicy(key),
      }
      query.grants = new LazyGrantFacts(ctx, request, key, tokenGrantIds)
    }
    const notes = this.#notes
    const decision = evaluateAccess(query, notes)
    const record = decisionRecord(request.action, resource, decision)
    if (notes.pure && key !== undefined && policy !== undefined) {
      if (byAction === undefined) {
        byAction = new Map()
        this.#decisions.set(caller, byAction)
      }
      const decided: CachedDecision = {
        caller,
        action: request.action,
        key,
        policy,
        store,
        storeVersion: store.version,
        record,
      }
      byAction.set(request.action, decided)
      this.#remember(decided)
    }
    if (ctx.core.audit.enabled) addAuthorization(ctx.audit, record)
    if (!decision.allowed) {
      // Name the resource that was refused: for CreateAlias & co., the alias ARN when the key
      // alone would have been allowed (as AWS's message does, alias-access.html).
      let refused = resource
      if (
        extra !== undefined &&
        decision.reason === 'no-identity-allow' &&
        evaluateAccess({ ...query, extraIdentityResources: [] }).allowed
      )
        refused = extra[0] ?? resource
      throw new AccessDeniedException(accessDeniedMessage(caller.principal, request.action, refused, decision.reason))
    }
  }

  /** A pure decision made before for this question: one of the last two, else the caller's map entry. */
  #cachedDecision(caller: Caller, action: string, key: KmsKey, store: IdentityPolicyStore): CachedDecision | undefined {
    const last = this.#last
    if (answers(last, caller, action, key, store)) return last
    const previous = this.#previous
    if (answers(previous, caller, action, key, store)) {
      this.#previous = last
      this.#last = previous
      return previous
    }
    const cached = this.#decisions.get(caller)?.get(action)
    if (!answers(cached, caller, action, key, store)) return undefined
    this.#remember(cached)
    return cached
  }

  #remember(decision: CachedDecision): void {
    this.#previous = this.#last
    this.#last = decision
  }

  /**
   * The policy lockout safety check: under `policy`, the caller must still be allowed to call
   * PutKeyPolicy on the key, or the request fails with MalformedPolicyDocumentException
   * (key-policy-default.html#prevent-unmanageable-key). `key` is undefined for CreateKey.
   */
  assertPolicyKeepsAccess(ctx: OpContext, policy: string, key: KmsKey | undefined): void {
    const compiled = compilePolicy(policy, 'key')
    const account = key?.account ?? ctx.caller.account
    // A key that does not exist yet has no id to name; identity policies naming key/* still match.
    const resource = key?.arn ?? keyArn(ctx.caller.region, account, '00000000-0000-0000-0000-000000000000')
    const request: AccessRequest = {
      action: 'kms:PutKeyPolicy',
      ...(key !== undefined ? { key } : {}),
      conditions: { 'kms:BypassPolicyLockoutSafetyCheck': false },
    }
    const decision = evaluateAccess({
      action: 'kms:PutKeyPolicy',
      resource,
      caller: ctx.caller,
      key: { account, keyManager: key?.keyManager ?? 'CUSTOMER', policy: compiled },
      identityPolicies: this.identityPolicies(ctx),
      conditions: new RequestConditions(ctx, request),
    })
    if (!decision.allowed) throw new MalformedPolicyDocumentException(LOCKOUT_MESSAGE)
  }

  /** The compiled policy of a key, recompiled only when its text changed. */
  keyPolicy(key: KmsKey): CompiledPolicy {
    const cached = this.#keyPolicies.get(key)
    if (cached !== undefined && cached.text === key.policy) return cached
    let compiled: CompiledPolicy
    try {
      compiled = compilePolicy(key.policy, 'key')
    } catch {
      compiled = EMPTY_KEY_POLICY
    }
    this.#keyPolicies.set(key, compiled)
    return compiled
  }

  /** The caller's compiled identity policies (none for the root user). */
  identityPolicies(ctx: OpContext): readonly NamedPolicy[] {
    const caller = ctx.caller
    if (caller.identityType === 'Root') return NO_POLICIES
    const store = ctx.core.identityPolicies
    let cache = this.#identity.get(store)
    if (cache === undefined || cache.version !== store.version) {
      cache = { version: store.version, byPrincipal: new Map() }
      this.#identity.set(store, cache)
    }
    let list = cache.byPrincipal.get(caller.policyPrincipal)
    if (list === undefined) {
      list = store
        .policiesOf(caller.policyPrincipal)
        .map((p) => ({ name: p.name, policy: compilePolicy(p.document, 'identity') }))
      cache.byPrincipal.set(caller.policyPrincipal, list)
    }
    return list
  }
}

/** The grant facts of one request, looked up only if the evaluation gets to grants. */
class LazyGrantFacts implements GrantFactsSource {
  readonly #ctx: OpContext
  readonly #request: AccessRequest
  readonly #key: KmsKey
  readonly #tokenGrantIds: ReadonlySet<string> | undefined

  constructor(ctx: OpContext, request: AccessRequest, key: KmsKey, tokenGrantIds: ReadonlySet<string> | undefined) {
    this.#ctx = ctx
    this.#request = request
    this.#key = key
    this.#tokenGrantIds = tokenGrantIds
  }

  facts(): GrantFacts {
    const key = this.#key
    const request = this.#request
    const grants = this.#ctx.core.store.peekRegion(key.account, key.region)?.grants
    const child = request.action === 'kms:CreateGrant' ? childGrantOf(request) : undefined
    const targetId = request.conditions?.[RETIRE_GRANT_ID_CONDITION]
    const target: Grant | undefined = typeof targetId === 'string' ? grants?.get(key.keyId, targetId) : undefined
    return {
      grants: grants?.forKey(key.keyId) ?? [],
      now: this.#ctx.now,
      tokenGrantIds: this.#tokenGrantIds,
      encryptionContext: request.encryptionContext,
      ...(child !== undefined ? { child } : {}),
      ...(target !== undefined ? { target } : {}),
    }
  }
}

/** Resource named in a denial of a key-less action: `*`, or the retiring principal of ListRetirableGrants. */
function resourceOfKeyless(request: AccessRequest): string {
  const rp = request.conditions?.['kms:RetiringPrincipal']
  return request.action === 'kms:ListRetirableGrants' && typeof rp === 'string' ? rp : '*'
}

/** The grant a CreateGrant request would create, from what create-grant.ts puts in the request. */
function childGrantOf(request: AccessRequest): ChildGrant {
  const ops = request.conditions?.['kms:GrantOperations']
  const type = request.conditions?.['kms:GrantConstraintType']
  const ec = request.encryptionContext
  let constraints: GrantConstraints | undefined
  if (ec !== undefined && typeof type === 'string') {
    constraints =
      type === 'EncryptionContextEquals'
        ? { EncryptionContextEquals: { ...ec } }
        : { EncryptionContextSubset: { ...ec } }
  }
  return { operations: Array.isArray(ops) ? ops : typeof ops === 'string' ? [ops] : [], constraints }
}

/** The decision as the call's CloudTrail `additionalEventData.authorization` entry keeps it (several per call for ReEncrypt). */
function decisionRecord(action: string, resource: string, d: AccessDecision): AuthorizationRecord {
  return {
    action,
    resource,
    allowed: d.allowed,
    reason: d.reason,
    statement: d.statement,
    grantId: d.grantId,
    unknownConditionKeys: d.unknownConditionKeys,
  }
}
