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
  /** CloudTrail `additionalEventData` (besides the access decisions, which go in {@link authorization}). */
  additionalEventData?: Record<string, unknown>
  /** CloudTrail `responseElements` (null for most KMS calls). */
  responseElements?: Record<string, unknown> | null
  /**
   * The call's access decisions in order (one, or several for ReEncrypt), shaped into
   * `additionalEventData.authorization` (and `unknownConditionKeys`) when the event is read.
   */
  authorization?: AuthorizationRecord | AuthorizationRecord[]
}

/**
 * A fresh {@link AuditDraft} for one call, with every member present from the start: a member
 * added later (the authorizer's decision) would move the object to a new shape and give it a
 * property store of its own on every call.
 */
export class CallDraft implements AuditDraft {
  readonly resources: KmsKey[] = oneSlotArray()
  additionalEventData: Record<string, unknown> | undefined = undefined
  responseElements: Record<string, unknown> | null | undefined = undefined
  authorization: AuthorizationRecord | AuthorizationRecord[] | undefined = undefined
}

/**
 * An empty array with room for one element: nearly every call acts on one key, and the first
 * push into `[]` grows its store to 17 slots.
 */
function oneSlotArray(): KmsKey[] {
  const a: (KmsKey | undefined)[] = [undefined]
  a.pop()
  return a as KmsKey[]
}

/**
 * One access decision as the audit log keeps it. The authorizer may hand out the same
 * (immutable) record for every call it decides alike, so the log keeps no per-call copy.
 */
export interface AuthorizationRecord {
  readonly action: string
  readonly resource: string
  readonly allowed: boolean
  readonly reason: string
  /** The statement that decided. */
  readonly statement?: string | undefined
  /** The grant that allowed the request. */
  readonly grantId?: string | undefined
  /** Condition keys kms-bench cannot supply that appeared in statements considered. */
  readonly unknownConditionKeys: readonly string[]
}

/** Adds a decision to a draft's {@link AuditDraft.authorization} (no array for the first). */
export function addAuthorization(draft: AuditDraft, record: AuthorizationRecord): void {
  const prev = draft.authorization
  if (prev === undefined) draft.authorization = record
  else if (Array.isArray(prev)) prev.push(record)
  else draft.authorization = [prev, record]
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
 * parameters, the keys, the access decisions and the error) in preallocated parallel arrays,
 * and shaped as CloudTrail JSON only when read: building the full record (two UUIDs, an ISO
 * timestamp, a dozen fields) on every call was half the cost of an in-process Decrypt, and
 * most events of a load run are dropped from the ring unread. A record holds no object made
 * for its call alone on the hot path (the caller, the key and the operation live on; a call
 * whose parameters equal the previous call's of the same operation shares its copy; the
 * authorizer shares decision records), so the ring keeps no garbage alive for the collector
 * to copy. A read shapes each kept call once and keeps the result, so its `eventID` and
 * `requestID` are stable across reads; every shaped event has objects of its own. With a
 * `sink`, every event is shaped at once (the sink streams it). Request parameters are copied
 * when the call is recorded, never read later from the caller's input (which holds plaintext).
 */
export class AuditLog {
  readonly #capacity: number
  readonly #sink: ((event: AuditEvent) => void) | undefined
  /** Shaped events (also {@link record}'s ready-made ones), or undefined while a slot holds a compact call. */
  #shaped: (AuditEvent | undefined)[] = []
  #ops: string[] = []
  #callers: (Caller | undefined)[] = []
  #times: Float64Array
  #params: (Record<string, unknown> | null)[] = []
  #keys: (KmsKey | KmsKey[] | undefined)[] = []
  #auth: (AuthorizationRecord | AuthorizationRecord[] | undefined)[] = []
  #errors: ({ name: string; message: string } | undefined)[] = []
  #responses: (Record<string, unknown> | null | undefined)[] = []
  #extra: (Record<string, unknown> | undefined)[] = []
  /** Per operation: its visible members and last request parameters, shared by the next call that has the same ones. */
  readonly #lastParams = new Map<string, LastParams>()
  #length = 0
  #start = 0
  #count = 0

