/**
 * AWS Signature Version 4 on the receiving side. Parsing the `Authorization` header gives the
 * caller's access key id and Region (the credential scope) in every auth mode; with
 * `--auth sigv4` the signature is verified by re-signing the received request with the known
 * secret through `@smithy/signature-v4` (the SDK's own signer, no hand-written canonicalisation)
 * and comparing in constant time
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
 *
 * Failures answer what AWS answers (messages as AWS JSON services send them, all HTTP 400):
 * MissingAuthenticationTokenException (no Authorization header), IncompleteSignatureException
 * (a malformed header), UnrecognizedClientException (unknown access key),
 * InvalidSignatureException (wrong signature or secret, a date more than 5 minutes away, a
 * scope for another service or an unknown Region).
 *
 * What is deliberately refused:
 * - `x-amz-content-sha256: UNSIGNED-PAYLOAD` (an S3 option): for KMS the canonical request
 *   always holds the SHA-256 of the body received, so a signed request's body cannot be swapped.
 * - An `X-Amz-Security-Token` the credentials file did not list for the access key
 *   (UnrecognizedClientException, "The security token included in the request is invalid.").
 * - Presigned (query-string) SigV4: without an Authorization header a request is
 *   MissingAuthenticationTokenException, whatever X-Amz-Signature its query carries.
 */
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import type { Checksum, SourceData } from '@smithy/types'
import type { Clock } from '../clock.ts'
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from '../kms/index.ts'
import { isKnownRegion } from '../regions.ts'
import type { Credential, CredentialStore } from './credentials.ts'

/** The parts of a SigV4 `Authorization` header. */
export interface ParsedAuthorization {
  readonly algorithm: string
  readonly accessKeyId: string
  /** Credential scope date, `YYYYMMDD`. */
  readonly scopeDate: string
  readonly region: string
  readonly service: string
  /** Lower-case header names, in the order signed. */
  readonly signedHeaders: readonly string[]
  /** Lower-case hex. */
  readonly signature: string
}

