/**
 * The KMS endpoint (`kms-bench serve`): awsJson1_1 over the embedded emulator.
 */
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT, startKmsServer } from './http.ts'
export type { KmsServer, KmsServerOptions } from './http.ts'
export {
  CredentialStore,
  CredentialsFileError,
  fileSchema as credentialsFileSchema,
  parseCredentialsFile,
} from './credentials.ts'
export type { Credential } from './credentials.ts'
export { DECLARED_ERROR_STATUSES, HttpError, SERVER_FAULT_TYPES, toWireError } from './errors.ts'
export type { WireError } from './errors.ts'
export { RequestAuthenticator } from './identity.ts'
export type { AuthMode, RequestAuthenticatorOptions, RequestIdentity } from './identity.ts'
export { STATE_FILE, StateDirError, StatePersistence } from './persistence.ts'
export { applySeed, parseSeed, SeedError, seedSchema } from './seed.ts'
export type { Seed, SeedResult } from './seed.ts'
export { MAX_CLOCK_SKEW_MS, NodeSha256, parseAmzDate, parseAuthorization, SigV4Verifier } from './sigv4.ts'
export type { ParsedAuthorization, ReceivedRequest, SigV4VerifierOptions } from './sigv4.ts'
export { decodeInput, decodeRequest, encodeOutput, encodeResponse } from './wire.ts'
export type { HealthReport } from './admin-routes.ts'
export type { StateSink } from './api.ts'
export { AuditFile } from './audit-file.ts'
export type { AuditDeliveryStatus, AuditFileOptions } from './audit-file.ts'
export { HostGuard, hostName, isLoopbackHost, refuseCrossSite } from './guards.ts'
export { LOCK_FILE, lockStateDir } from './state-dir.ts'
export type { StateDirLock } from './state-dir.ts'
