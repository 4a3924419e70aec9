/**
 * The emulator: for every call, the quota gate, then the KMS core operation, then audit.
 * Both the in-process API and the HTTP endpoint (`server/`) go through {@link Emulator.call}
 * (or its synchronous forms).
 *
 * The gate decides before the operation validates or runs, as AWS's front door does: a
 * throttled call does no work, costs nothing, and is audited with errorCode
 * ThrottlingException and AWS's message (https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html).
 */
import { SystemClock, type Clock } from './clock.ts'
import { CALL_FAULTS, checkFault, FaultInjector, type FaultSpec } from './faults/index.ts'
import {
  type AuditEvent,
  type AuditOptions,
  type Caller,
  type CallerInput,
  type CustomKeyStoreType,
  DependencyTimeoutException,
  KeyUnavailableException,
  KMSInternalException,
  KmsCore,
  keyStoresOfCall,
  OPERATION_TABLE,
  isKmsError,
  type KmsError,
  ThrottlingException,
  THROTTLING_MESSAGE,
  UnknownOperationException,
  type OperationInputs,
  type OperationName,
  type OperationOutputs,
} from './kms/index.ts'
import {
  QuotaGate,
  resolveQuotaConfig,
  type QuotaOptions,
  type QuotaUsage,
  type ResolvedQuotaConfig,
} from './quota/index.ts'

/**
 * Options of {@link createEmulator}. Quota options (`profile`, `quotas`, `quotaMode`,
 * `quotaScale`, `usageRetentionSeconds`) are described in {@link QuotaOptions}; a bad
 * profile or override makes `createEmulator` throw `QuotaConfigError` naming every problem.
 */
export interface EmulatorOptions extends QuotaOptions {
  /** Source of time. @default new SystemClock() */
  clock?: Clock
  /** Account of callers that name none. @default '111122223333' */
  defaultAccount?: string
  /** Region of callers that name none. @default 'us-east-1' */
  defaultRegion?: string
  /** Audit log settings; `{ capacity: 0 }` keeps no events in memory. @default { capacity: 10000 } */
  audit?: AuditOptions
  /**
   * Access control (key policies + IAM + grants). `'off'` allows every request: only for
   * what-if studies, never to make a failing workload pass.
   * @default 'enforce'
   */
  accessControl?: 'enforce' | 'off'
  /**
   * How long a new grant takes to work for callers that do not send its grant token
   * (AWS: eventual consistency, https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#grant_token).
   * @default 3000 (see DEFAULT_GRANT_PROPAGATION_DELAY_MS in kms/core.ts)
   */
  grantPropagationDelayMs?: number
  /**
   * Faults to inject on the call path (`faults/`): server errors and ThrottlingException beyond
   * the quota are audited with their errorCode, as CloudTrail records them; added latency is
   * returned as `delayMs` for the caller (the endpoint, the load engine) to wait.
   * @default none
   */
  faults?: readonly FaultSpec[]
  /** Seed of the fault draws. @default 1 */
  faultSeed?: number
  /** Epoch ms fault windows count from (a function: read at each call). @default the clock's time at creation */
  faultEpochMs?: number | (() => number)
}

/** Outcome of {@link Emulator.tryCall}: never throws for a KMS error. */
export type CallResult<Op extends OperationName> =
  | { readonly ok: true; readonly output: OperationOutputs[Op]; readonly delayMs?: number }
  | { readonly ok: false; readonly error: KmsError; readonly delayMs?: number }

