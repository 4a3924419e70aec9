/**
 * Saving and restoring the whole KMS state of a core, so that `kms-bench serve --state DIR`
 * survives restarts and ciphertext stays decryptable.
 *
 * What a snapshot holds: every account × Region state of the store with all its fields (keys
 * with their material versions, rotation state and history, multi-Region links, tags and key
 * policies; aliases; grants; whatever other fields the region state grows), and the IAM
 * identity policies. Secret material is exported as bytes, asymmetric keys as PKCS#8 (private)
 * and SPKI (public) DER. Objects shared between records (a multi-Region key's material,
 * rotation state and link, shared by the primary and its replicas in several Regions) are
 * written once and restored as one shared object again.
 *
 * Not held (by design): the audit log (stream it with the audit sink), quota windows and
 * usage (time-bound), caches. Scheduled work (deletions at the end of a waiting period,
 * automatic rotations, on-demand rotations in progress) is not serialized as such but
 * re-derived from the key records on restore; a multi-Region replication or primary update
 * still in progress (only with non-zero `core.asyncDelays`) is completed.
 *
 * Format: JSON, `{ format: 'kms-bench-state', version: 1, savedAt, regions: [...],
 * identityPolicies: [...] }`. Values are encoded by a small tagged graph encoding (below)
 * that follows the records' own fields, so fields other modules add to key records or region
 * states are saved without changes here; a field holding a class instance without a codec
 * below is refused with an error naming it rather than silently dropped. A later format
 * bumps `version` and keeps reading version 1.
 */
import { createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'node:crypto'
import { regionProblem } from './caller.ts'
import type { CoreServices } from './context.ts'
import { DAY_MS, DEFAULT_PENDING_WINDOW_DAYS, startDeletionWindow } from './deletion.ts'
import { GrantStore } from './grants.ts'
import { IdentityPolicyStore } from './identity-policies.ts'
import { isAccountId } from './ids.ts'
import { rescheduleExpiries } from './import-material.ts'
import { finishConnecting } from './custom-key-stores.ts'
import { rescheduleAllRotations } from './rotation.ts'
import { RegionState } from './store.ts'
import { checkKeyRecord } from './key-record-check.ts'
import { SnapshotError } from './snapshot-error.ts'

/** The `format` tag of a snapshot. */
export const SNAPSHOT_FORMAT = 'kms-bench-state'
/** The snapshot format version this code writes. */
export const SNAPSHOT_VERSION = 1

/** A JSON value of the tagged encoding. */
export type Encoded = null | boolean | number | string | Encoded[] | { [k: string]: Encoded }

/** One account × Region state, encoded. */
export interface RegionSnapshot {
  readonly account: string
  readonly region: string
  /** Every own field of the region state except `account` and `region`, encoded. */
  readonly fields: Record<string, Encoded>
}

/** A whole core's state (see the module comment). */
export interface KmsSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT
  readonly version: typeof SNAPSHOT_VERSION
  /** Epoch ms of the core's clock when taken. */
  readonly savedAt: number
  readonly regions: readonly RegionSnapshot[]
  readonly identityPolicies: readonly { readonly principal: string; readonly name: string; readonly document: string }[]
}

export { SnapshotError } from './snapshot-error.ts'

/**
 * Codecs of class instances the state may hold. Each saves the instance as a list of values
 * (encoded like any other) and rebuilds it from them.
 */
interface ClassCodec<T extends object> {
  readonly name: string
  is(v: object): v is T
  items(v: T): unknown[]
  create(): T
  fill(target: T, items: unknown[]): void
}

const GRANT_STORE: ClassCodec<GrantStore> = {
  name: 'GrantStore',
  is: (v): v is GrantStore => v instanceof GrantStore,
  items: (v) => [...v.all()],
  create: () => new GrantStore(),
  fill: (target, items) => {
    for (const g of items) target.add(g as Parameters<GrantStore['add']>[0])
  },
}

const CODECS: readonly ClassCodec<object>[] = [GRANT_STORE as unknown as ClassCodec<object>]

// ---- encoding -----------------------------------------------------------------------------

/** DER exports are costly (RSA) and key objects never change: export each one once. */
const derCache = new WeakMap<KeyObject, Encoded>()

