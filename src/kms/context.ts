/**
 * What an operation handler receives: the caller, the time, the caller's account × Region
 * state, the core (store, scheduler, random pool), its own audit draft, and the
 * authorization hook.
 */
import type { AuditDraft } from './audit.ts'
import type { Caller } from './caller.ts'
import type { KmsCore } from './core.ts'
import type { KmsKey } from './key.ts'
import type { OperationInputs, OperationName, OperationOutputs } from './model.generated.ts'
import type { RegionState } from './store.ts'

/** Values of IAM condition keys for one request (e.g. `kms:EncryptionContext:tenant`). */
export type ConditionValues = Record<string, string | readonly string[] | boolean | undefined>

/** One authorization question: may the caller perform `action` on `key`? */
export interface AccessRequest {
  /** IAM action, e.g. `kms:Encrypt`. */
  readonly action: string
  /** The key acted on; undefined for key-less actions (CreateKey, GenerateRandom, ListKeys, ...). */
  readonly key?: KmsKey
  /** The request's encryption context (source of `kms:EncryptionContext:*` and `kms:EncryptionContextKeys`). */
  readonly encryptionContext?: Readonly<Record<string, string>>
  /** The alias the KeyId named, if any (`kms:RequestAlias`). */
  readonly requestAlias?: string
  /** Other request-specific condition values (`kms:EncryptionAlgorithm`, `kms:KeySpec` of a new key, ...). */
  readonly conditions?: ConditionValues
  /** Grant tokens sent with the request. */
  readonly grantTokens?: readonly string[]
}

/**
 * Decides access (key policy + IAM + grants). Throws `AccessDeniedException` to deny.
 * The core calls it once per key an operation touches.
 */
export interface Authorizer {
  authorize(ctx: OpContext, request: AccessRequest): void
  /**
   * The policy lockout safety check of CreateKey and PutKeyPolicy (skipped when the request
   * sets BypassPolicyLockoutSafetyCheck): throws MalformedPolicyDocumentException when the
   * caller could not call PutKeyPolicy on the key under `policy`
   * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key).
   */
  assertPolicyKeepsAccess?(ctx: OpContext, policy: string, key: KmsKey | undefined): void
}

/** The context of one operation call. */
export interface OpContext {
  readonly op: OperationName
  /** Epoch ms of this call, from the clock. */
  readonly now: number
  readonly caller: Caller
  /** The caller's own account × Region state. */
  readonly state: RegionState
  readonly core: KmsCore
  /** What this call contributes to its audit event. */
  readonly audit: AuditDraft
}

/** An operation handler: validates what the model cannot, resolves the key, checks state, authorizes, acts. */
export type Handler<Op extends OperationName> = (ctx: OpContext, input: OperationInputs[Op]) => OperationOutputs[Op]

/** The explicit table of implemented operations. */
export type OperationTable = { readonly [Op in OperationName]?: Handler<Op> }
