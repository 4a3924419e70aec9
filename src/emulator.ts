/**
 * The emulator: the quota gate in front of the KMS core, with audit, for one call at a
 * time. Both the in-process API and the HTTP endpoint (`server/`) go through {@link Emulator.call}.
 */
import { SystemClock, type Clock } from './clock.ts'
import type { AuditEvent, AuditOptions } from './kms/audit.ts'
import type { CallerInput } from './kms/caller.ts'
import { KmsCore } from './kms/core.ts'
import { isKmsError, KmsError, ThrottlingException, THROTTLING_MESSAGE, UnknownOperationException } from './kms/errors.ts'
import type { OperationInputs, OperationName, OperationOutputs } from './kms/model.generated.ts'

/** Options of {@link createEmulator}. */
export interface EmulatorOptions {
  /** Source of time. @default new SystemClock() */
  clock?: Clock
  /**
   * Quota profile name (`'aws-default'`, `'none'`, ...) or a profile object.
   * @default 'aws-default'
   */
  profile?: string | object
  /** Per-pool quota overrides in requests/s, modelling a quota increase, e.g. `{ symmetric: 50_000 }`. */
  quotas?: Record<string, number>
  /** Account of callers that name none. @default '111122223333' */
  defaultAccount?: string
  /** Region of callers that name none. @default 'us-east-1' */
  defaultRegion?: string
  /** Audit log settings; `{ capacity: 0 }` keeps no events in memory. @default { capacity: 10000 } */
  audit?: AuditOptions
}

/** Outcome of {@link Emulator.tryCall}: never throws for a KMS error. */
export type CallResult<Op extends OperationName> =
  | { readonly ok: true; readonly output: OperationOutputs[Op] }
  | { readonly ok: false; readonly error: KmsError }

/** An embedded KMS: the core plus quotas. */
export interface Emulator {
  readonly clock: Clock
  /** The core (state, store, audit), for advanced use and for the HTTP server's persistence. */
  readonly core: KmsCore
  /**
   * Calls a KMS operation with the API's own shapes. Rejects with an error whose `name` is
   * the AWS error code and whose `message` is AWS's text.
   */
  call<Op extends OperationName>(operation: Op, input: OperationInputs[Op], caller?: CallerInput): Promise<OperationOutputs[Op]>
  /** Like {@link call}, synchronously: returns the output or throws. */
  callSync<Op extends OperationName>(operation: Op, input: OperationInputs[Op], caller?: CallerInput): OperationOutputs[Op]
  /**
   * Like {@link callSync}, but returns KMS errors as values (no throw), which the load engine
   * uses to run millions of calls per second. A throttled result shares one error instance.
   */
  tryCall<Op extends OperationName>(operation: Op, input: OperationInputs[Op], caller?: CallerInput): CallResult<Op>
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

/** The error every throttled {@link Emulator.tryCall} returns (shared: read it, do not change it). */
export const THROTTLED: KmsError = Object.freeze(new ThrottlingException(THROTTLING_MESSAGE)) as KmsError

/** Creates an embedded KMS emulator (see DESIGN.md, "Library API"). */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const clock = options.clock ?? new SystemClock()
  const core = new KmsCore({
    clock,
    defaultAccount: options.defaultAccount ?? '111122223333',
    defaultRegion: options.defaultRegion ?? 'us-east-1',
    ...(options.audit !== undefined ? { audit: options.audit } : {}),
  })

  function callSync<Op extends OperationName>(op: Op, input: OperationInputs[Op], callerInput?: CallerInput): OperationOutputs[Op] {
    const caller = core.caller(callerInput)
    if (!core.isOperation(op)) throw new UnknownOperationException(`Unknown operation ${String(op)}`)
    return core.invoke(op, input, caller)
  }

  function tryCall<Op extends OperationName>(op: Op, input: OperationInputs[Op], callerInput?: CallerInput): CallResult<Op> {
    try {
      return { ok: true, output: callSync(op, input, callerInput) }
    } catch (e) {
      if (isKmsError(e)) return { ok: false, error: e }
      throw e
    }
  }

  return {
    clock,
    core,
    call: (op, input, caller) => {
      try {
        return Promise.resolve(callSync(op, input, caller))
      } catch (e) {
        return Promise.reject(e)
      }
    },
    callSync,
    tryCall,
    putIdentityPolicy: (principalArn, policyName, documentJson) => core.identityPolicies.put(principalArn, policyName, documentJson),
    deleteIdentityPolicy: (principalArn, policyName) => core.identityPolicies.delete(principalArn, policyName),
    listIdentityPolicies: (principalArn) => core.identityPolicies.list(principalArn),
    auditEvents: () => core.audit.events(),
    reset: () => core.reset(),
  }
}