/** The tagged graph encoding of one value (objects shared within it are written once). */
export class Encoder {
  readonly #ids = new Map<object, number>()

  encode(v: unknown, path: string): Encoded {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v
      case 'number':
        return Number.isFinite(v) ? v : { $num: String(v) }
      case 'undefined':
        return { $undefined: true }
      case 'bigint':
        return { $bigint: v.toString() }
      case 'function':
      case 'symbol':
        throw new SnapshotError(`cannot save ${path}: a ${typeof v} is not state`)
    }
    if (v === null) return null
    const obj = v as object
    if (obj instanceof KeyObject) return this.#keyObject(obj)
    if (ArrayBuffer.isView(obj))
      return { $bytes: Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64') }
    if (obj instanceof Date) return { $date: obj.getTime() }
    const seen = this.#ids.get(obj)
    if (seen !== undefined) return { $ref: seen }
    const id = this.#ids.size
    this.#ids.set(obj, id)
    if (Array.isArray(obj)) return { $id: id, $array: obj.map((x, i) => this.encode(x, `${path}[${i}]`)) }
    if (obj instanceof Map) {
      return {
        $id: id,
        $map: [...obj].map(([k, x]) => [this.encode(k, `${path} key`), this.encode(x, `${path}.get(${String(k)})`)]),
      }
    }
    if (obj instanceof Set) return { $id: id, $set: [...obj].map((x) => this.encode(x, `${path} item`)) }
    const codec = CODECS.find((c) => c.is(obj))
    if (codec !== undefined)
      return { $id: id, $class: codec.name, items: codec.items(obj).map((x, i) => this.encode(x, `${path}[${i}]`)) }
    const proto = Object.getPrototypeOf(obj) as object | null
    if (proto !== Object.prototype && proto !== null) {
      const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'unknown class'
      throw new SnapshotError(
        `cannot save ${path}: a ${name} instance has no snapshot codec (add one in kms/snapshot.ts)`,
      )
    }
    const out: Record<string, Encoded> = {}
    for (const [k, x] of Object.entries(obj)) out[k] = this.encode(x, `${path}.${k}`)
    return { $id: id, $object: out }
  }

  #keyObject(k: KeyObject): Encoded {
    const cached = derCache.get(k)
    if (cached !== undefined) return cached
    let enc: Encoded
    if (k.type === 'private')
      enc = { $key: 'private', der: k.export({ format: 'der', type: 'pkcs8' }).toString('base64') }
    else if (k.type === 'public')
      enc = { $key: 'public', der: k.export({ format: 'der', type: 'spki' }).toString('base64') }
    else enc = { $key: 'secret', der: k.export().toString('base64') }
    derCache.set(k, enc)
    return enc
  }
}

/** Takes a snapshot of everything `core` holds (see the module comment). Throws {@link SnapshotError}. */
export function takeSnapshot(core: CoreServices): KmsSnapshot {
  const enc = new Encoder()
  const regions: RegionSnapshot[] = []
  for (const state of core.store.regions()) {
    const fields: Record<string, Encoded> = {}
    for (const [k, v] of Object.entries(state)) {
      if (k === 'account' || k === 'region') continue
      fields[k] = enc.encode(v, `${state.account}/${state.region}.${k}`)
    }
    regions.push({ account: state.account, region: state.region, fields })
  }
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    savedAt: core.clock.now(),
    regions,
    identityPolicies: [...core.identityPolicies.entries()],
  }
}

// ---- decoding -----------------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Decodes what {@link Encoder} wrote (one Decoder per encoded graph). */
export class Decoder {
  readonly #objects = new Map<number, unknown>()

