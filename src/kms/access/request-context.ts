/**
 * The request context of one authorization: the values of the condition keys, computed
 * lazily (most policies test none, so a call pays only for the keys its policies name).
 * Sources: the caller (kms:CallerAccount, kms:ViaService, aws:PrincipalArn, ...), the key
 * (kms:KeySpec, kms:KeyUsage, kms:KeyOrigin, kms:MultiRegion, kms:ResourceAliases,
 * aws:ResourceTag/*), the request (kms:EncryptionContext:*, kms:EncryptionContextKeys,
 * kms:RequestAlias) and whatever the operation adds in `AccessRequest.conditions`
 * (kms:EncryptionAlgorithm, kms:GrantOperations, ...), which wins over the derived values
 * (https://docs.aws.amazon.com/kms/latest/developerguide/policy-conditions.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
 */
import type { AccessRequest, OpContext } from '../context.ts'
import type { ConditionContext, ConditionValue } from './conditions.ts'

/** Actions whose requests carry kms:GrantIsForAWSResource (policy-conditions.html). */
const GRANT_IS_FOR_AWS_RESOURCE_ACTIONS = new Set(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'])

/** Lower-cased condition key names: handlers use a few constant names, so this stays small. */
const lowerNames = new Map<string, string>()

function lower(name: string): string {
  let l = lowerNames.get(name)
  if (l === undefined) {
    l = name.toLowerCase()
    if (lowerNames.size < 1024) lowerNames.set(name, l)
  }
  return l
}

/** The condition-key values of one request. */
export class RequestConditions implements ConditionContext {
  readonly #ctx: OpContext
  readonly #request: AccessRequest

  constructor(ctx: OpContext, request: AccessRequest) {
    this.#ctx = ctx
    this.#request = request
  }

  value(keyLower: string): ConditionValue {
    const r = this.#request
    if (r.conditions !== undefined) {
      for (const k in r.conditions) if (lower(k) === keyLower) return r.conditions[k]
    }
    const caller = this.#ctx.caller
    const key = r.key
    switch (keyLower) {
      case 'kms:calleraccount':
      case 'aws:principalaccount':
        return caller.account
      case 'kms:viaservice':
        return caller.viaService
      case 'aws:principalarn':
        return caller.policyPrincipal
      case 'aws:principaltype':
        return caller.identityType === 'Root' ? 'Account' : caller.identityType === 'IAMUser' ? 'User' : 'AssumedRole'
      case 'aws:principalisawsservice':
        return false
      case 'aws:username':
        return caller.identityType === 'IAMUser'
          ? caller.policyPrincipal.slice(caller.policyPrincipal.lastIndexOf('/') + 1)
          : undefined
      case 'aws:sourceip':
        // Calls an AWS service makes on the caller's behalf carry no source IP of the caller.
        return caller.viaService === undefined ? caller.sourceIp : undefined
      case 'aws:currenttime':
        return new Date(this.#ctx.now).toISOString()
      case 'aws:epochtime':
        return String(Math.floor(this.#ctx.now / 1000))
      case 'aws:requestedregion':
        return caller.region
      case 'aws:viaawsservice':
        return caller.viaService !== undefined
      case 'aws:resourceaccount':
        return key?.account
      case 'kms:requestalias':
        return r.requestAlias
      case 'kms:encryptioncontextkeys':
        return r.encryptionContext === undefined ? undefined : Object.keys(r.encryptionContext)
      case 'kms:keyspec':
      case 'kms:customermasterkeyspec':
        return key?.keySpec
      case 'kms:keyusage':
      case 'kms:customermasterkeyusage':
        return key?.keyUsage
      case 'kms:keyorigin':
        return key?.origin
      case 'kms:multiregion':
        return key === undefined ? undefined : key.multiRegion !== undefined
      case 'kms:multiregionkeytype':
        return key?.multiRegion === undefined
          ? undefined
          : key.multiRegion.primaryRegion === key.region
            ? 'PRIMARY'
            : 'REPLICA'
      case 'kms:resourcealiases': {
        if (key === undefined) return undefined
        const state = this.#ctx.core.store.peekRegion(key.account, key.region)
        return state === undefined ? [] : state.aliasesOf(key.keyId).map((a) => a.aliasName)
      }
      case 'kms:grantisforawsresource':
        return GRANT_IS_FOR_AWS_RESOURCE_ACTIONS.has(r.action) ? caller.viaService !== undefined : undefined
    }
    if (keyLower.startsWith('kms:encryptioncontext:')) {
      const ec = r.encryptionContext
      if (ec === undefined) return undefined
      // The context key in the condition key name is not case sensitive (policy-conditions.html#conditions-kms-encryption-context-case).
      const want = keyLower.slice('kms:encryptioncontext:'.length)
      for (const k in ec) if (lower(k) === want) return ec[k]
      return undefined
    }
    if (keyLower.startsWith('aws:resourcetag/') && key !== undefined) {
      const tag = keyLower.slice('aws:resourcetag/'.length)
      for (const [k, v] of key.tags) if (k.toLowerCase() === tag) return v
      return undefined
    }
    return undefined
  }
}
