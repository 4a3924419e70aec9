/**
 * How key states affect operations: the key-state table of
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html (kms-facts.md §6.4).
 */
import { DisabledException, KMSInvalidStateException, UnsupportedOperationException } from './errors.ts'
import type { KmsKey } from './key.ts'
import type { KeyState } from './model.generated.ts'

/**
 * Which row of the key-state table an operation follows.
 * - `crypto`: Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, GenerateDataKeyPair*, Sign,
 *   Verify, GenerateMac, VerifyMac, GetPublicKey, DeriveSharedSecret
 * - `grant`: CreateGrant (like crypto, but allowed while Unavailable)
 * - `any`: DescribeKey, GetKeyPolicy, PutKeyPolicy, List*, RetireGrant, RevokeGrant,
 *   DeleteAlias, GetKeyRotationStatus: every state
 * - `enable-disable`: EnableKey, DisableKey
 * - `schedule-deletion`: ScheduleKeyDeletion
 * - `cancel-deletion`: CancelKeyDeletion (only while PendingDeletion)
 * - `manage`: CreateAlias, UpdateAlias (target), TagResource, UntagResource,
 *   UpdateKeyDescription, ReplicateKey, UpdatePrimaryRegion: all but pending deletion
 * - `rotation`: EnableKeyRotation, DisableKeyRotation, RotateKeyOnDemand
 * - `import`: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial: Enabled,
 *   Disabled and PendingImport (the PendingImport row of key-state.html)
 */
export type KeyStateRule =
  | 'crypto'
  | 'grant'
  | 'any'
  | 'enable-disable'
  | 'schedule-deletion'
  | 'cancel-deletion'
  | 'manage'
  | 'rotation'
  | 'import'

const STATE_TEXT: Record<KeyState, string> = {
  Enabled: 'enabled',
  Disabled: 'disabled',
  PendingDeletion: 'pending deletion',
  PendingReplicaDeletion: 'pending replica deletion',
  PendingImport: 'pending import',
  Unavailable: 'unavailable',
  Creating: 'creating',
  Updating: 'updating',
}

function invalid(key: KmsKey): KMSInvalidStateException {
  return new KMSInvalidStateException(`${key.arn} is ${STATE_TEXT[key.state]}.`)
}

/** Throws the error AWS returns when `key`'s state forbids an operation following `rule`. */
export function assertKeyState(key: KmsKey, rule: KeyStateRule): void {
  const state = key.state
  if (state === 'Enabled' || rule === 'any') {
    if (rule === 'cancel-deletion' && state === 'Enabled')
      throw new KMSInvalidStateException(`${key.arn} is not pending deletion.`)
    return
  }
  switch (rule) {
    case 'crypto':
    case 'grant':
      if (state === 'Updating') return
      if (rule === 'grant' && state === 'Unavailable') return
      if (state === 'Disabled') throw new DisabledException(`${key.arn} is disabled.`)
      throw invalid(key)
    case 'enable-disable':
      if (state === 'Disabled' || state === 'Unavailable') return
      throw invalid(key)
    case 'schedule-deletion':
      if (state === 'Updating' || state === 'PendingDeletion' || state === 'PendingReplicaDeletion') throw invalid(key)
      return
    case 'cancel-deletion':
      // Table detail [4] of key-state.html: `KMSInvalidStateException: <key ARN> is not pending deletion.`
      if (state === 'PendingDeletion' || state === 'PendingReplicaDeletion') return
      throw new KMSInvalidStateException(`${key.arn} is not pending deletion.`)
    case 'import':
      if (state === 'Disabled' || state === 'PendingImport') return
      throw invalid(key)
    case 'manage':
      if (state === 'PendingDeletion' || state === 'PendingReplicaDeletion') throw invalid(key)
      return
    case 'rotation':
      if (state === 'Disabled') throw new DisabledException(`${key.arn} is disabled.`)
      if (state === 'PendingImport' || state === 'Unavailable') {
        throw new UnsupportedOperationException(
          `${key.arn} origin is ${key.origin} which is not valid for this operation.`,
        )
      }
      throw invalid(key)
  }
}