  decode(v: unknown, path: string): unknown {
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v
    if (!isRecord(v)) throw new SnapshotError(`bad value at ${path}: ${JSON.stringify(v)?.slice(0, 80)}`)
    if ('$ref' in v) {
      if (typeof v['$ref'] !== 'number' || !this.#objects.has(v['$ref']))
        throw new SnapshotError(`bad reference at ${path}`)
      return this.#objects.get(v['$ref'])
    }
    if ('$undefined' in v) return undefined
    if ('$num' in v) return Number(v['$num'])
    if ('$bigint' in v) return BigInt(String(v['$bigint']))
    if ('$bytes' in v) return Buffer.from(String(v['$bytes']), 'base64')
    if ('$date' in v) return new Date(Number(v['$date']))
    if ('$key' in v) return this.#keyObject(v, path)
    const id = v['$id']
    if (typeof id !== 'number') throw new SnapshotError(`bad value at ${path}: missing $id`)
    if (Array.isArray(v['$array'])) {
      const out: unknown[] = []
      this.#objects.set(id, out)
      v['$array'].forEach((x: unknown, i: number) => {
        out.push(this.decode(x, `${path}[${i}]`))
      })
      return out
    }
    if (Array.isArray(v['$map'])) {
      const out = new Map<unknown, unknown>()
      this.#objects.set(id, out)
      for (const pair of v['$map'] as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new SnapshotError(`bad map entry at ${path}`)
        out.set(this.decode(pair[0], `${path} key`), this.decode(pair[1], `${path} value`))
      }
      return out
    }
    if (Array.isArray(v['$set'])) {
      const out = new Set<unknown>()
      this.#objects.set(id, out)
      for (const x of v['$set'] as unknown[]) out.add(this.decode(x, `${path} item`))
      return out
    }
    if (typeof v['$class'] === 'string') {
      const codec = CODECS.find((c) => c.name === v['$class'])
      if (codec === undefined || !Array.isArray(v['items']))
        throw new SnapshotError(`unknown class ${String(v['$class'])} at ${path}`)
      const out = codec.create()
      this.#objects.set(id, out)
      codec.fill(
        out,
        (v['items'] as unknown[]).map((x, i) => this.decode(x, `${path}[${i}]`)),
      )
      return out
    }
    if (isRecord(v['$object'])) {
      const out: Record<string, unknown> = {}
      this.#objects.set(id, out)
      for (const [k, x] of Object.entries(v['$object'])) {
        const value = this.decode(x, `${path}.${k}`)
        if (k === '__proto__')
          Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true })
        else out[k] = value
      }
      return out
    }
    throw new SnapshotError(`bad value at ${path}: unknown tag`)
  }

  #keyObject(v: Record<string, unknown>, path: string): KeyObject {
    const der = Buffer.from(String(v['der']), 'base64')
    try {
      if (v['$key'] === 'private') return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
      if (v['$key'] === 'public') return createPublicKey({ key: der, format: 'der', type: 'spki' })
      if (v['$key'] === 'secret') return createSecretKey(der)
    } catch (e) {
      throw new SnapshotError(`bad key material at ${path}: ${e instanceof Error ? e.message : String(e)}`)
    }
    throw new SnapshotError(`bad key type at ${path}: ${String(v['$key'])}`)
  }
}

/**
 * Replaces everything `core` holds with a snapshot's content and re-creates the scheduled
 * work it implies (deletions, rotations). Validates the snapshot first: on
 * {@link SnapshotError} the core is left unchanged.
 */
