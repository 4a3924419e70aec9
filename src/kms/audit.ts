/**
 * A CloudTrail-shaped audit log of every KMS call, failed ones included
 * (https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html).
 * Never holds plaintext, plaintext data keys or key material: request parameters are
 * copied from the model's non-blob, non-sensitive members only.
 */
import { randomUUID } from 'node:crypto'
import type { Caller } from './caller.ts'
import type { KmsKey } from './key.ts'
import { OPERATIONS, SHAPES, type OperationName } from './model.generated.ts'

/** A CloudTrail record of one KMS API call. */
export interface AuditEvent {
  eventVersion: '1.08'
  /** For AWS service events (automatic rotation, scheduled deletion) only accountId and invokedBy are set, as in CloudTrail. */
  userIdentity: {
    type?: string
    principalId?: string
    arn?: string
    accountId: string
    invokedBy?: string
  }
  /** ISO-8601, from the emulator's clock. */
  eventTime: string
  eventSource: 'kms.amazonaws.com'
  eventName: string
  awsRegion: string
  sourceIPAddress: string
  userAgent: string
  requestParameters: Record<string, unknown> | null
  responseElements: Record<string, unknown> | null
  additionalEventData?: Record<string, unknown>
  /** Absent on AWS service events. */
  requestID?: string
  eventID: string
  readOnly: boolean
  resources?: { accountId: string; type: 'AWS::KMS::Key'; ARN: string }[]
  eventType: 'AwsApiCall' | 'AwsServiceEvent'
  managementEvent: true
  recipientAccountId: string
  eventCategory: 'Management'
  /** Details of an AwsServiceEvent (e.g. a rotation's type and key). */
  serviceEventDetails?: Record<string, unknown>
  errorCode?: string
  errorMessage?: string
}

/** How the emulator keeps audit events. */
export interface AuditOptions {
  /**
   * Events kept in memory for `auditEvents()`; the oldest are dropped beyond it. 0 keeps none.
   * @default 10000
   */
  capacity?: number
  /** Called with every event as it is recorded (e.g. to stream JSON lines to a file). */
  sink?: (event: AuditEvent) => void
}

/** What an operation adds to its own audit event while it runs. */
export interface AuditDraft {
  /** Keys the call acted on (CloudTrail `resources`). */
  readonly resources: KmsKey[]
  /** CloudTrail `additionalEventData`. */
  additionalEventData?: Record<string, unknown>
  /** CloudTrail `responseElements` (null for most KMS calls). */
  responseElements?: Record<string, unknown> | null
}

const READ_ONLY_OPS = new Set<string>([
  'Decrypt',
  'Encrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateRandom',
  'Sign',
  'Verify',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
])

/** True for the calls CloudTrail marks `readOnly`. */
export function isReadOnlyOperation(op: string): boolean {
  return READ_ONLY_OPS.has(op) || op.startsWith('Describe') || op.startsWith('List') || op.startsWith('Get')
}

/** A bounded, append-only log of audit events. */
export class AuditLog {
  readonly #capacity: number
  readonly #sink: ((event: AuditEvent) => void) | undefined
  #events: AuditEvent[] = []
  #start = 0
  #count = 0

  constructor(options: AuditOptions = {}) {
    const capacity = options.capacity ?? 10_000
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new RangeError(`audit capacity must be a non-negative integer, got ${capacity}`)
    this.#capacity = capacity
    this.#sink = options.sink
  }

  /** False when events are neither kept nor streamed, so callers can skip building them. */
  get enabled(): boolean {
    return this.#capacity > 0 || this.#sink !== undefined
  }

  /** Total events recorded since creation (or the last clear), kept or not. */
  get count(): number {
    return this.#count
  }

  /** Appends an event. */
  record(event: AuditEvent): void {
    this.#count++
    this.#sink?.(event)
    if (this.#capacity === 0) return
    if (this.#events.length < this.#capacity) {
      this.#events.push(event)
    } else {
      this.#events[this.#start] = event
      this.#start = (this.#start + 1) % this.#capacity
    }
  }

