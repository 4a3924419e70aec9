/**
 * Multi-Region keys (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html):
 * one key id (`mrk-` + 32 hex), one record per Region, all sharing the same key material and
 * rotation state, so ciphertext made in one Region decrypts in another without a
 * cross-Region call. A single-Region key exists only in its own Region's state, so it is
 * invisible elsewhere.
 *
 * The records of one multi-Region key share a `MultiRegionLink` that names the primary
 * Region and every Region holding the key. Helpers here find the records and check the
 * primary-only rules. Deletion (a primary with replicas waits in PendingReplicaDeletion until
 * its last replica is deleted) lives in `deletion.ts`, which keeps the link's Regions.
 *
 * Creating (ReplicateKey) and Updating (UpdatePrimaryRegion) are transient states; AWS says
 * they last "a few seconds". Their length is `core.asyncDelays` (0 by default: the state is
 * shown in the operation's own response, then the process completes before the next call).
 */
import type { CoreServices } from './context.ts'
import { KMSInvalidStateException, UnsupportedOperationException, ValidationException } from './errors.ts'
import type { KmsKey } from './key.ts'
import { assertKeyState } from './key-state.ts'
import type { KeyState } from './model.generated.ts'
import { isKnownRegion, partitionOf, suggestRegion } from '../regions.ts'

/** True when `key` is the primary record of a multi-Region key. */
export function isMultiRegionPrimary(key: KmsKey): boolean {
  return key.multiRegion !== undefined && key.multiRegion.primaryRegion === key.region
}

/** AWS's error for an operation that needs a multi-Region primary key (LocalStack's AWS-recorded snapshot). */
export function notPrimaryError(key: KmsKey): UnsupportedOperationException {
  return new UnsupportedOperationException(`${key.arn} is not a multi-region primary key.`)
}

/** The stored record of `key` in its own Region, or undefined once it has been deleted. */
export function liveRecord(core: CoreServices, key: KmsKey): KmsKey | undefined {
  const stored = core.store.peekRegion(key.account, key.region)?.keys.get(key.keyId)
  return stored === key ? stored : undefined
}

/**
 * The record that governs shared properties (rotation): the primary's for a multi-Region key
 * (wherever the primary is now), the key itself otherwise. Undefined when it has been deleted.
 */
export function primaryRecord(core: CoreServices, key: KmsKey): KmsKey | undefined {
  const link = key.multiRegion
  if (link === undefined) return liveRecord(core, key)
  return core.store.peekRegion(link.account, link.primaryRegion)?.keys.get(link.keyId)
}

/** Every stored record of `key`: all its Regions for a multi-Region key, else just itself. */
export function regionRecords(core: CoreServices, key: KmsKey): KmsKey[] {
  const link = key.multiRegion
  if (link === undefined) return liveRecord(core, key) !== undefined ? [key] : []
  const out: KmsKey[] = []
  for (const region of link.regions) {
    const record = core.store.peekRegion(link.account, region)?.keys.get(link.keyId)
    if (record !== undefined) out.push(record)
  }
  return out
}

/**
 * Checks a Region named by ReplicateKey or UpdatePrimaryRegion: a Region where KMS is
 * offered, in the key's partition ("The replica must be in a different AWS Region than its
 * primary key and other replicas of that primary key, but in the same AWS partition",
 * API_ReplicateKey.html). AWS's message for these cases is not recorded; ours names the problem.
 */
export function assertRegionFor(key: KmsKey, region: string, member: 'ReplicaRegion' | 'PrimaryRegion'): void {
  if (!isKnownRegion(region)) {
    const hint = suggestRegion(region)
    throw new ValidationException(
      `${member} '${region}' is not an AWS Region where KMS is available${hint !== undefined ? ` (did you mean '${hint}'?)` : ''}.`,
    )
  }
  if (partitionOf(region) !== partitionOf(key.region)) {
    throw new ValidationException(
      `${member} '${region}' is in partition ${partitionOf(region)}, but ${key.arn} is in partition ${partitionOf(key.region)}; multi-Region keys stay in one partition.`,
    )
  }
}

/**
 * Checks the state of a record ReplicateKey or UpdatePrimaryRegion acts on: the key-state
 * table's "manage" row (no pending deletion), and none of the transient multi-Region states
 * ("While the key state is Updating ... you cannot replicate the new primary key",
 * API_UpdatePrimaryRegion.html; a Creating replica cannot become primary yet).
 */
export function assertMultiRegionManageable(key: KmsKey): void {
  assertKeyState(key, 'manage')
  if (key.state === 'Creating' || key.state === 'Updating') {
    throw new KMSInvalidStateException(`${key.arn} is ${key.state === 'Creating' ? 'creating' : 'updating'}.`)
  }
}

/**
 * Runs `complete` after `delayMs` of the clock's time through the core's scheduler, or at
 * once when `delayMs` is 0: the end of a transient multi-Region state.
 */
export function completeLater(core: CoreServices, now: number, delayMs: number, complete: () => void): void {
  if (delayMs > 0) core.scheduler.schedule(now + delayMs, complete)
  else complete()
}

/** Restores `state` on `key` if it is still in the transient `transient` state. */
export function endTransientState(key: KmsKey, transient: KeyState, state: KeyState): void {
  if (key.state === transient) key.state = state
}
