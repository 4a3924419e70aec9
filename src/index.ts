/**
 * kms-bench's public library API. Explicit named exports only.
 */
export { SystemClock, VirtualClock, VIRTUAL_EPOCH_MS } from './clock.ts'
export type { Clock, TimerHandle } from './clock.ts'
export { createEmulator, THROTTLED } from './emulator.ts'
export type { CallResult, Emulator, EmulatorOptions } from './emulator.ts'
export type { AuditEvent, AuditOptions } from './kms/audit.ts'
export type { Caller, CallerInput } from './kms/caller.ts'
export { KmsError, THROTTLING_MESSAGE } from './kms/errors.ts'
export { OPERATION_NAMES } from './kms/model.generated.ts'
export type { OperationInputs, OperationName, OperationOutputs } from './kms/model.generated.ts'
