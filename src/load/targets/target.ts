/**
 * Targets: where a run's KMS calls go. `embedded` is the in-process emulator (synchronous
 * calls, virtual or real clock, a fresh emulator per variant); an endpoint URL (kms-bench
 * serve, moto's server, LocalStack) and `aws` go through `@aws-sdk/client-kms`
 * (`endpoint.ts`, `aws.ts`); `embedded.ts` is the in-process one. A {@link TargetSession} is one
 * variant's view of the target.
 */
import type { Clock } from '../../clock.ts'
import type { Emulator } from '../../emulator.ts'
import type { QuotaProfileInput, QuotaUsage } from '../../quota/index.ts'
import type { AsyncKms } from '../engine/index.ts'
import type { VariantRecorder } from '../results/index.ts'
import type { ClientRetryConfig, SetupKms, TargetKind } from '../scenario/index.ts'
import type { FaultSpec } from '../../faults/index.ts'

/** What a variant's session needs to know. */
export interface SessionOptions {
  clock: Clock
  /** quota profile: a name or a profile object (embedded) */
  profile: string | QuotaProfileInput
  /**
   * quota overrides, requests/s before scaling. Embedded: the emulator's. Endpoints: applied
   * to `kms-bench serve` through `PUT /kms-bench/quotas` for the session and restored after;
   * any other endpoint refuses the session (SetupError naming the variant).
   */
  quotas: Record<string, number>
  /** the variant the session runs (named when its quotas cannot be applied) */
  variant?: string
  /** multiplies every quota (embedded: `--scale` × 1/shards) */
  quotaScale: number
  region: string
  defaultAccount: string
  /** the run's length (the embedded meter keeps every second of it) */
  durationSeconds: number
  recorder: VariantRecorder
  /** client retries of endpoint SDK clients (none: one attempt) */
  clientRetry: ClientRetryConfig | undefined
  /** the run's second 0, in epoch ms (read lazily: it is set when the run starts) */
  startMs(): number
  /** faults to inject (embedded: on the emulator's call path; windows from the run's start) */
  faults?: readonly FaultSpec[]
  /** seed of the fault draws */
  faultSeed?: number
  /** the run's stop signal (SIGINT, SIGTERM): calls after it wait a short time only */
  stop?: AbortSignal
}

/** One variant's connection to the target. */
export interface TargetSession {
  readonly kind: TargetKind
  /** the variant's emulator (embedded only): calls are synchronous */
  readonly emulator?: Emulator
  /** asynchronous calls (endpoints) */
  readonly asyncKms?: AsyncKms
  /** calls before the run (quota-free on the embedded target) */
  readonly setup: SetupKms
  /** ARNs of keys the session created (billing; `aws` schedules their deletion) */
  readonly createdKeys: string[]
  /**
   * Gives the scenario's principals the IAM identity policy an application role has
   * (`kms:*` on every key), where the target models IAM (embedded). Endpoints authorize on
   * their own terms.
   */
  grantPrincipals?(principals: readonly string[]): void
  /** called right before the first arrival (after setup): endpoints read the meter's baseline */
  beginRun?(): Promise<void>
  /**
   * quota usage of the variant's run, when the target can tell. `unresponsive`: the run just
   * ended with requests the target never answered, so an endpoint's meter is given a short
   * wait only (STOPPED_RESPONSE_TIMEOUT_MS), as after a stop signal.
   */
  usage(options?: { unresponsive?: boolean }): Promise<QuotaUsage | undefined>
  /** releases clients; on `aws`, schedules deletion of the created keys */
  close(): Promise<void>
}

/** A target of runs. */
export interface Target {
  readonly kind: TargetKind
  /** `embedded`, the endpoint URL, or `aws` (as reports show it) */
  readonly name: string
  session(options: SessionOptions): Promise<TargetSession>
  /**
   * Refuses, before any variant runs, a run whose variants change quotas that this target cannot
   * apply (SetupError naming the first such variant), so that no variant's results are spent
   * on a run that would stop half-way. Targets that can apply every override leave it out.
   */
  checkQuotaOverrides?(check: QuotaOverrideCheck): Promise<void>
  close(): Promise<void>
}

/** What {@link Target.checkQuotaOverrides} checks: each variant's quota overrides, and how to ask. */
export interface QuotaOverrideCheck {
  variants: readonly { name: string; quotas: Record<string, number> }[]
  clock: Clock
  region: string
  defaultAccount: string
}

/** A KMS error from a setup call, with the operation that failed. */
export class SetupError extends Error {
  override readonly name = 'SetupError'
  readonly code: string

  constructor(operation: string, code: string, message: string) {
    super(`${operation} failed before the run: ${code}: ${message}`)
    this.code = code
  }
}

/** Remembers keys created by CreateKey / ReplicateKey outputs. */
export function trackKeys(operation: string, output: unknown, into: string[]): void {
  if (operation === 'CreateKey') {
    const arn = (output as { KeyMetadata?: { Arn?: string } }).KeyMetadata?.Arn
    if (arn !== undefined) into.push(arn)
  } else if (operation === 'ReplicateKey') {
    const arn = (output as { ReplicaKeyMetadata?: { Arn?: string } }).ReplicaKeyMetadata?.Arn
    if (arn !== undefined) into.push(arn)
  }
}
