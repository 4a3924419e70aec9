/**
 * Key material rotation, automatic and on demand
 * (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
 *
 * A rotation adds a material version and makes it current: new ciphertext names the new
 * version, old ciphertext keeps naming (and decrypting with) its own. The material and the
 * rotation state are shared objects between a multi-Region primary and its replicas
 * (`key-factory.ts`), so one rotation applies to every Region at once.
 *
 * Automatic rotation happens when the clock passes the due date, virtual time included: it is
 * a task on `core.scheduler`, which the core runs lazily, in time order, before each call.
 * Rules from the developer guide and the GetKeyRotationStatus API reference:
 * - a key that is not Enabled when its rotation falls due (Disabled, pending deletion) is not
 *   rotated; it is watched (`core.rotationWatch`) and rotated at once when it is Enabled again,
 *   then every period from then on; a key whose deletion is cancelled returns to Disabled,
 *   so the same rule applies after EnableKey;
 * - on-demand rotations do not change the automatic schedule;
 * - AWS managed keys rotate every year (`core.ensureAwsManagedKey` schedules them here).
 *
 * Every rotation is audited as KMS does, with a `RotateKey` AwsServiceEvent in each Region
 * that holds the key (https://docs.aws.amazon.com/kms/latest/developerguide/ct-rotatekey.html).
 */
import { buildServiceEvent, type AuditEvent } from './audit.ts'
import type { CoreServices } from './context.ts'
import { DAY_MS } from './deletion.ts'
import { ConflictException, LimitExceededException, UnsupportedOperationException } from './errors.ts'
import type { KmsKey, RotationState } from './key.ts'
import { newKeyMaterial } from './key-material.ts'
import { isMultiRegionPrimary, notPrimaryError, primaryRecord, regionRecords } from './multi-region.ts'
import type { ScheduledTask } from './scheduler.ts'

/** Rotation period when EnableKeyRotation names none (API_EnableKeyRotation.html). */
export const DEFAULT_ROTATION_PERIOD_DAYS = 365
/** AWS managed keys rotate yearly since May 2022 (API_EnableKeyRotation.html). */
export const AWS_MANAGED_ROTATION_PERIOD_DAYS = 365
/** On-demand rotations allowed per key; not adjustable (resource-limits.html). */
export const MAX_ON_DEMAND_ROTATIONS = 10
/** RotateKeyOnDemand conflicts with an automatic rotation due this soon (ConflictException). */
export const ROTATION_CONFLICT_WINDOW_MS = 20 * 60_000

/** The ConflictException text of the KMS API reference (ConflictException shape). */
export const ROTATION_CONFLICT_MESSAGE =
  'The request was rejected because an automatic rotation of this key is currently in progress or scheduled to begin within the next 20 minutes.'

/** AWS's LimitExceededException text for the 11th on-demand rotation (LocalStack's AWS-recorded snapshot). */
export function onDemandLimitMessage(key: KmsKey): string {
  return `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`
}

/** The pending automatic-rotation task of each rotation state (shared by a multi-Region key's records). */
const tasks = new WeakMap<RotationState, ScheduledTask>()

/**
 * Checks that `key` is a kind of key whose rotation KMS manages through the API: a symmetric
 * encryption key with KMS-generated material, outside custom key stores
 * (API_EnableKeyRotation.html, API_RotateKeyOnDemand.html). `op` picks the message: AWS answers
 * RotateKeyOnDemand on an asymmetric or HMAC key with an empty message (LocalStack's
 * AWS-recorded snapshot); for the others the message names the problem.
 */
export function assertRotatableKeyType(key: KmsKey, op: string): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT') {
    throw new UnsupportedOperationException(
      op === 'RotateKeyOnDemand'
        ? ''
        : `${key.arn} key spec is ${key.keySpec}; ${op} supports symmetric encryption keys only.`,
    )
  }
  if (key.origin !== 'AWS_KMS' || key.customKeyStoreId !== undefined) {
    throw new UnsupportedOperationException(`${key.arn} origin is ${key.origin} which is not valid for this operation.`)
  }
}