/** What the verifier needs of a received request. */
export interface ReceivedRequest {
  readonly method: string
  /** Raw request target: path and query string. */
  readonly url: string
  /** Node's `IncomingMessage.headers` (lower-case names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: Uint8Array
}

/**
 * How far the request date may be from the server's clock: 5 minutes for KMS ("Signature
 * expired: ... is now earlier than ... (... - 5 min.)", aws-sdk-js#2340 and aws-sdk-js-v3#6400;
 * IAM's SigV4 guide: "within five minutes").
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000

const ALGORITHM = 'AWS4-HMAC-SHA256'
const INVALID_TOKEN = 'The security token included in the request is invalid.'
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

/**
 * Parses a SigV4 `Authorization` header. Throws IncompleteSignatureException with AWS's
 * wording when a part is missing or malformed.
 */
export function parseAuthorization(header: string): ParsedAuthorization {
  const trimmed = header.trim()
  const space = trimmed.indexOf(' ')
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space)
  const rest = space < 0 ? '' : trimmed.slice(space + 1)
  if (algorithm !== ALGORITHM) {
    if (algorithm.startsWith('AWS4-'))
      throw new IncompleteSignatureException(`Unsupported AWS 'algorithm': '${algorithm}'`)
  }
  const params = new Map<string, string>()
  if (algorithm === ALGORITHM) {
    for (const raw of rest.split(',')) {
      const part = raw.trim()
      if (part === '') continue
      const eq = part.indexOf('=')
      if (eq < 0)
        throw new IncompleteSignatureException(
          `'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`,
        )
      params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
    }
  }
  const missing: string[] = []
  for (const p of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!params.has(p)) missing.push(`Authorization header requires '${p}' parameter.`)
  }
  if (missing.length > 0) throw new IncompleteSignatureException(`${missing.join(' ')} Authorization=${header}`)
  const credential = params.get('Credential') as string
  const scope = credential.split('/')
  if (scope.length !== 5 || scope.some((s) => s === '')) {
    throw new IncompleteSignatureException(
      `Credential should be of the form <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request, not '${credential}'.`,
    )
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope as [string, string, string, string, string]
  if (terminator !== 'aws4_request')
    throw new IncompleteSignatureException(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`,
    )
  if (!/^\d{8}$/.test(scopeDate))
    throw new IncompleteSignatureException(
      `Credential should have a scope date of the form YYYYMMDD, not '${scopeDate}'.`,
    )
  const signature = (params.get('Signature') as string).toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(signature))
    throw new IncompleteSignatureException(
      `Signature must be 64 hexadecimal characters in Authorization header: '${header}'.`,
    )
  const signedHeaders = (params.get('SignedHeaders') as string).split(';').map((h) => h.trim().toLowerCase())
  if (signedHeaders.some((h) => h === ''))
    throw new IncompleteSignatureException(
      `SignedHeaders must be a ';'-separated list of header names in Authorization header: '${header}'.`,
    )
  return { algorithm, accessKeyId, scopeDate, region, service, signedHeaders, signature }
}

/** Parses an ISO 8601 basic date-time (`YYYYMMDDTHHMMSSZ`, the X-Amz-Date form) to epoch ms. */
export function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number]
  const t = Date.UTC(y, mo - 1, d, h, mi, se)
  const back = new Date(t)
  // Reject impossible dates (Date.UTC rolls 20250231 over into March).
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    se > 59
  )
    return undefined
  return t
}

function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

/**
 * SHA-256 and HMAC-SHA256 over node:crypto, in the `Checksum` shape `@smithy/signature-v4`
 * takes (`new Sha256()` hashes, `new Sha256(secret)` is an HMAC).
 */
export class NodeSha256 implements Checksum {
  readonly #secret: Buffer | undefined
  #hash: Hash | Hmac

  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : toBuffer(secret)
    this.#hash = this.#fresh()
  }

  update(data: Uint8Array): void {
    this.#hash.update(data)
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.#hash.digest())
  }

  reset(): void {
    this.#hash = this.#fresh()
  }

  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret)
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return Buffer.from(data)
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v
}

function parseQuery(search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = out[k]
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  return out
}

/** Checks the credential scope: the service (`kms`), a known Region. Throws InvalidSignatureException. */
export function checkScope(auth: ParsedAuthorization, service = 'kms'): void {
  if (auth.service !== service)
    throw new InvalidSignatureException(`Credential should be scoped to correct service: '${service}'. `)
  if (!isKnownRegion(auth.region))
    throw new InvalidSignatureException(`Credential should be scoped to a valid region, not '${auth.region}'. `)
}

/**
 * Temporary credentials carry a session token, and only the one issued with them is valid; a
 * long-term access key takes no token. Compared in constant time.
 */
function checkSessionToken(credential: Credential, token: string | undefined): void {
  const expected = credential.sessionToken
  if (token === undefined && expected === undefined) return
  if (token === undefined || expected === undefined) throw new UnrecognizedClientException(INVALID_TOKEN)
  const a = Buffer.from(token, 'utf8')
  const b = Buffer.from(expected, 'utf8')
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new UnrecognizedClientException(INVALID_TOKEN)
}

/** Options of {@link SigV4Verifier}. */
export interface SigV4VerifierOptions {
  readonly credentials: CredentialStore
  /** The server's clock, for the request-date window. */
  readonly clock: Clock
  /** Allowed distance between the request date and the clock. @default MAX_CLOCK_SKEW_MS (5 minutes) */
  readonly maxSkewMs?: number
  /** Signing name of the service, checked in the credential scope. @default 'kms' */
  readonly service?: string
}

/** Verifies SigV4-signed requests against known credentials. */
export class SigV4Verifier {
  readonly #credentials: CredentialStore
  readonly #clock: Clock
  readonly #maxSkewMs: number
  readonly #service: string
  /** One signer per access key: the signer caches derived signing keys per day and Region. */
  readonly #signers = new Map<string, SignatureV4>()

  constructor(options: SigV4VerifierOptions) {
    this.#credentials = options.credentials
    this.#clock = options.clock
    this.#maxSkewMs = options.maxSkewMs ?? MAX_CLOCK_SKEW_MS
    this.#service = options.service ?? 'kms'
  }

  /** Verifies `request`; resolves to the caller's credential or rejects with AWS's error. */
  async verify(request: ReceivedRequest): Promise<Credential> {
    const header = headerValue(request.headers['authorization'])
    if (header === undefined || header.trim() === '')
      throw new MissingAuthenticationTokenException('Missing Authentication Token')
    const auth = parseAuthorization(header)
    if (auth.algorithm !== ALGORITHM)
      throw new IncompleteSignatureException(`Unsupported AWS 'algorithm': '${auth.algorithm}'`)
    const dateHeader = headerValue(request.headers['x-amz-date'])
    if (dateHeader === undefined) {
      throw new IncompleteSignatureException(
        `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header}`,
      )
    }
    const signedAt = parseAmzDate(dateHeader)
    if (signedAt === undefined)
      throw new IncompleteSignatureException(
        `X-Amz-Date must be in the ISO8601 basic format YYYYMMDD'T'HHMMSS'Z', not '${dateHeader}'.`,
      )
    if (!auth.signedHeaders.includes('host'))
      throw new IncompleteSignatureException(
        `'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`,
      )
    const now = this.#clock.now()
    if (signedAt < now - this.#maxSkewMs) {
      throw new InvalidSignatureException(
        `Signature expired: ${dateHeader} is now earlier than ${amzDate(now - this.#maxSkewMs)} (${amzDate(now)} - ${this.#maxSkewMs / 60_000} min.)`,
      )
    }
    if (signedAt > now + this.#maxSkewMs) {
      throw new InvalidSignatureException(
        `Signature not yet current: ${dateHeader} is still later than ${amzDate(now + this.#maxSkewMs)} (${amzDate(now)} + ${this.#maxSkewMs / 60_000} min.)`,
      )
    }
    if (auth.scopeDate !== dateHeader.slice(0, 8)) {
      throw new InvalidSignatureException(
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${dateHeader.slice(0, 8)}', from '${dateHeader}'.`,
      )
    }
    checkScope(auth, this.#service)
    const credential = this.#credentials.get(auth.accessKeyId)
    if (credential === undefined) throw new UnrecognizedClientException(INVALID_TOKEN)
    checkSessionToken(credential, headerValue(request.headers['x-amz-security-token']))

    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength)
    // The payload hash is always the SHA-256 of the body received, never what the client claims.
    const bodyHash = createHash('sha256').update(body).digest('hex')
    const claimedHash = headerValue(request.headers['x-amz-content-sha256'])
    if (claimedHash !== undefined && claimedHash !== bodyHash) {
      throw new InvalidSignatureException(
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      )
    }
    const headers: Record<string, string> = {}
    for (const name of auth.signedHeaders) {
      const v = headerValue(request.headers[name])
      // A signed header the request lacks cannot match: sign it as empty and let the comparison fail.
      headers[name] = v ?? ''
    }
    const q = request.url.indexOf('?')
    const rawPath = q < 0 ? request.url : request.url.slice(0, q)
    let path: string
    try {
      path = decodeURIComponent(rawPath)
    } catch {
      throw new InvalidSignatureException(SIGNATURE_MISMATCH)
    }
    const toSign = new HttpRequest({
      method: request.method,
      protocol: 'http:',
      hostname: (headers['host'] ?? '').replace(/:\d+$/, ''),
      path,
      query: q < 0 ? {} : parseQuery(request.url.slice(q + 1)),
      headers,
      body,
    })
    const signed = await this.#signer(credential).sign(toSign, {
      signingDate: new Date(signedAt),
      signingRegion: auth.region,
      signingService: auth.service,
      // Sign exactly the headers the client signed, even those the SDK never signs itself.
      signableHeaders: new Set(auth.signedHeaders),
    })
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers['authorization'] ?? ''))?.[1]
    const expectedHeaders = /SignedHeaders=([^,]+)/.exec(String(signed.headers['authorization'] ?? ''))?.[1]
    if (
      expected === undefined ||
      expectedHeaders !== [...auth.signedHeaders].sort().join(';') ||
      !timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(auth.signature, 'hex'))
    ) {
      throw new InvalidSignatureException(SIGNATURE_MISMATCH)
    }
    return credential
  }

  #signer(credential: Credential): SignatureV4 {
    let s = this.#signers.get(credential.accessKeyId)
    if (s === undefined) {
      s = new SignatureV4({
        credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
        region: 'us-east-1',
        service: this.#service,
        sha256: NodeSha256,
        uriEscapePath: true,
        applyChecksum: false,
      })
      this.#signers.set(credential.accessKeyId, s)
    }
    return s
  }
}