  constructor(options: AuditOptions = {}) {
    const capacity = options.capacity ?? 10_000
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new RangeError(`audit capacity must be a non-negative integer, got ${capacity}`)
    this.#capacity = capacity
    this.#sink = options.sink
    this.#times = new Float64Array(Math.min(capacity, 1024))
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
    if (this.#capacity > 0) {
      const i = this.#slot()
      this.#shaped[i] = event
      this.#dropCompact(i)
    }
  }

  /**
   * Appends the event of one API call, shaped only when read (or at once for a sink). The
   * facts come as arguments, not an object: every call of the hot path records one.
   */
  recordCall(
    op: OperationName | string,
    input: unknown,
    caller: Caller,
    now: number,
    draft?: AuditDraft,
    error?: { name: string; message: string },
  ): void {
    if (this.#sink !== undefined) {
      this.record(
        buildAuditEvent({
          op,
          input,
          caller,
          now,
          ...(draft !== undefined ? { draft } : {}),
          ...(error !== undefined ? { error } : {}),
        }),
      )
      return
    }
    this.#count++
    if (this.#capacity === 0) return
    const i = this.#slot()
    this.#shaped[i] = undefined
    this.#ops[i] = op
    this.#callers[i] = caller
    this.#times[i] = now
    this.#params[i] = this.#paramsOf(op, input)
    const resources = draft?.resources
    this.#keys[i] =
      resources === undefined || resources.length === 0 ? undefined : resources.length === 1 ? resources[0] : resources
    this.#auth[i] = draft?.authorization
    this.#errors[i] = error
    this.#responses[i] = draft?.responseElements
    this.#extra[i] = draft?.additionalEventData
  }

  /** The slot the next event goes in (the oldest one once the ring is full). */
  #slot(): number {
    if (this.#length < this.#capacity) {
      const i = this.#length++
      if (i >= this.#times.length) {
        const grown = new Float64Array(Math.min(this.#capacity, this.#times.length * 2))
        grown.set(this.#times)
        this.#times = grown
      }
      return i
    }
    const i = this.#start
    this.#start = (this.#start + 1) % this.#capacity
    return i
  }

  /** CloudTrail request parameters of a call, shared with the previous call of the operation when they are the same. */
  #paramsOf(op: string, input: unknown): Record<string, unknown> | null {
    if (input === null || typeof input !== 'object') return null
    // One lookup per call: the operation's visible members and its last parameters together.
    let last = this.#lastParams.get(op)
    if (last === undefined) {
      const visible = visibleOf(op)
      if (visible === null) return null
      last = { visible, values: undefined, params: null }
      this.#lastParams.set(op, last)
    }
    const visible = last.visible
    const obj = input as Record<string, unknown>
    if (last.values !== undefined && visible.same(obj, last.values)) return last.params
    const params = requestParameters(op, input)
    // The kept values are the parameters' own copies of objects (a context, a token list), so
    // that the caller changing its objects after the call changes neither.
    last.values = visible.members.map(([name, camel]) => {
      const v = obj[name]
      if (v instanceof Uint8Array) return undefined
      return v !== null && typeof v === 'object' ? params?.[camel] : v
    })
    last.params = params
    return params
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
    const done = this.#shaped[i]
    if (done !== undefined) return done
    const caller = this.#callers[i]
    if (caller === undefined) throw new Error(`audit slot ${i} is empty`)
    const keys = this.#keys[i]
    const auth = this.#auth[i]
    const event = shapeCall({
      op: this.#ops[i] as string,
      caller,
      now: this.#times[i] as number,
      params: copyParams(this.#params[i] ?? null),
      resources: keys === undefined ? NO_KEYS : Array.isArray(keys) ? keys : [keys],
      authorization: auth === undefined ? NO_AUTH : Array.isArray(auth) ? auth : [auth],
      additionalEventData: this.#extra[i],
      responseElements: this.#responses[i],
      error: this.#errors[i],
    })
    this.#shaped[i] = event
    // The compact record is no longer needed: let its objects go.
    this.#dropCompact(i)
    return event
  }

  /** Forgets slot `i`'s compact record (its event is shaped, or replaced by a shaped one). */
  #dropCompact(i: number): void {
    this.#callers[i] = undefined
    this.#params[i] = null
    this.#keys[i] = undefined
    this.#auth[i] = undefined
    this.#errors[i] = undefined
    this.#responses[i] = undefined
    this.#extra[i] = undefined
  }

  /** Drops every kept event. */
  clear(): void {
    this.#shaped = []
    this.#ops = []
    this.#callers = []
    this.#times = new Float64Array(Math.min(this.#capacity, 1024))
    this.#params = []
    this.#keys = []
    this.#auth = []
    this.#errors = []
    this.#responses = []
    this.#extra = []
    this.#lastParams.clear()
    this.#length = 0
    this.#start = 0
    this.#count = 0
  }
}

/** An operation's visible members, and the parameters of its last recorded call with the values they came from. */
interface LastParams {
  readonly visible: VisibleMembers
  values: readonly unknown[] | undefined
  params: Record<string, unknown> | null
}

const NO_KEYS: readonly KmsKey[] = []
const NO_AUTH: readonly AuthorizationRecord[] = []

/** A shaped event's own copy of (possibly shared) request parameters, its contexts and lists included. */
function copyParams(params: Record<string, unknown> | null): Record<string, unknown> | null {
  if (params === null) return null
  const out: Record<string, unknown> = {}
  for (const k in params) out[k] = copyValue(params[k])
  return out
}

/** A copy of a list or plain object one level deep (an encryption context, grant tokens); anything else as is. */
function copyValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.slice()
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null ? { ...(v as Record<string, unknown>) } : v
}

/**
 * Whether `v` holds what the kept copy `w` holds: a list with the very same (===) items, or a
 * plain object with the very same pairs in the same order (an encryption context parsed afresh
 * from every request's JSON is still the same parameter).
 */
function sameShallow(v: unknown, w: unknown): boolean {
  if (v === null || typeof v !== 'object' || w === null || typeof w !== 'object') return false
  if (Array.isArray(v)) {
    if (!Array.isArray(w) || w.length !== v.length) return false
    for (let i = 0; i < v.length; i++) if (v[i] !== w[i]) return false
    return true
  }
  if (Array.isArray(w)) return false
  const proto = Object.getPrototypeOf(v)
  if (proto !== Object.prototype && proto !== null) return false
  const a = v as Record<string, unknown>
  const b = w as Record<string, unknown>
  // Same order too: the event shows the pairs in the order this call gave them.
  const keys = Object.keys(b)
  let n = 0
  for (const k in a) {
    if (k !== keys[n] || a[k] !== b[k]) return false
    n++
  }
  return n === keys.length
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
  const auth = f.draft?.authorization
  return shapeCall({
    op: f.op,
    caller: f.caller,
    now: f.now,
    params: requestParameters(f.op, f.input),
    resources: f.draft?.resources ?? NO_KEYS,
    authorization: auth === undefined ? NO_AUTH : Array.isArray(auth) ? auth : [auth],
    additionalEventData: f.draft?.additionalEventData,
    responseElements: f.draft?.responseElements,
    error: f.error,
  })
}

/** One call's facts as {@link shapeCall} reads them. */
interface CallFacts {
  readonly op: string
  readonly caller: Caller
  readonly now: number
  readonly params: Record<string, unknown> | null
  readonly resources: readonly KmsKey[]
  readonly authorization: readonly AuthorizationRecord[]
  readonly additionalEventData: Record<string, unknown> | undefined
  readonly responseElements: Record<string, unknown> | null | undefined
  readonly error: { name: string; message: string } | undefined
}

/** CloudTrail `additionalEventData` of a call: the operation's own, then its access decisions. */
function additionalEventData(f: CallFacts): Record<string, unknown> | undefined {
  if (f.authorization.length === 0) return f.additionalEventData
  const data: Record<string, unknown> = { ...f.additionalEventData }
  const entries: Record<string, unknown>[] = []
  let unknown: Set<string> | undefined
  for (const a of f.authorization) {
    const entry: Record<string, unknown> = {
      action: a.action,
      resource: a.resource,
      decision: a.allowed ? 'Allow' : 'Deny',
      reason: a.reason,
    }
    if (a.statement !== undefined) entry['statement'] = a.statement
    if (a.grantId !== undefined) entry['grantId'] = a.grantId
    entries.push(entry)
    if (a.unknownConditionKeys.length > 0) {
      unknown ??= new Set()
      for (const k of a.unknownConditionKeys) unknown.add(k)
    }
  }
  data['authorization'] = entries
  if (unknown !== undefined) data['unknownConditionKeys'] = [...unknown]
  return data
}

function shapeCall(f: CallFacts): AuditEvent {
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
    responseElements: f.responseElements ?? null,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: isReadOnlyOperation(f.op),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: c.account,
    eventCategory: 'Management',
  }
  const extra = additionalEventData(f)
  if (extra !== undefined) event.additionalEventData = extra
  if (f.resources.length > 0) {
    event.resources = f.resources.map((k) => ({ accountId: k.account, type: 'AWS::KMS::Key', ARN: k.arn }))
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

/** An operation's CloudTrail-visible members, and the test of whether an input holds the values of the last call's. */
interface VisibleMembers {
  readonly members: ParamMembers
  /** Whether each member's value (a Uint8Array counting as absent) is the value kept at its index: === or, for a list or plain object, the same items ({@link sameShallow}). */
  readonly same: (obj: Record<string, unknown>, values: readonly unknown[]) => boolean
}

// Compiled once per operation from the model: Decrypt's path no longer walks the shape table.
const visibleMembers = new Map<string, VisibleMembers | null>()

function membersOf(op: string): ParamMembers | null {
  return visibleOf(op)?.members ?? null
}

function visibleOf(op: string): VisibleMembers | null {
  const known = visibleMembers.get(op)
  if (known !== undefined) return known
  const shapeName = (OPERATIONS as Record<string, { input: string } | undefined>)[op]?.input
  const shape = shapeName !== undefined ? SHAPES[shapeName] : undefined
  const members =
    shape?.members === undefined
      ? null
      : Object.entries(shape.members)
          .filter(([, m]) => SHAPES[m.target]?.type !== 'blob' && SHAPES[m.target]?.sensitive !== true)
          .map(([name]) => [name, name.charAt(0).toLowerCase() + name.slice(1)] as const)
  const visible = members === null ? null : { members, same: sameValuesTest(members) }
  visibleMembers.set(op, visible)
  return visible
}

/**
 * Compiles the test of {@link VisibleMembers.same} to straight-line code that reads each
 * member by its literal name (`obj["KeyId"]`): it runs on every audited call, and one
 * inline-cached read per member costs a fraction of a loop of computed-name reads. The names
 * are the model's (JSON-quoted); nothing of the input reaches the generated code.
 */
function sameValuesTest(members: ParamMembers): VisibleMembers['same'] {
  const lines = members.map(
    ([name], k) =>
      `v = obj[${JSON.stringify(name)}]
    w = values[${k}]
    if (v !== w && (v instanceof Uint8Array ? w !== undefined : !sameShallow(v, w))) return false`,
  )
  return new Function(
    'sameShallow',
    `return function sameValues(obj, values) {
    let v, w
    ${lines.join('\n    ')}
    return true
  }`,
  )(sameShallow) as VisibleMembers['same']
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
    // Copied: the log never reads the caller's objects later.
    out[camel] = copyValue(v)
  }
  return out
}