/**
 * Checks that rotation is managed on this record: for a multi-Region key only the primary
 * takes EnableKeyRotation, DisableKeyRotation and RotateKeyOnDemand ("set the property on the
 * primary key"; "invoke the on-demand rotation on the primary key").
 */
export function assertRotationOnPrimary(key: KmsKey): void {
  if (key.multiRegion !== undefined && !isMultiRegionPrimary(key)) throw notPrimaryError(key)
}

/**
 * Whether automatic rotation is in effect as GetKeyRotationStatus reports it: enabled, and the
 * key not pending deletion ("While a KMS key is pending deletion, its key rotation status is
 * false"; cancelling the deletion brings `true` back because the setting itself is kept).
 */
export function isAutomaticRotationActive(key: KmsKey): boolean {
  return key.rotation.enabled && key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion'
}

/**
 * Adds a new material version to `key` (and so to all its multi-Region records) at epoch ms
 * `at`, makes it current, records the rotation for ListKeyRotations and audits it.
 */
export function rotateKeyMaterial(core: CoreServices, key: KmsKey, at: number, type: 'AUTOMATIC' | 'ON_DEMAND'): void {
  const material = key.material
  const previous = material.versions[material.current]
  const version = material.versions.length
  const fresh = newKeyMaterial(key.keySpec, version, at, core.random)
  material.versions.push(fresh)
  material.current = version
  key.rotation.history.push({ materialId: fresh.id, at, type })
  if (core.audit.enabled) {
    for (const record of regionRecords(core, key))
      core.audit.record(rotateKeyEvent(record, at, type, previous?.id, fresh.id))
  }
}

/**
 * Turns automatic rotation on (or changes its period). A key whose rotation was off rotates
 * `periodDays` after `now`. A key whose rotation was already on keeps the start of its
 * current cycle and gets the new period from there; when that date has already passed it
 * rotates at once. (The API reference says the period can be modified but not how the next
 * date moves: this is our reading.)
 */
export function enableAutomaticRotation(core: CoreServices, key: KmsKey, periodDays: number, now: number): void {
  const r = key.rotation
  if (r.enabled && r.nextRotationAt !== undefined) {
    const cycleStart = r.nextRotationAt - r.periodDays * DAY_MS
    r.nextRotationAt = Math.max(cycleStart + periodDays * DAY_MS, now)
  } else {
    r.nextRotationAt = now + periodDays * DAY_MS
  }
  r.enabled = true
  r.periodDays = periodDays
  scheduleAutomaticRotation(core, key)
}

/** Turns automatic rotation off; the period is kept for the record, the schedule is dropped. */
export function disableAutomaticRotation(core: CoreServices, key: KmsKey): void {
  const r = key.rotation
  r.enabled = false
  r.nextRotationAt = undefined
  tasks.get(r)?.cancel()
  tasks.delete(r)
  for (const watched of core.rotationWatch) if (watched.rotation === r) core.rotationWatch.delete(watched)
}

/**
 * (Re)schedules the automatic rotation of `key` at `key.rotation.nextRotationAt`, replacing
 * any pending task. Call it after changing the rotation state by hand, and for every key after
 * restoring saved state (see {@link rescheduleAllRotations}).
 */
export function scheduleAutomaticRotation(core: CoreServices, key: KmsKey): void {
  const r = key.rotation
  tasks.get(r)?.cancel()
  tasks.delete(r)
  const due = r.nextRotationAt
  if (!r.enabled || due === undefined) return
  tasks.set(
    r,
    core.scheduler.schedule(due, (at) => automaticRotationDue(core, key, at)),
  )
}

/** Re-creates the schedule of every key with automatic rotation on (after a state restore). */
export function rescheduleAllRotations(core: CoreServices): void {
  const seen = new Set<RotationState>()
  for (const state of core.store.regions()) {
    for (const key of state.keys.values()) {
      if (seen.has(key.rotation)) continue
      seen.add(key.rotation)
      scheduleAutomaticRotation(core, key)
      if (key.rotation.onDemandStartedAt !== undefined)
        completeOnDemandAt(core, key, key.rotation.onDemandStartedAt + core.asyncDelays.onDemandRotationMs)
    }
  }
}

