/**
 * KMS errors: one class per AWS error, named exactly as the wire `__type`
 * (https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html and each
 * operation's "Errors" section). `server/` maps them to HTTP in one place.
 *
 * Wire status: real KMS answers 400 for every client error, even those the Smithy model
 * marks 404/409 (NotFoundException, DisabledException, ...); only the three server faults
 * use 5xx (kms-facts.md §6.5, §7).
 */

/** The field that carries the text on the wire: AWS uses `Message` for a few errors. */
export type MessageField = 'message' | 'Message'

/** Base class of every KMS error. `name` is the AWS error code (`__type`). */
export abstract class KmsError extends Error {
  abstract override readonly name: string
  /**
   * @param message the error's text, as the wire carries it
   * @param options the cause, as for `Error`
   */
  constructor(message?: string, options?: ErrorOptions) {
    // A KMS error is an answer to the caller, not a fault of this program: nothing reads its
    // stack (the server logs stacks of unexpected errors only), and capturing one in Error's
    // constructor was 13 % of the endpoint's CPU on a workload of unknown key ids (perf). The
    // limit is restored before any other code can run.
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(message, options)
    Error.stackTraceLimit = limit
  }
  /** Whether the caller (client) or the service (server) is at fault. */
  readonly fault: 'client' | 'server' = 'client'
  /** HTTP status real KMS answers with. */
  readonly httpStatus: number = 400
  /** Body member that carries the message on the wire. */
  readonly messageField: MessageField = 'message'
}

// ---- client errors (400) -------------------------------------------------------------

/** A parameter failed a constraint, or parameters conflict. */
export class ValidationException extends KmsError {
  override readonly name = 'ValidationException'
}
/** Denied by key policy, IAM policy or grants; or a ciphertext names a key the caller cannot reach. */
export class AccessDeniedException extends KmsError {
  override readonly name = 'AccessDeniedException'
  override readonly messageField = 'Message'
}
/** The request rate exceeded a KMS request quota. */
export class ThrottlingException extends KmsError {
  override readonly name = 'ThrottlingException'
}
export class AlreadyExistsException extends KmsError {
  override readonly name = 'AlreadyExistsException'
}
export class ConflictException extends KmsError {
  override readonly name = 'ConflictException'
}
export class DisabledException extends KmsError {
  override readonly name = 'DisabledException'
}
/** The model says HTTP 412; real KMS answers 400 like every client error (LocalStack's AWS-recorded snapshot). */
export class DryRunOperationException extends KmsError {
  override readonly name = 'DryRunOperationException'
}
export class ExpiredImportTokenException extends KmsError {
  override readonly name = 'ExpiredImportTokenException'
}
export class IncorrectKeyException extends KmsError {
  override readonly name = 'IncorrectKeyException'
}
export class IncorrectKeyMaterialException extends KmsError {
  override readonly name = 'IncorrectKeyMaterialException'
}
export class InvalidAliasNameException extends KmsError {
  override readonly name = 'InvalidAliasNameException'
}
export class InvalidArnException extends KmsError {
  override readonly name = 'InvalidArnException'
}
export class InvalidCiphertextException extends KmsError {
  override readonly name = 'InvalidCiphertextException'
}
export class InvalidGrantIdException extends KmsError {
  override readonly name = 'InvalidGrantIdException'
}
export class InvalidGrantTokenException extends KmsError {
  override readonly name = 'InvalidGrantTokenException'
}
export class InvalidImportTokenException extends KmsError {
  override readonly name = 'InvalidImportTokenException'
}
export class InvalidKeyUsageException extends KmsError {
  override readonly name = 'InvalidKeyUsageException'
}
export class InvalidMarkerException extends KmsError {
  override readonly name = 'InvalidMarkerException'
}
export class KMSInvalidMacException extends KmsError {
  override readonly name = 'KMSInvalidMacException'
}
export class KMSInvalidSignatureException extends KmsError {
  override readonly name = 'KMSInvalidSignatureException'
}
export class KMSInvalidStateException extends KmsError {
  override readonly name = 'KMSInvalidStateException'
}
export class LimitExceededException extends KmsError {
  override readonly name = 'LimitExceededException'
}
export class MalformedPolicyDocumentException extends KmsError {
  override readonly name = 'MalformedPolicyDocumentException'
}
export class NotFoundException extends KmsError {
  override readonly name = 'NotFoundException'
}
export class TagException extends KmsError {
  override readonly name = 'TagException'
}
export class UnsupportedOperationException extends KmsError {
  override readonly name = 'UnsupportedOperationException'
  override readonly messageField = 'Message'
}
export class CustomKeyStoreNotFoundException extends KmsError {
  override readonly name = 'CustomKeyStoreNotFoundException'
}
export class CustomKeyStoreInvalidStateException extends KmsError {
  override readonly name = 'CustomKeyStoreInvalidStateException'
}
/** Another custom key store in the account and Region has this name. */
export class CustomKeyStoreNameInUseException extends KmsError {
  override readonly name = 'CustomKeyStoreNameInUseException'
}
/** DeleteCustomKeyStore on a store that still holds KMS keys. */
export class CustomKeyStoreHasCMKsException extends KmsError {
  override readonly name = 'CustomKeyStoreHasCMKsException'
}
/** The CloudHSM cluster already backs another custom key store. */
export class CloudHsmClusterInUseException extends KmsError {
  override readonly name = 'CloudHsmClusterInUseException'
}
/** Another external key store uses this proxy URI endpoint and path. */
export class XksProxyUriInUseException extends KmsError {
  override readonly name = 'XksProxyUriInUseException'
}
/** Another external key store uses this proxy URI endpoint. */
export class XksProxyUriEndpointInUseException extends KmsError {
  override readonly name = 'XksProxyUriEndpointInUseException'
}
/** Another external key store uses this VPC endpoint service. */
export class XksProxyVpcEndpointServiceInUseException extends KmsError {
  override readonly name = 'XksProxyVpcEndpointServiceInUseException'
}
/** The external key store proxy settings are not valid. */
export class XksProxyInvalidConfigurationException extends KmsError {
  override readonly name = 'XksProxyInvalidConfigurationException'
}
/** The external key is already associated with a KMS key in this key store. */
/** KMS cannot reach the XKS proxy URI path (CreateCustomKeyStore / UpdateCustomKeyStore test it first). */
export class XksProxyUriUnreachableException extends KmsError {
  override readonly name = 'XksProxyUriUnreachableException'
}
export class XksKeyAlreadyInUseException extends KmsError {
  override readonly name = 'XksKeyAlreadyInUseException'
}
/** The external key store proxy has no key with this id. */
export class XksKeyNotFoundException extends KmsError {
  override readonly name = 'XksKeyNotFoundException'
}
export class CloudHsmClusterNotFoundException extends KmsError {
  override readonly name = 'CloudHsmClusterNotFoundException'
}
/**
 * Names under the reserved `alias/aws/` prefix (CreateAlias, UpdateAlias, DeleteAlias). Not in
 * the KMS Smithy model: SDKs surface it as a generic service exception named
 * `NotAuthorizedException` (moto reproduces the same).
 */
