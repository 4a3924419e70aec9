/**
 * A generator of realistic CloudTrail KMS records, for tests and examples (real logs are never
 * committed). Record fields follow the AWS KMS CloudTrail examples
 * (https://docs.aws.amazon.com/kms/latest/developerguide/ct-generatedatakey.html, ct-decrypt.html):
 * eventVersion, userIdentity {type, principalId, arn, accountId, invokedBy, sessionContext},
 * eventTime (whole seconds), eventSource, eventName, awsRegion, sourceIPAddress, userAgent,
 * requestParameters {keyId, encryptionContext, keySpec / encryptionAlgorithm}, resources,
 * requestID, eventID, readOnly, eventType, managementEvent, recipientAccountId, eventCategory,
 * errorCode / errorMessage. Calls S3 makes for a user (SSE-KMS) carry `invokedBy:
 * s3.amazonaws.com` and the object's `aws:s3:arn` context, as S3 records them
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
 *
 * Log files are packed as CloudTrail delivers them to S3: `{"Records": [...]}` per account,
 * Region and five-minute interval, gzipped, under
 * `AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<yyyymmddThhmmZ>_<id>.json.gz`.
 */
import { at } from '../util/index.ts'
import { gzipSync } from 'node:zlib'

/** Who makes calls, how often, with which key. */
export interface TrailActor {
  /** `user` / `role`: an IAM identity calling KMS itself; `s3`: S3 calling for the identity (SSE-KMS); `lambda`: a Lambda function's execution role session */
  readonly kind: 'user' | 'role' | 's3' | 'lambda'
  /** the IAM user or role ARN (lambda: the role; the session is the function name) */
  readonly identity: string
  /** Lambda function name (the session name). @default 'function' */
  readonly functionName?: string
  readonly keyArn: string
  /** operation → share of this actor's calls */
  readonly operations: Readonly<Record<string, number>>
  /** calls per second at second `s` of the log (a fraction carries over seeded) */
  rate(second: number): number
  /** distinct encryption contexts (s3: objects). @default 1 */
  readonly contexts?: number
}

/** Options of {@link generateKmsTrail}. */
export interface TrailGeneratorOptions {
  /** ISO time of the first second */
  readonly start: string
  readonly seconds: number
  readonly actors: readonly TrailActor[]
  /** @default 1 */
  readonly seed?: number
  /** symmetric crypto requests per second allowed per (account, Region): calls above it get errorCode ThrottlingException. @default no throttling */
  readonly quota?: number
}

/** A small seeded PRNG (mulberry32): test data only. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function uuid(r: () => number): string {
  const h = (n: number): string =>
    Array.from({ length: n }, () =>
      Math.floor(r() * 16)
        .toString(16)
        .toString(),
    ).join('')
  return `${h(8)}-${h(4)}-4${h(3)}-a${h(3)}-${h(12)}`
}

/** Generates the records, ordered by time. */
export function generateKmsTrail(o: TrailGeneratorOptions): Record<string, unknown>[] {
  const r = prng(o.seed ?? 1)
  const t0 = Math.floor(Date.parse(o.start) / 1000)
  if (Number.isNaN(t0)) throw new RangeError(`start '${o.start}' is not an ISO time`)
  const carry = o.actors.map(() => 0)
  const out: Record<string, unknown>[] = []
  for (let s = 0; s < o.seconds; s++) {
    const used = new Map<string, number>()
    const second: Record<string, unknown>[] = []
    for (const [i, a] of o.actors.entries()) {
      const want = a.rate(s) + at(carry, i)
      const n = Math.floor(want) // whole calls; the fraction carries to the next second
      carry[i] = want - n
      for (let c = 0; c < n; c++) second.push(record(a, t0 + s, pick(a.operations, r()), r))
    }
    // Shuffle the second (calls of different actors interleave), then apply the quota in order.
    for (let i = second.length - 1; i > 0; i--) {
      const k = Math.floor(r() * (i + 1))
      ;[second[i], second[k]] = [at(second, k), at(second, i)]
    }
    for (const rec of second) {
      const id = rec.userIdentity as { accountId: string }
      const pool = `${id.accountId}|${rec.awsRegion as string}`
      const n = (used.get(pool) ?? 0) + 1
      used.set(pool, n)
      if (o.quota !== undefined && n > o.quota) {
        rec.errorCode = 'ThrottlingException'
        rec.errorMessage = 'Rate exceeded'
      }
      out.push(rec)
    }
  }
  return out
}

