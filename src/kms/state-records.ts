/**
 * The core's state as independent records, for incremental persistence (`server/persistence.ts`
 * journals the records a call changed). Each record is encoded on its own with the tagged
 * encoding of `snapshot.ts`, so fields other modules add to key records are saved unchanged.
 *
 * Record ids (`/`-separated; account ids and Regions contain no `/`):
 * - `k/ACCOUNT/REGION/KEYID`: a single-Region key.
 * - `m/ACCOUNT/KEYID`: every Region's copy of one multi-Region key, in one record, because
 *   the copies share their material, rotation state and link (one object each).
 * - `a/ACCOUNT/REGION/ALIAS`: an alias. `g/ACCOUNT/REGION/KEYID`: the grants of a key.
 * - `f/ACCOUNT/REGION/FIELD`: every other field of a region state (one record per field,
 *   compared by value at each commit, since it is not tracked entry by entry).
 * - `iam`: the IAM identity policies.
 *
 * Objects shared between two records would be restored as two objects: the encoder refuses it
 * (the caller then writes a full snapshot instead, which keeps the sharing).
 */
import type { CoreServices } from './context.ts'
import { RECORD_SEP } from './changes.ts'
import type { KmsKey } from './key.ts'
import { checkKeyRecord } from './key-record-check.ts'
import { Decoder, type Encoded, Encoder, finishRestore } from './snapshot.ts'
import { SnapshotError } from './snapshot-error.ts'
import type { Grant } from './grants.ts'
import type { AliasRecord, RegionState } from './store.ts'

const TRACKED_FIELDS = new Set(['account', 'region', 'keys', 'aliases', 'grants'])

function regionKey(state: RegionState): string {
  return `${state.account}/${state.region}`
}

/** Reads and writes the core's state record by record. */
export class StateRecords {
  readonly #core: CoreServices

  constructor(core: CoreServices) {
    this.#core = core
  }

  /** Every record of the current state, encoded. */
  all(): Map<string, Encoded> {
    const out = new Map<string, Encoded>()
    const put = (id: string): void => {
      if (out.has(id)) return
      const v = this.encode(id)
      if (v !== undefined) out.set(id, v)
    }
    for (const state of this.#core.store.regions()) {
      const r = regionKey(state)
      for (const [id, key] of state.keys)
        put(key.multiRegion !== undefined ? `m/${state.account}/${id}` : `k/${r}/${id}`)
      for (const name of state.aliases.keys()) put(`a/${r}/${name}`)
      for (const g of state.grants.all()) put(`g/${r}/${g.keyId}`)
      for (const f of this.untrackedFields(state)) put(`f/${r}/${f}`)
    }
    put('iam')
    return out
  }

  /** Own fields of a region state that are not tracked entry by entry. */
  untrackedFields(state: RegionState): string[] {
    return Object.keys(state).filter((k) => !TRACKED_FIELDS.has(k))
  }

  /** `f/` ids of every region state now (compared by value at each commit). */
  untrackedIds(): string[] {
    const out: string[] = []
    for (const state of this.#core.store.regions())
      for (const f of this.untrackedFields(state)) out.push(`f/${regionKey(state)}/${f}`)
    return out
  }

  /**
   * The record ids a tracker entry (`changes.ts`) may have changed. A whole-map entry
   * (`region␀field`) answers the map's current entries; `known` gives the ids saved before,
   * for entries that are gone.
   */
  idsOf(touched: string, known: Iterable<string>): string[] {
    const [regionId = '', field = '', key] = touched.split(RECORD_SEP)
    const account = regionId.slice(0, regionId.indexOf('/'))
    const kind = field === 'keys' ? 'k' : field === 'aliases' ? 'a' : field === 'grants' ? 'g' : 'f'
    if (key === undefined) {
      const prefix = `${kind}/${regionId}/`
      const ids = [...known].filter((id) => id.startsWith(prefix))
      const state = this.#state(regionId)
      if (state !== undefined && kind === 'k')
        for (const id of state.keys.keys()) ids.push(...this.#keyIds(account, regionId, id))
      else if (state !== undefined && kind === 'a') for (const a of state.aliases.keys()) ids.push(prefix + a)
      else if (state !== undefined && kind === 'g') for (const g of state.grants.all()) ids.push(prefix + g.keyId)
      if (kind === 'k') for (const id of known) if (id.startsWith(`m/${account}/`)) ids.push(id)
      return ids
    }
    return kind === 'k' ? this.#keyIds(account, regionId, key) : [`${kind}/${regionId}/${key}`]
  }

  #keyIds(account: string, regionId: string, keyId: string): string[] {
    return [`k/${regionId}/${keyId}`, `m/${account}/${keyId}`]
  }

  #state(regionId: string): RegionState | undefined {
    const slash = regionId.indexOf('/')
    return this.#core.store.peekRegion(regionId.slice(0, slash), regionId.slice(slash + 1))
  }