export class NotAuthorizedException extends KmsError {
  override readonly name = 'NotAuthorizedException'
}
/** The JSON body could not be parsed (awsJson1_1 protocol error). */
export class SerializationException extends KmsError {
  override readonly name = 'SerializationException'
}
/** `X-Amz-Target` names no KMS operation (awsJson1_1 protocol error). */
export class UnknownOperationException extends KmsError {
  override readonly name = 'UnknownOperationException'
}
/** The Authorization header is missing parts (SigV4). */
export class IncompleteSignatureException extends KmsError {
  override readonly name = 'IncompleteSignatureException'
}
/** The SigV4 signature does not match, or the request date is stale. */
export class InvalidSignatureException extends KmsError {
  override readonly name = 'InvalidSignatureException'
}
/** The access key id is unknown. */
export class UnrecognizedClientException extends KmsError {
  override readonly name = 'UnrecognizedClientException'
}
/** No Authorization header at all. */
export class MissingAuthenticationTokenException extends KmsError {
  override readonly name = 'MissingAuthenticationTokenException'
}

// ---- server faults (5xx, retried by the SDKs as transient) --------------------------

export class KMSInternalException extends KmsError {
  override readonly name = 'KMSInternalException'
  override readonly fault = 'server'
  override readonly httpStatus = 500
}
export class DependencyTimeoutException extends KmsError {
  override readonly name = 'DependencyTimeoutException'
  override readonly fault = 'server'
  override readonly httpStatus = 503
}
export class KeyUnavailableException extends KmsError {
  override readonly name = 'KeyUnavailableException'
  override readonly fault = 'server'
  override readonly httpStatus = 500
}

/** AWS's exact throttling text (https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html). */
export const THROTTLING_MESSAGE =
  'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.'

/** True when `e` is a {@link KmsError}. */
export function isKmsError(e: unknown): e is KmsError {
  return e instanceof KmsError
}
