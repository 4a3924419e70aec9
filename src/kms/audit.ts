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

/**
 * A bounded, append-only log of audit events.
 *
 * Calls are kept as compact records (the operation, the caller, the time, the request
 * parameters, the operation's draft and the error) in preallocated parallel arrays, and shaped
 * as CloudTrail JSON only when read: building the full record (two UUIDs, an ISO timestamp,
 * a dozen fields) on every call was half the cost of an in-process Decrypt, and most events
 * of a load run are dropped from the ring unread. A read shapes each kept call once and keeps
 * the result, so its `eventID` and `requestID` are stable across reads. With a `sink`, every
 * event is shaped at once (the sink streams it). Request parameters are copied when the call
 * is recorded, never read later from the caller's input (which holds plaintext).
 */
export class AuditLog {
  readonly #capacity: number
  readonly #sink: ((event: AuditEvent) => void) | undefined
  /** Each slot holds a shaped event, or a compact call until it is read. */
  #slots: (AuditEvent | CompactCall)[] = []
  #length = 0
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
    if (this.#capacity > 0) this.#put(event)
  }

  /** Appends the event of one API call, shaped only when read (or at once for a sink). */
  recordCall(f: AuditFacts): void {
    if (this.#sink !== undefined) {
      this.record(buildAuditEvent(f))
      return
    }
    this.#count++
    if (this.#capacity === 0) return
    const call: CompactCall = {
      op: f.op,
      caller: f.caller,
      now: f.now,
      params: requestParameters(f.op, f.input),
      draft: f.draft,
      error: f.error,
    }
    this.#put(call)
  }

  #put(slot: AuditEvent | CompactCall): void {
    if (this.#length < this.#capacity) {
      this.#slots[this.#length++] = slot
    } else {
      this.#slots[this.#start] = slot
      this.#start = (this.#start + 1) % this.#capacity
    }
  }

  /** Kept events, oldest first. */
  events(): AuditEvent[] {
    const out: AuditEvent[] = []
    for (let n = 0; n < this.#length; n++) {
      const i = (this.#start + n) % this.#length
      out.push(this.#shape(i))
    }
    return out
  }

  #shape(i: number): AuditEvent {
    const slot = this.#slots[i]
    if (slot === undefined) throw new Error(`audit slot ${i} is empty`)
    if ('eventVersion' in slot) return slot
    const event = shapeCall(slot)
    this.#slots[i] = event
    return event
  }

  /** Drops every kept event. */
  clear(): void {
    this.#slots = []
    this.#length = 0
    this.#start = 0
    this.#count = 0
  }
}

/** One API call as the ring keeps it until read. */
interface CompactCall {
  readonly op: string
  readonly caller: Caller
  readonly now: number
  readonly params: Record<string, unknown> | null
  readonly draft: AuditDraft | undefined
  readonly error: { name: string; message: string } | undefined
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
  return shapeCall({
    op: f.op,
    caller: f.caller,
    now: f.now,
    params: requestParameters(f.op, f.input),
    draft: f.draft,
    error: f.error,
  })
}

function shapeCall(f: CompactCall): AuditEvent {
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
    requestParameters: f.params,
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

/** The members of an operation's input that CloudTrail shows: camelCase name, no blobs, nothing sensitive. */
type ParamMembers = readonly (readonly [member: string, camel: string])[]

// Compiled once per operation from the model: Decrypt's path no longer walks the shape table.
const paramMembers = new Map<string, ParamMembers | null>()

function membersOf(op: string): ParamMembers | null {
  const known = paramMembers.get(op)
  if (known !== undefined) return known
  const shapeName = (OPERATIONS as Record<string, { input: string } | undefined>)[op]?.input
  const shape = shapeName !== undefined ? SHAPES[shapeName] : undefined
  const members =
    shape?.members === undefined
      ? null
      : Object.entries(shape.members)
          .filter(([, m]) => SHAPES[m.target]?.type !== 'blob' && SHAPES[m.target]?.sensitive !== true)
          .map(([name]) => [name, name.charAt(0).toLowerCase() + name.slice(1)] as const)
  paramMembers.set(op, members)
  return members
}

/** CloudTrail-style request parameters: camelCase members, without blobs or sensitive values. */
export function requestParameters(op: string, input: unknown): Record<string, unknown> | null {
  const members = membersOf(op)
  if (members === null || input === null || typeof input !== 'object') return null
  let out: Record<string, unknown> | null = null
  const obj = input as Record<string, unknown>
  for (const [name, camel] of members) {
    const v = obj[name]
    if (v === undefined || v instanceof Uint8Array) continue
    out ??= {}
    out[camel] = v
  }
  return out
}