export function restoreSnapshot(core: CoreServices & { reset(): void }, snapshot: unknown): void {
  if (!isRecord(snapshot) || snapshot['format'] !== SNAPSHOT_FORMAT)
    throw new SnapshotError(`not a kms-bench state snapshot (format must be '${SNAPSHOT_FORMAT}')`)
  if (snapshot['version'] !== SNAPSHOT_VERSION) {
    throw new SnapshotError(
      `unsupported snapshot version ${String(snapshot['version'])} (this kms-bench reads version ${SNAPSHOT_VERSION})`,
    )
  }
  if (!Array.isArray(snapshot['regions']) || !Array.isArray(snapshot['identityPolicies']))
    throw new SnapshotError('snapshot needs regions and identityPolicies lists')
  // Decode everything first, so that a bad snapshot leaves the core untouched.
  const dec = new Decoder()
  const regions = (snapshot['regions'] as unknown[]).map((r, i) => {
    if (!isRecord(r) || typeof r['account'] !== 'string' || typeof r['region'] !== 'string' || !isRecord(r['fields'])) {
      throw new SnapshotError(`bad region entry #${i}`)
    }
    // Keys restored under an account or Region no caller can name would be unreachable.
    const badRegion = regionProblem(r['region'])
    if (!isAccountId(r['account']) || badRegion !== undefined) {
      throw new SnapshotError(
        `bad region entry #${i}: ${badRegion ?? `account '${r['account']}' is not a 12-digit AWS account id`}`,
      )
    }
    const fields = new Map<string, unknown>()
    for (const [k, v] of Object.entries(r['fields']))
      fields.set(k, dec.decode(v, `${r['account']}/${r['region']}.${k}`))
    return { account: r['account'], region: r['region'], fields }
  })
  const policies = (snapshot['identityPolicies'] as unknown[]).map((p, i) => {
    if (
      !isRecord(p) ||
      typeof p['principal'] !== 'string' ||
      typeof p['name'] !== 'string' ||
      typeof p['document'] !== 'string'
    ) {
      throw new SnapshotError(`bad identity policy entry #${i}`)
    }
    return { principal: p['principal'], name: p['name'], document: p['document'] }
  })
  // Check the policies as the store will, so that a bad document fails before the core is reset.
  const staged = new IdentityPolicyStore()
  policies.forEach((p, i) => {
    try {
      staged.put(p.principal, p.name, p.document)
    } catch (e) {
      throw new SnapshotError(
        `bad identity policy entry #${i} (${p.name} of ${p.principal}): ${e instanceof Error ? e.message : String(e)}`,
      )
    }
  })
  for (const r of regions) {
    const keys = r.fields.get('keys')
    if (keys instanceof Map) for (const [id, key] of keys) checkKeyRecord(key, id, `${r.account}/${r.region}`)
  }
  // Check the fields fit the current region state's shape before touching the core.
  const probe = new RegionState('000000000000', 'us-east-1') as unknown as Record<string, unknown>
  for (const r of regions) {
    for (const [k, v] of r.fields) {
      const target = probe[k]
      if (target instanceof Map && !(v instanceof Map))
        throw new SnapshotError(`${r.account}/${r.region}.${k} must be a map`)
      const codec = target !== null && typeof target === 'object' ? CODECS.find((c) => c.is(target)) : undefined
      if (codec !== undefined && !codec.is(v as object))
        throw new SnapshotError(`${r.account}/${r.region}.${k} must be a ${codec.name}`)
    }
  }

  core.reset()
  for (const r of regions) {
    const state = core.store.region(r.account, r.region) as unknown as Record<string, unknown>
    for (const [k, v] of r.fields) {
      const target = state[k]
      if (target instanceof Map && v instanceof Map) {
        target.clear()
        for (const [mk, mv] of v) target.set(mk, mv)
      } else {
        const codec = target !== null && typeof target === 'object' ? CODECS.find((c) => c.is(target)) : undefined
        if (codec !== undefined) codec.fill(target as object, codec.items(v as object))
        else state[k] = v
      }
    }
  }
  for (const p of policies) core.identityPolicies.put(p.principal, p.name, p.document)
  finishRestore(core)
}

/** After a restore: completes transient states and re-creates the scheduled work the keys imply. */
export function finishRestore(core: CoreServices): void {
  finishTransientStates(core)
  rescheduleDeletions(core)
  rescheduleExpiries(core)
  finishConnecting(core)
  rescheduleAllRotations(core)
}

/**
 * A multi-Region replication or primary-Region update in progress (only with non-zero
 * `core.asyncDelays`) completes while the server is down, as it would in AWS: the key is
 * Enabled again. (The state the key had before an update is not saved; Enabled is assumed.)
 */
function finishTransientStates(core: CoreServices): void {
  for (const state of core.store.regions()) {
    for (const key of state.keys.values())
      if (key.state === 'Creating' || key.state === 'Updating') key.state = 'Enabled'
  }
}

/** Re-queues the deletion of every key pending deletion at its saved deletion date. */
function rescheduleDeletions(core: CoreServices): void {
  for (const state of core.store.regions()) {
    for (const key of state.keys.values()) {
      if (key.state !== 'PendingDeletion' || key.deletionDate === undefined) continue
      const windowDays = key.pendingWindowDays ?? DEFAULT_PENDING_WINDOW_DAYS
      // startDeletionWindow(from) deletes at from + window: start it where it started before.
      startDeletionWindow(core, key, key.deletionDate - windowDays * DAY_MS)
    }
  }
}