/** An embedded KMS: the core plus quotas. */
export interface Emulator {
  readonly clock: Clock
  /** The core (state, store, audit), for advanced use and for the HTTP server's persistence. */
  readonly core: KmsCore
  /** The validated quota configuration; `undefined` with profile `'none'` (no gate at all). */
  readonly quotaConfig: ResolvedQuotaConfig | undefined
  /** The fault injector, when faults were given (the HTTP layer asks it for resets and hangs). */
  readonly faults: FaultInjector | undefined
  /**
   * Calls a KMS operation with the API's own shapes. Rejects with an error whose `name` is
   * the AWS error code and whose `message` is AWS's text.
   */
  call<Op extends OperationName>(
    operation: Op,
    input: OperationInputs[Op],
    caller?: CallerInput,
  ): Promise<OperationOutputs[Op]>
  /** Like {@link call}, synchronously: returns the output or throws. */
  callSync<Op extends OperationName>(
    operation: Op,
    input: OperationInputs[Op],
    caller?: CallerInput,
  ): OperationOutputs[Op]
  /**
   * Like {@link callSync}, but returns KMS errors as values (no throw), which the load engine
   * uses to run millions of calls per second. Every throttled result is the same frozen
   * object, whose error is {@link THROTTLED}: no allocation, and no audit event is built
   * when audit is off.
   */
  tryCall<Op extends OperationName>(operation: Op, input: OperationInputs[Op], caller?: CallerInput): CallResult<Op>
  /**
   * The custom key stores a call on `input` contacts, one entry per round trip to an HSM
   * cluster or XKS proxy (kms `keyStoresOfCall`): what a latency model's `customKeyStore` term
   * adds. Side-effect free; empty when no custom key store exists.
   */
  keyStoresOf(operation: string, input: unknown, caller?: CallerInput): readonly CustomKeyStoreType[]
  /**
   * Quota usage so far, like CloudWatch's AWS/Usage metrics: per pool of each account ×
   * Region, accepted and throttled calls, peak per second, utilization, throttled seconds,
   * and the per-second series. Empty with profile `'none'`.
   */
  usage(): QuotaUsage
  /** The per-pool quota overrides in force (pool → requests/s). */
  quotaOverrides(): Record<string, number>
  /**
   * Replaces the quota overrides (a quota increase for one variant of a run against
   * `kms-bench serve`, then the old ones back). The quota meter starts afresh. Throws
   * `QuotaConfigError` for a bad override, changing nothing.
   */
  setQuotaOverrides(quotas: Record<string, number>): void
  /** The limit (requests/s, after overrides and scale) of a pool in a Region; `undefined` when it has none. */
  quotaLimit(pool: string, region?: string): number | undefined
  /** Attaches (or replaces) an IAM identity policy to a principal (user or role ARN). */
  putIdentityPolicy(principalArn: string, policyName: string, documentJson: string): void
  /** Detaches an identity policy; returns whether it existed. */
  deleteIdentityPolicy(principalArn: string, policyName: string): boolean
  /** Names of the identity policies attached to a principal. */
  listIdentityPolicies(principalArn: string): string[]
  /** CloudTrail-shaped events of the calls made so far, oldest first. */
  auditEvents(): AuditEvent[]
  /** Forgets all keys, aliases, policies, grants, audit events and quota usage. */
  reset(): void
}

const NO_KEY_STORES: readonly CustomKeyStoreType[] = Object.freeze([])

/** The error every throttled {@link Emulator.tryCall} returns (shared: read it, do not change it). */
export const THROTTLED: KmsError = Object.freeze(new ThrottlingException(THROTTLING_MESSAGE)) as KmsError

const THROTTLED_RESULT: { readonly ok: false; readonly error: KmsError } = Object.freeze({
  ok: false as const,
  error: THROTTLED,
})

