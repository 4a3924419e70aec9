/**
 * The embedded KMS core: state, key material, operations and audit, without HTTP and
 * without quotas. `emulator.ts` puts the quota gate in front of it.
 *
 * Every call is synchronous (node:crypto's primitives are), which lets the load engine
 * drive millions of calls per second in virtual time; `emulator.call()` wraps it in a
 * Promise for the public API.
 */
import type { Clock } from '../clock.ts'
import { AuditLog, buildAuditEvent, type AuditDraft, type AuditOptions } from './audit.ts'
import { resolveCaller, type Caller, type CallerInput } from './caller.ts'
import type { AccessRequest, Authorizer, OpContext } from './context.ts'
import { KMSInternalException, KmsError, UnknownOperationException, UnsupportedOperationException } from './errors.ts'
import { IdentityPolicyStore } from './identity-policies.ts'
import { newKeyRecord } from './key-factory.ts'
import type { KmsKey } from './key.ts'
import { OPERATIONS, type OperationInputs, type OperationName, type OperationOutputs } from './model.generated.ts'
import { OPERATION_TABLE } from './operations/index.ts'
import { RandomPool } from './random-pool.ts'
import { KmsScheduler } from './scheduler.ts'
import { KmsStore } from './store.ts'
import { validateInput } from './validate.ts'

/** Options of {@link KmsCore}. */
export interface KmsCoreOptions {
  clock: Clock
  /** Account of callers that name none. */
  defaultAccount: string
  /** Region of callers that name none. */
  defaultRegion: string
  /** Audit log settings. @default { capacity: 10000 } */
  audit?: AuditOptions
  /** Access decisions (key policy + IAM + grants). @default allows every request */
  authorizer?: Authorizer
}

/** Allows everything: used until an access-control evaluator is configured. */
export const allowAll: Authorizer = { authorize: () => {} }

const KNOWN_OPERATIONS = new Set<string>(Object.keys(OPERATIONS))

/** The KMS emulator core. */
export class KmsCore {
  readonly clock: Clock
  readonly store = new KmsStore()
  readonly scheduler = new KmsScheduler()
  readonly random = new RandomPool()
  readonly audit: AuditLog
  /** IAM identity policies by principal. */
  readonly identityPolicies = new IdentityPolicyStore()
  readonly defaultAccount: string
  readonly defaultRegion: string
  authorizer: Authorizer
  readonly #callers = new WeakMap<CallerInput, Caller>()

  constructor(options: KmsCoreOptions) {
    this.clock = options.clock
    this.defaultAccount = options.defaultAccount
    this.defaultRegion = options.defaultRegion
    this.audit = new AuditLog(options.audit)
    this.authorizer = options.authorizer ?? allowAll
  }

  /** Resolves (and caches per object) a caller description. Throws ValidationException when malformed. */
  caller(input: CallerInput | undefined): Caller {
    if (input === undefined) return resolveCaller(undefined, this.defaultAccount, this.defaultRegion)
    let c = this.#callers.get(input)
    if (c === undefined) {
      c = resolveCaller(input, this.defaultAccount, this.defaultRegion)
      this.#callers.set(input, c)
    }
    return c
  }

  /** True when `op` names a KMS operation. */
  isOperation(op: string): op is OperationName {
    return KNOWN_OPERATIONS.has(op)
  }

  /**
   * Runs one KMS operation synchronously and audits it. Throws a {@link KmsError} (with
   * AWS's error name and message) on failure; never a TypeError for bad input.
   */
  invoke<Op extends OperationName>(op: Op, input: OperationInputs[Op], caller: Caller): OperationOutputs[Op] {
    const now = this.clock.now()
    this.scheduler.runDue(now)
    const draft: AuditDraft = { resources: [] }
    const ctx: OpContext = { op, now, caller, state: this.store.region(caller.account, caller.region), core: this, audit: draft }
    try {
      if (!KNOWN_OPERATIONS.has(op)) throw new UnknownOperationException(`Unknown operation ${String(op)}`)
      const handler = OPERATION_TABLE[op]
      if (handler === undefined) throw new UnsupportedOperationException(`kms-bench does not implement ${op}`)
      validateInput(op, input)
      const out = handler(ctx, input)
      if (this.audit.enabled) this.audit.record(buildAuditEvent({ op, input, caller, now, draft }))
      return out
    } catch (e) {
      const err = asKmsError(e)
      if (this.audit.enabled) this.audit.record(buildAuditEvent({ op, input, caller, now, draft, error: err }))
      throw err
    }
  }