function automaticRotationDue(core: CoreServices, key: KmsKey, at: number): void {
  const r = key.rotation
  tasks.delete(r)
  if (!r.enabled || r.nextRotationAt !== at) return
  const primary = primaryRecord(core, key)
  if (primary === undefined) return
  if (primary.state !== 'Enabled') {
    // Disabled or pending deletion: no rotation now; rotate as soon as it is Enabled again.
    core.rotationWatch.add(primary)
    return
  }
  rotateKeyMaterial(core, primary, at, 'AUTOMATIC')
  r.nextRotationAt = at + r.periodDays * DAY_MS
  scheduleAutomaticRotation(core, primary)
}

/**
 * Rotates the watched keys that are Enabled again and overdue ("If the key material in the
 * re-enabled KMS key hasn't been rotated in one year, KMS rotates it immediately, and every
 * year thereafter", API_GetKeyRotationStatus.html). The core calls it after each successful
 * call while the watch set is not empty.
 */
export function resumeOverdueRotations(core: CoreServices, now: number): void {
  for (const watched of core.rotationWatch) {
    const r = watched.rotation
    const primary = primaryRecord(core, watched)
    if (primary === undefined || !r.enabled || r.nextRotationAt === undefined || r.nextRotationAt > now) {
      core.rotationWatch.delete(watched)
      continue
    }
    if (primary.state !== 'Enabled') continue
    core.rotationWatch.delete(watched)
    rotateKeyMaterial(core, primary, now, 'AUTOMATIC')
    r.nextRotationAt = now + r.periodDays * DAY_MS
    scheduleAutomaticRotation(core, primary)
  }
}

/**
 * Starts an on-demand rotation of `key` (a primary or single-Region key, checked by the
 * caller). Throws LimitExceededException after 10, ConflictException while another rotation
 * is in progress or an automatic one is due within 20 minutes. With
 * `core.asyncDelays.onDemandRotationMs` = 0 (the default) it completes at once; otherwise
 * GetKeyRotationStatus shows OnDemandRotationStartDate until it completes.
 */
export function startOnDemandRotation(core: CoreServices, key: KmsKey, now: number): void {
  const r = key.rotation
  if (r.onDemandCount >= MAX_ON_DEMAND_ROTATIONS) throw new LimitExceededException(onDemandLimitMessage(key))
  if (r.onDemandStartedAt !== undefined) throw new ConflictException(ROTATION_CONFLICT_MESSAGE)
  if (r.enabled && r.nextRotationAt !== undefined && r.nextRotationAt - now <= ROTATION_CONFLICT_WINDOW_MS) {
    throw new ConflictException(ROTATION_CONFLICT_MESSAGE)
  }
  r.onDemandCount++
  const delay = core.asyncDelays.onDemandRotationMs
  if (!(delay > 0)) {
    rotateKeyMaterial(core, key, now, 'ON_DEMAND')
    return
  }
  r.onDemandStartedAt = now
  completeOnDemandAt(core, key, now + delay)
}

function completeOnDemandAt(core: CoreServices, key: KmsKey, at: number): void {
  core.scheduler.schedule(at, (when) => {
    key.rotation.onDemandStartedAt = undefined
    const primary = primaryRecord(core, key)
    if (primary !== undefined) rotateKeyMaterial(core, primary, when, 'ON_DEMAND')
  })
}

/**
 * The CloudTrail record of a rotation: an AwsServiceEvent made by KMS itself, not an API call
 * (https://docs.aws.amazon.com/kms/latest/developerguide/ct-rotatekey.html), with the
 * rotation's type and key material ids in `serviceEventDetails`.
 */
export function rotateKeyEvent(
  key: KmsKey,
  at: number,
  type: 'AUTOMATIC' | 'ON_DEMAND',
  previousId: string | undefined,
  currentId: string,
): AuditEvent {
  return buildServiceEvent({
    eventName: 'RotateKey',
    key,
    at,
    invokedBy: 'AWS Internal',
    serviceEventDetails: {
      rotationType: type,
      keyOrigin: key.origin,
      ...(previousId !== undefined ? { previousKeyMaterialId: previousId } : {}),
      currentKeyMaterialId: currentId,
      keyId: key.keyId,
    },
  })
}
