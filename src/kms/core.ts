/**
 * The embedded KMS core: state, key material, operations and audit, without HTTP and
 * without quotas. `emulator.ts` puts the quota gate in front of it.
 *
 * Every call is synchronous (node:crypto's primitives are), which lets the load engine
 * drive millions of calls per second in virtual time; `emulator.call()` wraps it in a
 * Promise for the public API.
 */
import type { Clock } from '../clock.ts'
import { PolicyAuthorizer } from './access/authorizer.ts'
import { AuditLog, CallDraft, isReadOnlyOperation, type AuditDraft, type AuditOptions } from './audit.ts'
import { createAwsOwnedKey } from './aws-owned-keys.ts'
import { regionProblem, resolveCaller, type Caller, type CallerInput } from './caller.ts'
import { CiphertextCodec } from './ciphertext.ts'
import type {
  AccessRequest,
  Authorizer,
  AsyncDelays,
  CoreServices,
  Handler,
  OpContext,
  OperationTable,
} from './context.ts'
import { DAY_MS } from './deletion.ts'
import { EncryptionContextEncoder } from './encryption-context.ts'
import {
  KMSInternalException,
  KmsError,
  UnknownOperationException,
  UnsupportedOperationException,
  ValidationException,
} from './errors.ts'
import { isAccountId, KeyIdCheck } from './ids.ts'
import { IdentityPolicyStore } from './identity-policies.ts'
import { newKeyRecord } from './key-factory.ts'
import type { KmsKey } from './key.ts'
import {
  OPERATIONS,
  SHAPES,
  type OperationInputs,
  type OperationName,
  type OperationOutputs,
} from './model.generated.ts'
import { RandomPool } from './random-pool.ts'
import { AWS_MANAGED_ROTATION_PERIOD_DAYS, resumeOverdueRotations, scheduleAutomaticRotation } from './rotation.ts'
import { ChangeTracker } from './changes.ts'
import { KmsScheduler, type ScheduledTask } from './scheduler.ts'
import { KmsStore, type RegionState } from './store.ts'
import { inputValidator, isChinaRegion, type InputValidator } from './validate.ts'

/** Options of {@link KmsCore}. */
export interface KmsCoreOptions {
  clock: Clock
  /**
   * The operation handlers (the emulator passes `OPERATION_TABLE` of `operations/index.ts`);
   * operations of the model missing here answer UnsupportedOperationException.
   */
  operations: OperationTable
  /** Account of callers that name none. */
  defaultAccount: string
  /** Region of callers that name none. */
  defaultRegion: string
  /** Audit log settings. @default { capacity: 10000 } */
  audit?: AuditOptions
  /**
   * Access decisions (key policy + IAM + grants). Overrides {@link KmsCoreOptions.accessControl}.
   * @default a PolicyAuthorizer (or allowAll when accessControl is 'off')
   */
  authorizer?: Authorizer
  /**
   * `'enforce'` evaluates key policies, IAM identity policies and grants exactly as AWS
   * documents (src/kms/access). `'off'` allows every request and skips the lockout safety
   * check: only for explicit what-if studies ("what would this workload cost if access were
   * not the bottleneck"), never to paper over a missing policy, since real KMS would deny.
   * @default 'enforce'
   */
  accessControl?: 'enforce' | 'off'
  /**
   * How long a new grant takes to work without its grant token, in ms of the clock's time
   * (eventual consistency). AWS: "typically takes less than a few seconds ... in some cases
   * it can take several minutes" (using-grant-token.html), "usually less than five minutes"
   * (API_CreateGrant.html). Set 300000 to study the worst documented case, 0 for none.
   * @default 3000
   */
  grantPropagationDelayMs?: number
}

/** Default of {@link KmsCoreOptions.grantPropagationDelayMs}: "less than a few seconds" (using-grant-token.html). */
export const DEFAULT_GRANT_PROPAGATION_DELAY_MS = 3000

/** Allows everything (KmsCoreOptions.accessControl 'off'): for what-if studies only. */
export const allowAll: Authorizer = { authorize: () => {} }

const KNOWN_OPERATIONS = new Set<string>(Object.keys(OPERATIONS))

/** Calls CloudTrail marks read-only that still change kms-bench's state (a wrapping key is kept). */
const CHANGES_STATE_THOUGH_READ_ONLY: ReadonlySet<string> = new Set(['GetParametersForImport'])