  /** Kept events, oldest first. */
  events(): AuditEvent[] {
    return [...this.#events.slice(this.#start), ...this.#events.slice(0, this.#start)]
  }

  /** Drops every kept event. */
  clear(): void {
    this.#events = []
    this.#start = 0
    this.#count = 0
  }
}

/** Everything needed to build one event. */
export interface AuditFacts {
  op: OperationName | string
  input: unknown
  caller: Caller
  now: number
  draft?: AuditDraft
  error?: { name: string; message: string }
}

/** Builds the CloudTrail record of one call. */
export function buildAuditEvent(f: AuditFacts): AuditEvent {
  const c = f.caller
  const event: AuditEvent = {
    eventVersion: '1.08',
    userIdentity: {
      type: c.identityType,
      principalId: c.identityType === 'Root' ? c.account : (c.policyPrincipal.split('/').pop() ?? c.account),
      arn: c.principal,
      accountId: c.account,
      ...(c.viaService !== undefined
        ? { invokedBy: c.viaService.replace(/^([a-z0-9-]+)\..*$/, '$1.amazonaws.com') }
        : {}),
    },
    eventTime: new Date(f.now).toISOString(),
    eventSource: 'kms.amazonaws.com',
    eventName: f.op,
    awsRegion: c.region,
    sourceIPAddress:
      c.viaService !== undefined ? c.viaService.replace(/^([a-z0-9-]+)\..*$/, '$1.amazonaws.com') : c.sourceIp,
    userAgent: c.viaService ?? c.userAgent,
    requestParameters: requestParameters(f.op, f.input),
    responseElements: f.draft?.responseElements ?? null,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: isReadOnlyOperation(f.op),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: c.account,
    eventCategory: 'Management',
  }
  if (f.draft?.additionalEventData !== undefined) event.additionalEventData = f.draft.additionalEventData
  const resources = f.draft?.resources
  if (resources !== undefined && resources.length > 0) {
    event.resources = resources.map((k) => ({ accountId: k.account, type: 'AWS::KMS::Key', ARN: k.arn }))
  }
  if (f.error !== undefined) {
    event.errorCode = f.error.name
    event.errorMessage = f.error.message
  }
  return event
}

/** What {@link buildServiceEvent} records: an action KMS took on a key by itself. */
export interface ServiceEventFacts {
  /** `DeleteKey`, `RotateKey`, ... */
  eventName: string
  key: KmsKey
  /** Epoch ms of the action, from the clock. */
  at: number
  /** Who CloudTrail names as the actor (`kms.amazonaws.com`, or `AWS Internal` for rotations). */
  invokedBy: string
  additionalEventData?: Record<string, unknown>
  serviceEventDetails?: Record<string, unknown>
}

/**
 * The CloudTrail record of an action KMS takes on its own (an `AwsServiceEvent`, not an API
 * call): its userIdentity has only `accountId` and `invokedBy`, the actor is also the source
 * IP and user agent, it has no request parameters, response elements or `requestID`
 * (https://docs.aws.amazon.com/kms/latest/developerguide/ct-deletekey.html, ct-rotatekey.html).
 */
export function buildServiceEvent(f: ServiceEventFacts): AuditEvent {
  const key = f.key
  const event: AuditEvent = {
    eventVersion: '1.08',
    userIdentity: { accountId: key.account, invokedBy: f.invokedBy },
    eventTime: new Date(f.at).toISOString(),
    eventSource: 'kms.amazonaws.com',
    eventName: f.eventName,
    awsRegion: key.region,
    sourceIPAddress: f.invokedBy,
    userAgent: f.invokedBy,
    requestParameters: null,
    responseElements: null,
    eventID: randomUUID(),
    readOnly: false,
    resources: [{ accountId: key.account, type: 'AWS::KMS::Key', ARN: key.arn }],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: key.account,
    eventCategory: 'Management',
  }
  if (f.additionalEventData !== undefined) event.additionalEventData = f.additionalEventData
  if (f.serviceEventDetails !== undefined) event.serviceEventDetails = f.serviceEventDetails
  return event
}

/** CloudTrail-style request parameters: camelCase members, without blobs or sensitive values. */
export function requestParameters(op: string, input: unknown): Record<string, unknown> | null {
  const shapeName = (OPERATIONS as Record<string, { input: string } | undefined>)[op]?.input
  const shape = shapeName !== undefined ? SHAPES[shapeName] : undefined
  if (shape?.members === undefined || input === null || typeof input !== 'object') return null
  const out: Record<string, unknown> = {}
  const obj = input as Record<string, unknown>
  for (const [name, m] of Object.entries(shape.members)) {
    const v = obj[name]
    if (v === undefined) continue
    const target = SHAPES[m.target]
    if (target?.type === 'blob' || target?.sensitive === true || v instanceof Uint8Array) continue
    out[name.charAt(0).toLowerCase() + name.slice(1)] = v
  }
  return Object.keys(out).length > 0 ? out : null
}
