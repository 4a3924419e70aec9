/**
 * The KMS endpoint (`kms-bench serve`): awsJson1_1 over the embedded emulator.
 */
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT, startKmsServer } from './http.ts'
export type { KmsServer, KmsServerOptions } from './http.ts'
export { CredentialStore, CredentialsFileError, parseCredentialsFile } from './credentials.ts'
export type { Credential } from './credentials.ts'
export { DECLARED_ERROR_STATUSES, HttpError, SERVER_FAULT_TYPES, toWireError } from './errors.ts'
export type { WireError } from './errors.ts'
export { RequestAuthenticator } from './identity.ts'
export type { AuthMode, RequestAuthenticatorOptions, RequestIdentity } from './identity.ts'
export { STATE_FILE, StateDirError, StatePersistence } from './persistence.ts'
export { applySeed, parseSeed, SeedError } from './seed.ts'
export type { Seed, SeedResult } from './seed.ts'
export { MAX_CLOCK_SKEW_MS, NodeSha256, parseAmzDate, parseAuthorization, SigV4Verifier } from './sigv4.ts'
export type { ParsedAuthorization, ReceivedRequest, SigV4VerifierOptions } from './sigv4.ts'
export { decodeInput, decodeRequest, encodeOutput, encodeResponse } from './wire.ts'