function pick(weights: Readonly<Record<string, number>>, u: number): string {
  const entries = Object.entries(weights)
  const total = entries.reduce((a, [, w]) => a + w, 0)
  let acc = 0
  for (const [op, w] of entries) {
    acc += w / total
    if (u < acc) return op
  }
  return (entries[entries.length - 1] as [string, number])[0]
}

function record(a: TrailActor, second: number, op: string, r: () => number): Record<string, unknown> {
  const [, , , region = 'us-east-1', keyAccount = '111122223333'] = a.keyArn.split(':')
  const account = /::(\d{12}):/.exec(a.identity)?.[1] ?? keyAccount
  const roleName = a.identity.split('/').pop() ?? 'role'
  const identity: Record<string, unknown> = a.identity.includes(':user/')
    ? { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: a.identity, accountId: account, userName: roleName }
    : {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLE:${a.functionName ?? 'session'}`,
        arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${a.kind === 'lambda' ? (a.functionName ?? 'function') : 'session'}`,
        accountId: account,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLE',
            arn: a.identity,
            accountId: account,
            userName: roleName,
          },
          attributes: { creationDate: new Date(second * 1000).toISOString(), mfaAuthenticated: 'false' },
        },
      }
  if (a.kind === 's3') identity.invokedBy = 's3.amazonaws.com'
  const ctxIndex = Math.floor(r() * (a.contexts ?? 1))
  const context =
    a.kind === 's3'
      ? { 'aws:s3:arn': `arn:aws:s3:::example-bucket/objects/${ctxIndex}` }
      : { purpose: a.functionName ?? roleName, item: `item-${ctxIndex}` }
  const params: Record<string, unknown> = { keyId: a.keyArn, encryptionContext: context }
  if (op === 'GenerateDataKey') params.keySpec = 'AES_256'
  else params.encryptionAlgorithm = 'SYMMETRIC_DEFAULT'
  return {
    eventVersion: '1.11',
    userIdentity: identity,
    eventTime: new Date(second * 1000).toISOString().replace('.000Z', 'Z'),
    eventSource: 'kms.amazonaws.com',
    eventName: op,
    awsRegion: region,
    sourceIPAddress: a.kind === 's3' ? 's3.amazonaws.com' : '192.0.2.10',
    userAgent: a.kind === 's3' ? 's3.amazonaws.com' : 'aws-sdk-js/3.0.0',
    requestParameters: params,
    responseElements: null,
    requestID: uuid(r),
    eventID: uuid(r),
    readOnly: true,
    resources: [{ accountId: keyAccount, type: 'AWS::KMS::Key', ARN: a.keyArn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: keyAccount,
    eventCategory: 'Management',
  }
}

/** Packs records into CloudTrail's S3 delivery files (per account, Region, five minutes), gzipped. */
export function packTrailFiles(records: readonly Record<string, unknown>[]): { path: string; bytes: Uint8Array }[] {
  const groups = new Map<string, Record<string, unknown>[]>()
  for (const rec of records) {
    const account = rec.recipientAccountId as string
    const region = rec.awsRegion as string
    const t = Date.parse(rec.eventTime as string)
    const slot = new Date(Math.floor(t / 300_000) * 300_000).toISOString()
    const k = `${account}|${region}|${slot}`
    let g = groups.get(k)
    if (g === undefined) groups.set(k, (g = []))
    g.push(rec)
  }
  return [...groups.entries()].map(([k, recs], i) => {
    const [account, region, slot] = k.split('|') as [string, string, string]
    const [y, m, d] = slot.slice(0, 10).split('-')
    const stamp = `${slot.slice(0, 4)}${slot.slice(5, 7)}${slot.slice(8, 10)}T${slot.slice(11, 13)}${slot.slice(14, 16)}Z`
    const path = `AWSLogs/${account}/CloudTrail/${region}/${y}/${m}/${d}/${account}_CloudTrail_${region}_${stamp}_f${i.toString(16).padStart(4, '0')}.json.gz`
    return { path, bytes: gzipSync(JSON.stringify({ Records: recs })) }
  })
}
