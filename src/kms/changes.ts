/**
 * Which records of the state a call may have changed, so that `kms-bench serve --state`
 * writes only those (an append-only journal, `server/persistence.ts`) instead of the whole
 * state. A record is one entry of a region state's tracked map (a key, an alias) or the grants
 * of one key.
 *
 * Writes (`set`, `delete`) are noted whenever tracking is on. Reads (`get`) and iteration
 * are noted only while {@link ChangeTracker.recording} is true, which the server sets around
 * a state-changing call: handlers change key records in place after looking them up, so every
 * entry a state-changing call looked at counts as changed; an iteration counts the whole map.
 * Read-only calls (Encrypt, Decrypt: the hot path) note nothing but their writes.
 */

/** Separates the parts of a tracked record id (never in account ids, Regions or field names). */
export const RECORD_SEP = '\u0000'

/** Collects the records touched since the last {@link ChangeTracker.take}. */
export class ChangeTracker {
  /** True once someone consumes the changes (persistence is on). @default false */
  enabled = false
  /** True while a state-changing call runs: reads count as changes. @default false */
  recording = false
  /** `regionId␀field␀key` of entries touched, `regionId␀field` of whole maps touched. */
  #touched = new Set<string>()
  #cleared = false

  /** Notes one entry. */
  touch(regionId: string, field: string, key: string): void {
    this.#touched.add(`${regionId}${RECORD_SEP}${field}${RECORD_SEP}${key}`)
  }

  /** Notes a whole map (iterated or cleared while recording). */
  touchAll(regionId: string, field: string): void {
    this.#touched.add(`${regionId}${RECORD_SEP}${field}`)
  }

  /** Notes that the whole store was cleared (a reset). */
  clearAll(): void {
    if (this.enabled) this.#cleared = true
  }

  /** What was touched since the last call, and whether the store was cleared; starts afresh. */
  take(): { touched: Set<string>; cleared: boolean } {
    const out = { touched: this.#touched, cleared: this.#cleared }
    this.#touched = new Set()
    this.#cleared = false
    return out
  }
}

/** A tracker that never tracks (region states made outside a store). */
export const NO_TRACKING = new ChangeTracker()

/** A Map that reports its entries to a {@link ChangeTracker}. */
export class TrackedMap<V> extends Map<string, V> {
  readonly #tracker: ChangeTracker
  readonly #regionId: string
  readonly #field: string

  constructor(tracker: ChangeTracker, regionId: string, field: string) {
    super()
    this.#tracker = tracker
    this.#regionId = regionId
    this.#field = field
  }

  override get(key: string): V | undefined {
    if (this.#tracker.recording) this.#tracker.touch(this.#regionId, this.#field, key)
    return super.get(key)
  }

  override set(key: string, value: V): this {
    if (this.#tracker.enabled) this.#tracker.touch(this.#regionId, this.#field, key)
    return super.set(key, value)
  }

  override delete(key: string): boolean {
    if (this.#tracker.enabled) this.#tracker.touch(this.#regionId, this.#field, key)
    return super.delete(key)
  }

  override clear(): void {
    if (this.#tracker.enabled) this.#tracker.touchAll(this.#regionId, this.#field)
    super.clear()
  }

  override values(): MapIterator<V> {
    this.#iterated()
    return super.values()
  }

  override entries(): MapIterator<[string, V]> {
    this.#iterated()
    return super.entries()
  }

  override [Symbol.iterator](): MapIterator<[string, V]> {
    this.#iterated()
    return super[Symbol.iterator]()
  }

  override forEach(cb: (value: V, key: string, map: Map<string, V>) => void, thisArg?: unknown): void {
    this.#iterated()
    super.forEach(cb, thisArg)
  }

  #iterated(): void {
    if (this.#tracker.recording) this.#tracker.touchAll(this.#regionId, this.#field)
  }
}