/** The KMS emulator core. */
export class KmsCore implements CoreServices {
  readonly clock: Clock
  readonly store = new KmsStore(new ChangeTracker())
  readonly scheduler = new CountingScheduler()
  readonly random = new RandomPool()
  readonly ciphertexts = new CiphertextCodec()
  readonly contexts = new EncryptionContextEncoder()
  readonly keyIds = new KeyIdCheck()
  readonly audit: AuditLog
  /** IAM identity policies by principal. */
  readonly identityPolicies = new IdentityPolicyStore()
  readonly defaultAccount: string
  readonly defaultRegion: string
  /** Durations of KMS's asynchronous processes; change them to observe transient states. */
  readonly asyncDelays: AsyncDelays = {
    replicaCreationMs: 0,
    primaryRegionUpdateMs: 0,
    onDemandRotationMs: 0,
    customKeyStoreConnectMs: 0,
  }
  /** Keys whose automatic rotation fell due while they were not Enabled (see `rotation.ts`). */
  readonly rotationWatch = new Set<KmsKey>()
  authorizer: Authorizer
  /** See {@link KmsCoreOptions.grantPropagationDelayMs}. */
  readonly grantPropagationDelayMs: number
  readonly #operations: OperationTable
  readonly #callers = new WeakMap<CallerInput, Caller>()
  /** The caller of calls that name none (resolved once: it depends only on the defaults). */
  #defaultCaller: Caller | undefined
  /** The caller's own account × Region state, for {@link peekKey} on the quota gate's hot path. */
  #peekStates = new WeakMap<Caller, RegionState>()
  #changes = 0
  /** Per operation, what {@link invoke} needs to know of it: one lookup per call instead of six. */
  readonly #plans = new Map<string, OperationPlan>()
  /** The plan of the last call (most calls repeat the operation of the last: a string compare instead of a lookup). */
  #lastPlan: OperationPlan | undefined

  /**
   * Moves whenever the state may have changed: a successful state-changing call, an AWS
   * managed key created on first use, scheduled work run (deletion, rotation), identity
   * policies changed, a reset. The HTTP server persists the state when it moves.
   */
  get stateVersion(): number {
    return this.#changes + this.scheduler.ran + this.identityPolicies.version
  }

  constructor(options: KmsCoreOptions) {
    this.clock = options.clock
    this.#operations = options.operations
    this.defaultAccount = options.defaultAccount
    this.defaultRegion = options.defaultRegion
    this.audit = new AuditLog(options.audit)
    if (options.accessControl !== undefined && options.accessControl !== 'enforce' && options.accessControl !== 'off') {
      throw new RangeError(`accessControl must be 'enforce' or 'off', got ${JSON.stringify(options.accessControl)}`)
    }
    if (!isAccountId(options.defaultAccount))
      throw new RangeError(
        `defaultAccount must be a 12-digit AWS account id, got ${JSON.stringify(options.defaultAccount)}`,
      )
    const badRegion = regionProblem(options.defaultRegion)
    if (badRegion !== undefined) throw new RangeError(`defaultRegion ${badRegion}`)
    this.authorizer = options.authorizer ?? (options.accessControl === 'off' ? allowAll : new PolicyAuthorizer())
    const delay = options.grantPropagationDelayMs ?? DEFAULT_GRANT_PROPAGATION_DELAY_MS
    if (!Number.isFinite(delay) || delay < 0)
      throw new RangeError(`grantPropagationDelayMs must be a non-negative number of ms, got ${delay}`)
    this.grantPropagationDelayMs = delay
  }