/** Creates an embedded KMS emulator (see DESIGN.md, "Library API"). Throws `QuotaConfigError` for a bad quota configuration. */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const clock = options.clock ?? new SystemClock()
  let quotaConfig = resolveQuotaConfig(options)
  let overrides: Record<string, number> = { ...(options.quotas ?? {}) }
  const core = new KmsCore({
    clock,
    operations: OPERATION_TABLE,
    defaultAccount: options.defaultAccount ?? '111122223333',
    defaultRegion: options.defaultRegion ?? 'us-east-1',
    ...(options.audit !== undefined ? { audit: options.audit } : {}),
    ...(options.accessControl !== undefined ? { accessControl: options.accessControl } : {}),
    ...(options.grantPropagationDelayMs !== undefined
      ? { grantPropagationDelayMs: options.grantPropagationDelayMs }
      : {}),
  })
  let gate = quotaConfig !== undefined ? new QuotaGate<Caller>(quotaConfig, clock) : undefined
  const faults =
    options.faults !== undefined && options.faults.length > 0
      ? new FaultInjector(
          options.faults.map((f, i) => checkFault(f, `faults[${i}]`)),
          { seed: options.faultSeed ?? 1, epochMs: options.faultEpochMs ?? clock.now() },
        )
      : undefined

  let keyStoresAt = -1
  let anyKeyStores = false

  function tryCall<Op extends OperationName>(
    op: Op,
    input: OperationInputs[Op],
    callerInput?: CallerInput,
  ): CallResult<Op> {
    try {
      const caller = core.caller(callerInput)
      if (!core.isOperation(op)) throw new UnknownOperationException(`Unknown operation ${String(op)}`)
      const hit = faults?.pick(op, clock.now(), CALL_FAULTS)
      // An injected throttle is a front-door brown-out: it comes before, and uses none of, the quota.
      if (hit?.kind === 'ThrottlingException' || (gate !== undefined && !gate.admit(op, input, caller, core))) {
        if (core.audit.enabled) core.auditRejected(op, input, caller, THROTTLED)
        return THROTTLED_RESULT
      }
      if (hit !== undefined && hit.kind !== 'latency') {
        // Admitted, then failed inside KMS: the call counted against the quota, as a 5xx from AWS does.
        const error = serverFault(hit.kind)
        core.auditRejected(op, input, caller, error)
        return { ok: false, error }
      }
      const output = core.invoke(op, input, caller)
      return hit === undefined ? { ok: true, output } : { ok: true, output, delayMs: hit.delayMs }
    } catch (e) {
      if (isKmsError(e)) return { ok: false, error: e }
      throw e
    }
  }

  function callSync<Op extends OperationName>(
    op: Op,
    input: OperationInputs[Op],
    callerInput?: CallerInput,
  ): OperationOutputs[Op] {
    const r = tryCall(op, input, callerInput)
    if (r.ok) return r.output
    // The shared THROTTLED error is never thrown: a caller may keep or change what it catches.
    throw r.error === THROTTLED ? new ThrottlingException(THROTTLING_MESSAGE) : r.error
  }

  return {
    clock,
    core,
    faults,
    get quotaConfig() {
      return quotaConfig
    },
    quotaOverrides: () => ({ ...overrides }),
    setQuotaOverrides: (quotas) => {
      // Validated first (QuotaConfigError names the problem): a bad override changes nothing.
      const next = resolveQuotaConfig({ ...options, quotas })
      quotaConfig = next
      overrides = { ...quotas }
      gate = next !== undefined ? new QuotaGate<Caller>(next, clock) : undefined
    },
    call: (op, input, caller) => {
      try {
        return Promise.resolve(callSync(op, input, caller))
      } catch (e) {
        return Promise.reject(e)
      }
    },
    callSync,
    tryCall,
    keyStoresOf: (op, input, callerInput) => {
      // Most runs have no custom key store: decided once per state version, not per call.
      const v = core.stateVersion
      if (v !== keyStoresAt) {
        keyStoresAt = v
        anyKeyStores = core.store.hasCustomKeyStores()
      }
      if (!anyKeyStores) return NO_KEY_STORES
      try {
        return keyStoresOfCall(core, op, input, core.caller(callerInput))
      } catch {
        return [] // a malformed caller: the call itself answers the error
      }
    },
    usage: () => gate?.usage() ?? { pools: [], seconds: [] },
    quotaLimit: (pool, region) => quotaConfig?.limit(region ?? core.defaultRegion, pool),
    putIdentityPolicy: (principalArn, policyName, documentJson) =>
      core.identityPolicies.put(principalArn, policyName, documentJson),
    deleteIdentityPolicy: (principalArn, policyName) => core.identityPolicies.delete(principalArn, policyName),
    listIdentityPolicies: (principalArn) => core.identityPolicies.list(principalArn),
    auditEvents: () => core.audit.events(),
    reset: () => {
      core.reset()
      gate?.reset()
    },
  }
}

/** The error of an injected server fault, with AWS's text (https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html and the operations' Errors sections). */
function serverFault(kind: string): KmsError {
  if (kind === 'DependencyTimeoutException')
    return new DependencyTimeoutException(
      'The system timed out while trying to fulfill the request. You can retry the request.',
    )
  if (kind === 'KeyUnavailableException')
    return new KeyUnavailableException(
      'The request was rejected because the specified KMS key was not available. You can retry the request.',
    )
  return new KMSInternalException(
    'The request was rejected because an internal exception occurred. The request can be retried.',
  )
}