  /** The current value of record `id`, or undefined when it does not exist. */
  encode(id: string): Encoded | undefined {
    const parts = id.split('/')
    const kind = parts[0]
    if (kind === 'iam') {
      const entries = [...this.#core.identityPolicies.entries()]
      return entries.length === 0 ? undefined : new Encoder().encode(entries, 'iam')
    }
    if (kind === 'm') return this.#encodeMultiRegion(parts[1] ?? '', parts.slice(2).join('/'))
    const [account = '', region = ''] = parts.slice(1, 3)
    const rest = parts.slice(3).join('/')
    const state = this.#core.store.peekRegion(account, region)
    if (state === undefined) return undefined
    const enc = new Encoder()
    if (kind === 'k') {
      const key = state.keys.get(rest)
      return key === undefined || key.multiRegion !== undefined ? undefined : enc.encode(key, id)
    }
    if (kind === 'a') {
      const alias = state.aliases.get(rest)
      return alias === undefined ? undefined : enc.encode(alias, id)
    }
    if (kind === 'g') {
      const grants = [...state.grants.forKey(rest)]
      return grants.length === 0 ? undefined : enc.encode(grants, id)
    }
    if (kind === 'f' && rest in state) return enc.encode((state as unknown as Record<string, unknown>)[rest], id)
    return undefined
  }

  #encodeMultiRegion(account: string, keyId: string): Encoded | undefined {
    const copies: Record<string, KmsKey> = {}
    let found = false
    for (const state of this.#core.store.regions()) {
      if (state.account !== account) continue
      const key = state.keys.get(keyId)
      if (key?.multiRegion === undefined) continue
      copies[state.region] = key
      found = true
    }
    return found ? new Encoder().encode(copies, `m/${account}/${keyId}`) : undefined
  }
}

/** Decoded records, checked, before anything is put into the core. */
interface Staged {
  keys: { account: string; region: string; id: string; key: KmsKey }[]
  aliases: { account: string; region: string; name: string; alias: AliasRecord }[]
  grants: { account: string; region: string; grants: Grant[] }[]
  fields: { account: string; region: string; field: string; value: unknown }[]
  iam: { principal: string; name: string; document: string }[]
}

function stage(records: Iterable<[string, Encoded]>): Staged {
  const out: Staged = { keys: [], aliases: [], grants: [], fields: [], iam: [] }
  for (const [id, enc] of records) {
    const parts = id.split('/')
    const value = new Decoder().decode(enc, id)
    if (parts[0] === 'iam') out.iam = value as Staged['iam']
    else if (parts[0] === 'm') {
      const [account = '', keyId = ''] = parts.slice(1)
      for (const [region, key] of Object.entries(value as Record<string, unknown>)) {
        checkKeyRecord(key, keyId, `${account}/${region} (record ${id})`)
        out.keys.push({ account, region, id: keyId, key: key as KmsKey })
      }
    } else {
      const [kind, account = '', region = ''] = parts
      const rest = parts.slice(3).join('/')
      if (kind === 'k') {
        checkKeyRecord(value, rest, `${account}/${region} (record ${id})`)
        out.keys.push({ account, region, id: rest, key: value as KmsKey })
      } else if (kind === 'a') out.aliases.push({ account, region, name: rest, alias: value as AliasRecord })
      else if (kind === 'g') out.grants.push({ account, region, grants: value as Grant[] })
      else if (kind === 'f') out.fields.push({ account, region, field: rest, value })
      else throw new SnapshotError(`unknown record ${id}`)
    }
  }
  return out
}

/**
 * Replaces everything `core` holds with the records' content, then re-creates the scheduled
 * work they imply. Every record is decoded and checked first: on {@link SnapshotError} (naming
 * the record and the key) the core is unchanged.
 */
export function restoreRecords(core: CoreServices & { reset(): void }, records: Iterable<[string, Encoded]>): void {
  const s = stage(records)
  core.reset()
  for (const k of s.keys) core.store.region(k.account, k.region).keys.set(k.id, k.key)
  for (const a of s.aliases) core.store.region(a.account, a.region).aliases.set(a.name, a.alias)
  for (const g of s.grants) for (const grant of g.grants) core.store.region(g.account, g.region).grants.add(grant)
  for (const f of s.fields)
    (core.store.region(f.account, f.region) as unknown as Record<string, unknown>)[f.field] = f.value
  for (const p of s.iam) core.identityPolicies.put(p.principal, p.name, p.document)
  finishRestore(core)
}
