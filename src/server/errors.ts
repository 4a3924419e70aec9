/**
 * The one place errors become HTTP responses. awsJson1_1 errors are a JSON body
 * `{"__type": NAME, "message": TEXT}` (SDK v3 reads `__type`, then `code`, then the
 * `X-Amzn-Errortype` header; and `message` or `Message`: kms-facts.md §7).
 *
 * Status: real KMS answers 400 for every client error, even those the model marks 404/409/412
 * (DryRunOperationException is recorded as 400 against real AWS in
 * `reference/data/localstack-kms-aws-snapshot.json`, though the model says 412); 5xx only for
 * the server faults KMSInternalException (500), DependencyTimeoutException (503) and
 * KeyUnavailableException (500), whose status comes from their class (`KmsError.httpStatus`).
 * The body member the text goes in comes from `KmsError.messageField` (AWS uses `Message` for
 * AccessDeniedException).
 */
import { KMSInternalException, KmsError } from '../kms/index.ts'

/** An error ready to be written on the wire. */
export interface WireError {
  readonly status: number
  /** The `__type` value. */
  readonly type: string
  /** JSON body. */
  readonly body: string
  /** Set when the error was not a KMS error (a bug): the original, for logging. */
  readonly unexpected?: unknown
}

/** Statuses the endpoint may send for an error; any other status is a bug. */
export const DECLARED_ERROR_STATUSES: ReadonlySet<number> = new Set([400, 403, 404, 408, 413, 500, 503])

/** The error types that may come with a 5xx status. */
export const SERVER_FAULT_TYPES: ReadonlySet<string> = new Set([
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
])

/** An HTTP-level error of the endpoint itself (not a KMS API error): body too large, unknown route. */
export class HttpError extends Error {
  readonly status: number
  readonly type: string

  constructor(status: number, type: string, message: string) {
    super(message)
    this.name = type
    this.status = status
    this.type = type
  }
}

/**
 * `JSON.stringify({ __type: type, [field]: message })`, byte for byte, without building the
 * object (a computed member name makes a slow object to build and to stringify, on every error).
 */
function errorBody(type: string, field: string, message: string): string {
  return `{"__type":${JSON.stringify(type)},${JSON.stringify(field)}:${JSON.stringify(message)}}`
}

/** Maps anything thrown while serving a request to its wire form. Never throws. */
export function toWireError(e: unknown): WireError {
  if (e instanceof HttpError) return { status: e.status, type: e.type, body: errorBody(e.type, 'message', e.message) }
  if (e instanceof KmsError) {
    // Every client error is a 400, whatever status the model gives its class.
    const status = e.fault === 'client' ? 400 : e.httpStatus
    return { status, type: e.name, body: errorBody(e.name, e.messageField, e.message) }
  }
  const internal = new KMSInternalException(
    'The request was rejected because an internal exception occurred. The request can be retried.',
  )
  return {
    status: 500,
    type: internal.name,
    body: JSON.stringify({ __type: internal.name, message: internal.message }),
    unexpected: e,
  }
}