  /** Records the audit event of a call rejected before it reached the core (e.g. throttled). */
  auditRejected(op: string, input: unknown, caller: Caller, error: { name: string; message: string }): void {
    if (this.audit.enabled) this.audit.record(buildAuditEvent({ op, input, caller, now: this.clock.now(), error }))
  }

  /** Asks the authorizer; throws AccessDeniedException to deny. */
  authorize(ctx: OpContext, request: AccessRequest): void {
    this.authorizer.authorize(ctx, request)
  }

  /**
   * Looks up the key a KeyId names without side effects (no audit, no AWS managed key
   * creation, no errors): the quota gate uses it to pick the key's quota pool.
   */
  peekKey(keyIdParam: unknown, caller: Caller): KmsKey | undefined {
    if (typeof keyIdParam !== 'string') return undefined
    let account = caller.account
    let id = keyIdParam
    if (id.startsWith('arn:')) {
      const parts = id.split(':')
      if (parts[3] !== caller.region || parts[4] === undefined) return undefined
      account = parts[4]
      id = parts.slice(5).join(':')
      if (id.startsWith('key/')) id = id.slice(4)
    }
    const state = this.store.peekRegion(account, caller.region)
    if (state === undefined) return undefined
    if (id.startsWith('alias/')) {
      const alias = state.aliases.get(id)
      return alias === undefined ? undefined : state.keys.get(alias.targetKeyId)
    }
    return state.keys.get(id)
  }

  /**
   * The AWS managed key behind `alias/aws/<service>` in an account and Region, created on
   * first use as AWS does (KeyManager AWS, yearly rotation, fixed policy).
   */
  ensureAwsManagedKey(account: string, region: string, aliasName: string): KmsKey {
    const state = this.store.region(account, region)
    const existing = state.aliases.get(aliasName)
    if (existing !== undefined) {
      const key = state.keys.get(existing.targetKeyId)
      if (key !== undefined) return key
    }
    const now = this.clock.now()
    const service = aliasName.slice('alias/aws/'.length)
    const key = newKeyRecord(
      {
        account,
        region,
        now,
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
        keyManager: 'AWS',
        description: `Default key that protects my ${service} resources when no other key is defined`,
        policy: awsManagedKeyPolicy(account, region, service),
      },
      this.random,
    )
    // AWS managed keys rotate every year (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
    key.rotation.enabled = true
    key.rotation.periodDays = 365
    key.rotation.nextRotationAt = now + 365 * 86_400_000
    state.keys.set(key.keyId, key)
    state.aliases.set(aliasName, { aliasName, targetKeyId: key.keyId, createdAt: now, updatedAt: now })
    return key
  }

  /** Forgets every key, alias, identity policy, scheduled task and audit event. */
  reset(): void {
    this.store.clear()
    this.scheduler.clear()
    this.identityPolicies.clear()
    this.audit.clear()
  }
}

/**
 * The policy of an AWS managed key: use only through the owning service (`kms:ViaService`)
 * by principals of the account, and read-only access for the account
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
function awsManagedKeyPolicy(account: string, region: string, service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: `auto-${service}`,
    Statement: [
      {
        Sid: `Allow access through ${service} for all principals in the account that are authorized to use ${service}`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `${service}.${region}.amazonaws.com` } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
        Resource: '*',
      },
    ],
  })
}

function asKmsError(e: unknown): KmsError {
  if (e instanceof KmsError) return e
  const err = new KMSInternalException(`internal error: ${e instanceof Error ? e.message : String(e)}`)
  ;(err as { cause?: unknown }).cause = e
  return err
}