  /**
   * Resolves (and caches per object) a caller description; `undefined` or `null` is the
   * default account's root user in the default Region. Throws ValidationException when malformed.
   */
  caller(input: CallerInput | undefined | null): Caller {
    if (input === undefined || input === null)
      return (this.#defaultCaller ??= resolveCaller(undefined, this.defaultAccount, this.defaultRegion))
    if (typeof input !== 'object' || Array.isArray(input)) {
      throw new ValidationException(
        `caller must be an object such as { account, region, principal }, got ${JSON.stringify(input) ?? String(input)}`,
      )
    }
    let c = this.#callers.get(input)
    if (c === undefined) {
      c = resolveCaller(input, this.defaultAccount, this.defaultRegion)
      this.#callers.set(input, c)
    }
    return c
  }

  /** True when `op` names a KMS operation. */
  isOperation(op: string): op is OperationName {
    return op === this.#lastPlan?.op || KNOWN_OPERATIONS.has(op)
  }

  /**
   * Runs one KMS operation synchronously and audits it. Throws a {@link KmsError} (with
   * AWS's error name and message) on failure; never a TypeError for bad input.
   */
  invoke<Op extends OperationName>(op: Op, input: OperationInputs[Op], caller: Caller): OperationOutputs[Op] {
    const now = this.clock.now()
    this.scheduler.runDue(now)
    const draft: AuditDraft = new CallDraft()
    const ctx: OpContext = {
      op,
      now,
      caller,
      state: this.store.region(caller.account, caller.region),
      core: this,
      audit: draft,
    }
    const plan = op === this.#lastPlan?.op ? this.#lastPlan : (this.#plans.get(op) ?? this.#planOf(op))
    if (plan.known) this.#lastPlan = plan
    // While a state-changing call runs, every record it looks up counts as changed (changes.ts).
    const changes = this.store.changes
    const recording = changes.enabled && plan.changesState
    if (recording) changes.recording = true
    try {
      if (!plan.known) throw new UnknownOperationException(`Unknown operation ${String(op)}`)
      const handler = plan.handler as Handler<Op> | undefined
      if (handler === undefined) throw new UnsupportedOperationException(`kms-bench does not implement ${op}`)
      plan.validator(caller.region)(input)
      const out = handler(ctx, input)
      if (plan.changesState) this.#changes++
      if (this.audit.enabled) this.audit.recordCall(op, input, caller, now, draft)
      if (plan.tracksLastUsage) recordLastUsage(draft, op, now)
      // A key re-enabled past its rotation date rotates immediately (rotation.ts).
      if (this.rotationWatch.size > 0) {
        const watched = this.rotationWatch.size
        resumeOverdueRotations(this, now)
        if (this.rotationWatch.size !== watched) this.#changes++
      }
      return out
    } catch (e) {
      const err = asKmsError(e)
      if (this.audit.enabled) this.audit.recordCall(op, input, caller, now, draft, err)
      throw err
    } finally {
      if (recording) changes.recording = false
    }
  }

  /** The plan of `op`, made on its first call (kept for the model's operations only: any other name gets a fresh one). */
  #planOf(op: string): OperationPlan {
    const known = KNOWN_OPERATIONS.has(op)
    const name = op as OperationName
    let commercial: InputValidator | undefined
    let china: InputValidator | undefined
    const plan: OperationPlan = {
      op,
      known,
      handler: known ? (this.#operations[name] as Handler<OperationName> | undefined) : undefined,
      changesState: !isReadOnlyOperation(op) || CHANGES_STATE_THOUGH_READ_ONLY.has(op),
      tracksLastUsage: LAST_USAGE_TRACKED.has(op),
      validator: (region) =>
        isChinaRegion(region) ? (china ??= inputValidator(name, true)) : (commercial ??= inputValidator(name, false)),
    }
    if (known) this.#plans.set(op, plan)
    return plan
  }

  /** Records the audit event of a call rejected before it reached the core (e.g. throttled). */
  auditRejected(op: string, input: unknown, caller: Caller, error: { name: string; message: string }): void {
    if (this.audit.enabled) this.audit.recordCall(op, input, caller, this.clock.now(), undefined, error)
  }

  /** Asks the authorizer; throws AccessDeniedException to deny. */
  authorize(ctx: OpContext, request: AccessRequest): void {
    this.authorizer.authorize(ctx, request)
  }

  /** The authorizer's policy lockout safety check, when it has one (none with access control off). */
  assertPolicyKeepsAccess(ctx: OpContext, policy: string, key: KmsKey | undefined): void {
    this.authorizer.assertPolicyKeepsAccess?.(ctx, policy, key)
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
    const state = account === caller.account ? this.#ownState(caller) : this.store.peekRegion(account, caller.region)
    if (state === undefined) return undefined
    if (id.startsWith('alias/')) {
      const alias = state.aliases.get(id)
      return alias === undefined ? undefined : state.keys.get(alias.targetKeyId)
    }
    return state.keys.get(id)
  }

  /** The caller's own state, cached per resolved caller (states live until `reset()`). */
  #ownState(caller: Caller): RegionState | undefined {
    let state = this.#peekStates.get(caller)
    if (state === undefined) {
      state = this.store.peekRegion(caller.account, caller.region)
      if (state !== undefined) this.#peekStates.set(caller, state)
    }
    return state
  }

