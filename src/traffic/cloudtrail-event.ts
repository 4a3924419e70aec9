/**
 * One CloudTrail record of a KMS call, reduced to what a replay and attribution need: the
 * second it happened in, the operation, the key, who called (the principal ARN in
 * `userIdentity`, or the service in `userIdentity.invokedBy` for calls an AWS service makes
 * for you), the account charged, the Region, a fingerprint of the encryption context (never
 * its values) and whether KMS throttled it. Field shapes follow the AWS KMS CloudTrail
 * examples (https://docs.aws.amazon.com/kms/latest/developerguide/understanding-kms-entries.html)
 * and the userIdentity reference
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
 */
import { createHash } from 'node:crypto'

/** A file or record that is not a CloudTrail log as documented. */
export class CloudTrailFormatError extends Error {
  override readonly name = 'CloudTrailFormatError'
}

/** A KMS call read from CloudTrail. */
export interface KmsTrailEvent {
  /** epoch seconds (CloudTrail's eventTime has one-second granularity) */
  readonly second: number
  readonly operation: string
  /** the key ARN (from `resources`, or built from `requestParameters.keyId`); undefined for keyless calls */
  readonly keyArn: string | undefined
  /** the principal ARN of `userIdentity` (undefined for AWS service identities without one) */
  readonly principal: string | undefined
  /** `userIdentity.invokedBy` when an AWS service called for the principal, e.g. `s3.amazonaws.com` */
  readonly invokedBy: string | undefined
  /** the account the call is charged to: `userIdentity.accountId` (the caller's, also for cross-account calls) */
  readonly account: string
  readonly region: string
  /** a hash of the canonical encryption context, or undefined when the call had none; values are not kept */
  readonly contextHash: string | undefined
  /** `errorCode: ThrottlingException` */
  readonly throttled: boolean
  readonly errorCode: string | undefined
}

/** What a record is when it is not a KMS call to keep. */
export type SkipReason = 'not-kms' | 'service-event'

const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/
const KEY_ID = /^(mrk-)?[0-9a-f]{8}-?[0-9a-f-]*$/i

/** The caller as attribution names it: the AWS service acting for you, else the principal ARN, else the account root. */
export function callerOf(e: Pick<KmsTrailEvent, 'principal' | 'invokedBy' | 'account'>): string {
  if (e.invokedBy !== undefined && e.invokedBy !== 'AWS Internal') return e.invokedBy
  return e.principal ?? `arn:aws:iam::${e.account}:root`
}

/**
 * Reads one record (an object from `Records`). Returns the event, or a reason to skip it
 * (another service's event; a KMS service event such as automatic rotation, which is no
 * request). Throws {@link CloudTrailFormatError} naming `where` for a malformed KMS record.
 */
export function readTrailRecord(raw: unknown, where: string): KmsTrailEvent | SkipReason {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new CloudTrailFormatError(`${where}: is not a JSON object`)
  const r = raw as Record<string, unknown>
  if (r.eventSource !== 'kms.amazonaws.com') {
    if (typeof r.eventSource !== 'string') throw new CloudTrailFormatError(`${where}: has no eventSource`)
    return 'not-kms'
  }
  if (r.eventType === 'AwsServiceEvent') return 'service-event'
  const operation = text(r.eventName, where, 'eventName')
  const region = text(r.awsRegion, where, 'awsRegion')
  const timeText = text(r.eventTime, where, 'eventTime')
  // CloudTrail Lake prints times without a zone ("2025-05-20 20:46:18.000"): they are UTC.
  const ms = Date.parse(/^\d{4}-\d\d-\d\d[ T][\d:.]+$/.test(timeText) ? `${timeText.replace(' ', 'T')}Z` : timeText)
  if (Number.isNaN(ms)) throw new CloudTrailFormatError(`${where}: eventTime '${timeText}' is not an ISO 8601 time`)
  const identity = r.userIdentity
  if (typeof identity !== 'object' || identity === null)
    throw new CloudTrailFormatError(`${where}: has no userIdentity object`)
  const id = identity as Record<string, unknown>
  const recipient = typeof r.recipientAccountId === 'string' ? r.recipientAccountId : undefined
  const account = typeof id.accountId === 'string' ? id.accountId : recipient
  if (account === undefined || !/^\d{12}$/.test(account))
    throw new CloudTrailFormatError(`${where}: userIdentity.accountId is missing or not a 12-digit account id`)
  const principal = typeof id.arn === 'string' && id.arn !== '' ? id.arn : undefined
  const invokedBy = typeof id.invokedBy === 'string' && id.invokedBy !== '' ? id.invokedBy : undefined
  const params =
    typeof r.requestParameters === 'object' && r.requestParameters !== null
      ? (r.requestParameters as Record<string, unknown>)
      : {}
  const errorCode = typeof r.errorCode === 'string' && r.errorCode !== '' ? r.errorCode : undefined
  return {
    second: Math.floor(ms / 1000),
    operation,
    keyArn: keyArnOf(r.resources, params.keyId, region, recipient ?? account),
    principal,
    invokedBy,
    account,
    region,
    contextHash: contextHash(params.encryptionContext),
    throttled: errorCode === 'ThrottlingException',
    errorCode,
  }
}

function text(v: unknown, where: string, field: string): string {
  if (typeof v !== 'string' || v === '') throw new CloudTrailFormatError(`${where}: has no ${field}`)
  return v
}

/** The key ARN: `resources[].ARN` of the key, else `requestParameters.keyId` when it is a key ARN or key id. */
function keyArnOf(resources: unknown, keyId: unknown, region: string, account: string): string | undefined {
  if (Array.isArray(resources)) {
    for (const res of resources) {
      const arn = (res as { ARN?: unknown } | null)?.ARN
      if (typeof arn === 'string' && KEY_ARN.test(arn)) return arn
    }
  }
  if (typeof keyId !== 'string') return undefined
  if (KEY_ARN.test(keyId)) return keyId
  if (KEY_ID.test(keyId)) return `arn:aws:kms:${region}:${account}:key/${keyId}`
  return undefined // an alias the record does not resolve
}

/** A stable hash of an encryption context (sorted pairs, length-prefixed): the values never leave this function. */
function contextHash(ctx: unknown): string | undefined {
  if (typeof ctx !== 'object' || ctx === null) return undefined
  const pairs = Object.entries(ctx as Record<string, unknown>)
    .map(([k, v]) => [k, String(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (pairs.length === 0) return undefined
  const h = createHash('sha256')
  for (const [k, v] of pairs) h.update(`${k.length}:${k}${v.length}:${v}`)
  return h.digest('base64url').slice(0, 22)
}
