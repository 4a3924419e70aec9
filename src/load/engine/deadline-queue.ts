/**
 * The deadlines of requests waiting for a flight (virtual time): a binary min-heap of the
 * requests themselves, ordered by (deadline, insertion), that a request leaves as soon as it
 * is done. The engine used to push a small marker entry per waiting request into its event
 * heap, which stayed there until the deadline passed: an adaptive limiter's backlog of ten
 * thousand requests kept three times as many markers of requests long finished (issue 17).
 *
 * Each entry also keeps how many entries the engine's event heap had been given before it
 * (`before`), so that the engine can interleave the two queues exactly as one heap ordered by
 * (time, insertion) would: at equal times, the one pushed first runs first.
 */

/** A request that can wait in a {@link DeadlineQueue}: its index there, or a negative value. */
export interface DeadlineSlot {
  /** index in the queue; {@link NOT_QUEUED} or {@link SPENT} when not in it */
  slot: number
}

/** Never queued. */
export const NOT_QUEUED = -1
/** Was queued once and left (its deadline fired or it finished): it is not queued again. */
export const SPENT = -2

const INITIAL_CAPACITY = 64

/** Min-heap of requests by (deadline, insertion order), with removal by the request's slot. */
export class DeadlineQueue<T extends DeadlineSlot> {
  #items: (T | undefined)[] = []
  #at = new Float64Array(INITIAL_CAPACITY)
  /** insertion order among these entries */
  #order = new Float64Array(INITIAL_CAPACITY)
  /** entries the event heap had been given before this one */
  #before = new Float64Array(INITIAL_CAPACITY)
  #n = 0
  #count = 0

  /** Number of entries. */
  get size(): number {
    return this.#n
  }

  /** The earliest deadline (Infinity when empty). */
  peekAt(): number {
    return this.#n === 0 ? Number.POSITIVE_INFINITY : (this.#at[0] as number)
  }

  /** Event-heap entries pushed before the earliest entry (for ties at equal times). */
  peekBefore(): number {
    return this.#before[0] as number
  }

  /** Adds `item` with deadline `at`; `before` is the number of event-heap pushes so far. */
  push(item: T, at: number, before: number): void {
    if (this.#n === this.#at.length) this.#grow()
    const i = this.#n++
    this.#items[i] = item
    this.#at[i] = at
    this.#order[i] = this.#count++
    this.#before[i] = before
    item.slot = i
    this.#up(i)
  }

  /** Removes and returns the earliest entry (its slot becomes {@link SPENT}). */
  pop(): T | undefined {
    if (this.#n === 0) return undefined
    const top = this.#items[0] as T
    this.#removeAt(0)
    return top
  }

  /** Removes `item` (which must be in the queue); its slot becomes {@link SPENT}. */
  remove(item: T): void {
    this.#removeAt(item.slot)
  }

  /** Removes every entry (their slots become {@link SPENT}). */
  clear(): void {
    for (let i = 0; i < this.#n; i++) (this.#items[i] as T).slot = SPENT
    this.#items = []
    this.#n = 0
  }

  #removeAt(i: number): void {
    const items = this.#items
    ;(items[i] as T).slot = SPENT
    const n = --this.#n
    if (i !== n) {
      this.#move(n, i)
      this.#up(i)
      this.#down((items[i] as T).slot)
    }
    items[n] = undefined
  }

  /** Whether entry `a` comes before entry `b`. */
  #less(a: number, b: number): boolean {
    const aa = this.#at[a] as number
    const ba = this.#at[b] as number
    return aa < ba || (aa === ba && (this.#order[a] as number) < (this.#order[b] as number))
  }

  #move(from: number, to: number): void {
    const item = this.#items[from] as T
    this.#items[to] = item
    this.#at[to] = this.#at[from] as number
    this.#order[to] = this.#order[from] as number
    this.#before[to] = this.#before[from] as number
    item.slot = to
  }

  #swap(a: number, b: number): void {
    const items = this.#items
    const ia = items[a] as T
    const ib = items[b] as T
    items[a] = ib
    items[b] = ia
    ib.slot = a
    ia.slot = b
    swapKeys(this.#at, a, b)
    swapKeys(this.#order, a, b)
    swapKeys(this.#before, a, b)
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#less(i, parent)) break
      this.#swap(i, parent)
      i = parent
    }
  }

  #down(i: number): void {
    const n = this.#n
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && this.#less(r, l) ? r : l
      if (!this.#less(c, i)) break
      this.#swap(i, c)
      i = c
    }
  }

  #grow(): void {
    const size = this.#at.length * 2
    const grow = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(size)
      b.set(a)
      return b
    }
    this.#at = grow(this.#at)
    this.#order = grow(this.#order)
    this.#before = grow(this.#before)
  }
}

function swapKeys(keys: Float64Array, a: number, b: number): void {
  const k = keys[a] as number
  keys[a] = keys[b] as number
  keys[b] = k
}
