/**
 * Front door of the KMS emulator core: other modules import from here only. The core itself
 * (`core.ts`) does not know its handlers; the explicit operation table (`operations/index.ts`)
 * is exported here for the emulator to inject.
 */
export { PolicyAuthorizer } from './access/authorizer.ts'
export type { AccessDecision, DecisionReason } from './access/evaluate.ts'
export { LOCKOUT_MESSAGE } from './access/messages.ts'
export type { AuditEvent, AuditOptions } from './audit.ts'
export { AWS_OWNED_KEYS_ACCOUNT, awsOwnedKeyCaller } from './aws-owned-keys.ts'
export { parsePrincipal, type Caller, type CallerInput } from './caller.ts'
export { parseSymmetricHeader } from './ciphertext.ts'
export type { AccessRequest, AsyncDelays, Authorizer, CoreServices, OperationTable, OpContext } from './context.ts'
export { allowAll, DEFAULT_GRANT_PROPAGATION_DELAY_MS, KmsCore, type KmsCoreOptions } from './core.ts'
export * from './errors.ts'
export { isAccountId } from './ids.ts'
export { newKeyRecord } from './key-factory.ts'
export type { KmsKey } from './key.ts'
export {
  OPERATION_NAMES,
  OPERATIONS,
  SHAPES,
  type CustomKeyStoreType,
  type KeySpec,
  type KeyUsageType,
  type OperationInputs,
  type OperationName,
  type OperationOutputs,
} from './model.generated.ts'
export { OPERATION_TABLE } from './operations/index.ts'
export {
  billableKeys,
  estimateCost,
  KMS_PRICES,
  keyMonthlyPriceUsd,
  type BillableKey,
  type CostEstimate,
  type CostFigures,
  type CostInput,
  type KeyCostInput,
  type KmsPrices,
} from './pricing.ts'
export {
  restoreSnapshot,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  SnapshotError,
  takeSnapshot,
  type KmsSnapshot,
} from './snapshot.ts'
export {
  CONNECTION_ERROR_CODES,
  CUSTOM_KEY_STORE_LATENCY_MS,
  keyStoresOfCall,
  setConnectionFailure,
} from './custom-key-stores.ts'
export { ChangeTracker, RECORD_SEP, TrackedMap } from './changes.ts'
export { restoreRecords, StateRecords } from './state-records.ts'
export type { Encoded } from './snapshot.ts'
