/**
 * Key deletion: the waiting period, the deletion itself when it ends, and cancellation
 * (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html).
 *
 * Deletion really happens, at the deletion date in the clock's time (virtual time
 * included): ScheduleKeyDeletion queues a task on the core's scheduler, which runs it before
 * the first call made at or after that moment. The key then disappears from its Region
 * (NotFoundException afterwards, not listed), together with every alias that points at it
 * and its grants, and a CloudTrail `DeleteKey` service event is recorded.
 *
 * Multi-Region keys: a primary key that still has replicas waits in PendingReplicaDeletion;
 * its waiting period starts only when its last replica is deleted (not just scheduled).
 * {@link deleteKeyNow} starts it; the multi-Region operations (ReplicateKey,
 * UpdatePrimaryRegion) can use {@link hasReplicas} and {@link startDeletionWindow}.
 */
import { buildServiceEvent } from './audit.ts'
import type { CoreServices } from './context.ts'
import type { KmsKey } from './key.ts'

/** One day in ms. */
export const DAY_MS = 86_400_000
/** ScheduleKeyDeletion's default waiting period, in days. */
export const DEFAULT_PENDING_WINDOW_DAYS = 30
/** Shortest waiting period KMS accepts (the model allows 1; the service enforces 7). */
export const MIN_PENDING_WINDOW_DAYS = 7
/** Longest waiting period KMS accepts (the model allows 365; the service enforces 30). */
export const MAX_PENDING_WINDOW_DAYS = 30

/** True when `key` is the primary key of a multi-Region key that still has replicas. */
export function hasReplicas(key: KmsKey): boolean {
  const link = key.multiRegion
  return link !== undefined && link.primaryRegion === key.region && link.regions.size > 1
}

/**
 * Schedules the deletion of `key` after `windowDays` days from `now`. A multi-Region primary
 * with replicas goes to PendingReplicaDeletion instead, without a deletion date, and its
 * window starts when its last replica is deleted. Does not check key state or access.
 */
export function scheduleDeletion(core: CoreServices, key: KmsKey, windowDays: number, now: number): void {
  key.pendingWindowDays = windowDays
  if (hasReplicas(key)) {
    key.state = 'PendingReplicaDeletion'
    key.deletionDate = undefined
    return
  }
  startDeletionWindow(core, key, now)
}

/**
 * Starts the waiting period of a key scheduled for deletion at `from`: the key is
 * PendingDeletion and is deleted at `from + pendingWindowDays` days.
 */
export function startDeletionWindow(core: CoreServices, key: KmsKey, from: number): void {
  const at = from + (key.pendingWindowDays ?? DEFAULT_PENDING_WINDOW_DAYS) * DAY_MS
  key.state = 'PendingDeletion'
  key.deletionDate = at
  core.scheduler.schedule(at, (when) => {
    // Not cancelled by CancelKeyDeletion: the task acts only if the key is still due now.
    if (key.state === 'PendingDeletion' && key.deletionDate === when) deleteKeyNow(core, key, when)
  })
}

/** Cancels a scheduled deletion: the key becomes Disabled (API_CancelKeyDeletion.html). */
export function cancelDeletion(key: KmsKey): void {
  key.state = 'Disabled'
  key.deletionDate = undefined
  key.pendingWindowDays = undefined
}

/**
 * Deletes `key` from its account and Region at time `at`, with its aliases and grants, and records the
 * CloudTrail `DeleteKey` event. When the key is the last replica of a multi-Region primary
 * that is PendingReplicaDeletion, the primary's waiting period starts at `at`. A key that is
 * no longer stored is left alone.
 */
export function deleteKeyNow(core: CoreServices, key: KmsKey, at: number): void {
  const state = core.store.peekRegion(key.account, key.region)
  if (state === undefined || state.keys.get(key.keyId) !== key) return
  state.keys.delete(key.keyId)
  // "KMS deletes the KMS key, its key material, and all KMS data associated with it,
  // including all aliases that refer to it" (API_ScheduleKeyDeletion.html).
  for (const [name, alias] of state.aliases) if (alias.targetKeyId === key.keyId) state.aliases.delete(name)
  state.grants.deleteKey(key.keyId)
  recordDeleteKeyEvent(core, key, at)
  const link = key.multiRegion
  if (link === undefined) return
  link.regions.delete(key.region)
  if (link.primaryRegion === key.region) return
  const primary = core.store.peekRegion(link.account, link.primaryRegion)?.keys.get(link.keyId)
  if (primary !== undefined && primary.state === 'PendingReplicaDeletion' && !hasReplicas(primary))
    startDeletionWindow(core, primary, at)
}

/**
 * The CloudTrail record KMS writes when it deletes a key at the end of its waiting period
 * (https://docs.aws.amazon.com/kms/latest/developerguide/ct-deletekey.html): an
 * `AwsServiceEvent` invoked by KMS itself.
 */
function recordDeleteKeyEvent(core: CoreServices, key: KmsKey, at: number): void {
  if (!core.audit.enabled) return
  core.audit.record(
    buildServiceEvent({
      eventName: 'DeleteKey',
      key,
      at,
      invokedBy: 'kms.amazonaws.com',
      additionalEventData: { keyId: key.keyId },
    }),
  )
}