  /**
   * The key a symmetric ciphertext names in the caller's Region, without side effects (no
   * audit, no errors): the quota gate uses it to pick a Decrypt's pool before the call runs.
   */
  peekCiphertextKey(blob: unknown, caller: Caller): KmsKey | undefined {
    if (!(blob instanceof Uint8Array)) return undefined
    const header = this.ciphertexts.parse(blob)
    return header === undefined
      ? undefined
      : this.store.peekRegion(header.account, caller.region)?.keys.get(header.keyId)
  }

  /** Creates an AWS owned key that `service` uses in `region` (see `aws-owned-keys.ts`). */
  createAwsOwnedKey(service: string, region: string): KmsKey {
    this.#changes++
    return createAwsOwnedKey(this, service, region)
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
    key.rotation.periodDays = AWS_MANAGED_ROTATION_PERIOD_DAYS
    key.rotation.nextRotationAt = now + AWS_MANAGED_ROTATION_PERIOD_DAYS * DAY_MS
    state.keys.set(key.keyId, key)
    state.aliases.set(aliasName, { aliasName, targetKeyId: key.keyId, createdAt: now, updatedAt: now })
    this.#changes++
    scheduleAutomaticRotation(this, key)
    return key
  }

  /** Forgets every key, alias, identity policy, scheduled task and audit event. */
  reset(): void {
    this.store.clear()
    this.#peekStates = new WeakMap()
    this.scheduler.clear()
    this.identityPolicies.clear()
    this.audit.clear()
    this.rotationWatch.clear()
    this.#changes++
  }
}

/** What {@link KmsCore.invoke} needs to know of one operation. */
interface OperationPlan {
  readonly op: string
  /** A model operation. */
  readonly known: boolean
  readonly handler: Handler<OperationName> | undefined
  /** Not read-only in CloudTrail, or read-only but changing kms-bench's state (GetParametersForImport). */
  readonly changesState: boolean
  /** GetKeyLastUsage reports it. */
  readonly tracksLastUsage: boolean
  /** The input validator for a caller's Region (commercial or China partition). */
  readonly validator: (region: string) => InputValidator
}

/** The core's scheduler, counting the tasks it has run: each one changes state (see `stateVersion`). */
class CountingScheduler extends KmsScheduler {
  ran = 0

  override schedule(at: number, run: (at: number) => void): ScheduledTask {
    return super.schedule(at, (t) => {
      this.ran++
      run(t)
    })
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
        Action: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:CreateGrant',
          'kms:DescribeKey',
        ],
        Resource: '*',
        // EBS calls KMS through the EC2 endpoint: the aws/ebs policy names ec2.<region> (policy-conditions.html#conditions-kms-via-service).
        Condition: {
          StringEquals: {
            'kms:CallerAccount': account,
            'kms:ViaService': `${service === 'ebs' ? 'ec2' : service}.${region}.amazonaws.com`,
          },
        },
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

/**
 * The operations GetKeyLastUsage reports (KeyLastUsageTrackingOperation in the installed SDK
 * 3.1164.0, read from the generated model): successful cryptographic calls, on every key the
 * call used (ReEncrypt: both). Encapsulate/Decapsulate are listed but never succeed here.
 */
const LAST_USAGE_TRACKED: ReadonlySet<string> = new Set(SHAPES['KeyLastUsageTrackingOperation']?.enum ?? [])

/** Notes the use on every key the call used; no allocation after a key's first use (hot path). */
function recordLastUsage(draft: AuditDraft, op: string, at: number): void {
  for (const key of draft.resources) {
    const use = key.lastUsage
    if (use === undefined) key.lastUsage = { operation: op, at }
    else {
      use.operation = op
      use.at = at
    }
  }
}

function asKmsError(e: unknown): KmsError {
  if (e instanceof KmsError) return e
  const err = new KMSInternalException(`internal error: ${e instanceof Error ? e.message : String(e)}`)
  ;(err as { cause?: unknown }).cause = e
  return err
}
