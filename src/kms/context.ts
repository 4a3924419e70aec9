/**
 * What an operation handler receives: the caller, the time, the caller's account × Region
 * state, the narrow {@link CoreServices} of the core (store, scheduler, random pool,
 * authorization), and its own audit draft. This file imports leaf modules only (never
 * `core.ts` or `operations/`).
 */
import type { Clock } from '../clock.ts'
import type { AuditDraft, AuditLog } from './audit.ts'
import type { Caller } from './caller.ts'
import type { CiphertextCodec } from './ciphertext.ts'
import type { EncryptionContextEncoder } from './encryption-context.ts'
import type { IdentityPolicyStore } from './identity-policies.ts'
import type { KeyIdCheck } from './ids.ts'
import type { KmsKey } from './key.ts'
import type { OperationInputs, OperationName, OperationOutputs } from './model.generated.ts'
import type { RandomPool } from './random-pool.ts'
import type { KmsScheduler } from './scheduler.ts'
import type { KmsStore, RegionState } from './store.ts'

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
  readonly core: CoreServices
  /** What this call contributes to its audit event. */
  readonly audit: AuditDraft
}

/**
 * How long KMS's asynchronous processes take, in ms of the clock's time. AWS documents them
 * as lasting "a few seconds" without a figure; at 0 each completes right after the call that
 * starts it (the call's own response still shows the transient state).
 */
export interface AsyncDelays {
  /** A new replica stays Creating this long (ReplicateKey). @default 0 */
  replicaCreationMs: number
  /** Old and new primary stay Updating this long (UpdatePrimaryRegion). @default 0 */
  primaryRegionUpdateMs: number
  /** An on-demand rotation shows OnDemandRotationStartDate this long before completing. @default 0 */
  onDemandRotationMs: number
  /**
   * A custom key store stays CONNECTING this long (ConnectCustomKeyStore; AWS: "up to 20
   * minutes", API_ConnectCustomKeyStore.html). @default 0
   */
  customKeyStoreConnectMs: number
}

/**
 * The narrow part of the core that handlers and the core's helpers (rotation, deletion,
 * multi-Region, snapshots) use; `KmsCore` implements it. Handlers never see the core itself,
 * and the core does not import its handlers: the emulator injects the operation table, so
 * there is no import cycle, type-only ones included.
 */
export interface CoreServices {
  /** Source of time; handlers normally use the call's `ctx.now`. */
  readonly clock: Clock
  /** Keys, aliases and grants per account × Region. */
  readonly store: KmsStore
  /** Deferred work in clock time (deletion, rotation, asynchronous state changes). */
  readonly scheduler: KmsScheduler
  /** Random bytes for ids and key material. */
  readonly random: RandomPool
  /** Seals, parses and opens symmetric ciphertexts (with this core's caches). */
  readonly ciphertexts: CiphertextCodec
  /** Encodes encryption contexts for the AAD (remembering the last few). */
  readonly contexts: EncryptionContextEncoder
  /** Tells well-formed key ids (remembering the last one). */
  readonly keyIds: KeyIdCheck
  /** The CloudTrail-shaped log (handlers add service events such as RotateKey). */
  readonly audit: AuditLog
  /** IAM identity policies by principal (read by the authorizer). */
  readonly identityPolicies: IdentityPolicyStore
  /** Durations of KMS's asynchronous processes. */
  readonly asyncDelays: AsyncDelays
  /** Keys whose automatic rotation fell due while they were not Enabled (see `rotation.ts`). */
  readonly rotationWatch: Set<KmsKey>
  /** How long a new grant takes to work without its grant token, in ms. */
  readonly grantPropagationDelayMs: number
  /** Asks the authorizer; throws AccessDeniedException to deny. */
  authorize(ctx: OpContext, request: AccessRequest): void
  /**
   * The policy lockout safety check (CreateKey, PutKeyPolicy, ReplicateKey): throws
   * MalformedPolicyDocumentException when the caller could not manage the key under `policy`.
   * A no-op when the authorizer has no such check (access control off).
   */
  assertPolicyKeepsAccess(ctx: OpContext, policy: string, key: KmsKey | undefined): void
  /** The AWS managed key behind `alias/aws/<service>`, created on first use as AWS does. */
  ensureAwsManagedKey(account: string, region: string, aliasName: string): KmsKey
}

/** An operation handler: validates what the model cannot, resolves the key, checks state, authorizes, acts. */
export type Handler<Op extends OperationName> = (ctx: OpContext, input: OperationInputs[Op]) => OperationOutputs[Op]

/** The explicit table of implemented operations. */
export type OperationTable = { readonly [Op in OperationName]?: Handler<Op> }
