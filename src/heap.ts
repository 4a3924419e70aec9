/**
 * A binary min-heap ordered by `(at, seq)`: earliest time first, and among equal times the
 * one pushed first. Used by the virtual clock's timer queue and the load engine's
 * discrete-event loop, both of which need a stable order to stay deterministic.
 *
 * The sort keys are kept in typed arrays beside the entries, so sifting compares numbers in
 * two flat arrays instead of loading each entry object (the load engine pops one entry per
 * simulated KMS call, and this was a fifth of a virtual run's time).
 */
export interface HeapEntry {
  /** Sort key: a time in milliseconds. */
  at: number
  /** Tie-breaker: insertion order. Set by {@link MinHeap.push}. */
  seq: number
}

const INITIAL_CAPACITY = 64

/** Binary min-heap of {@link HeapEntry} items, stable for equal `at`. */
export class MinHeap<T extends HeapEntry> {
  #items: (T | undefined)[] = []
  #at = new Float64Array(INITIAL_CAPACITY)
  #seqs = new Float64Array(INITIAL_CAPACITY)
  #n = 0
  #seq = 0

  /** Number of entries. */
  get size(): number {
    return this.#n
  }

  /** The earliest entry, without removing it. */
  peek(): T | undefined {
    return this.#n === 0 ? undefined : this.#items[0]
  }

  /** The earliest entry's `at` (Infinity when empty): read from the key array, without loading the entry. */
  peekAt(): number {
    return this.#n === 0 ? Number.POSITIVE_INFINITY : (this.#at[0] as number)
  }

  /** Adds an entry; its `seq` is overwritten with the insertion counter. */
  push(item: T): void {
    const seq = this.#seq++
    item.seq = seq
    const at = item.at
    if (this.#n === this.#at.length) this.#grow()
    const items = this.#items
    const ats = this.#at
    const seqs = this.#seqs
    let i = this.#n++
    while (i > 0) {
      const parent = (i - 1) >> 1
      const pa = ats[parent] as number
      // The new entry has the largest seq so far: it goes above its parent only when strictly earlier.
      if (!(at < pa)) break
      items[i] = items[parent]
      ats[i] = pa
      seqs[i] = seqs[parent] as number
      i = parent
    }
    items[i] = item
    ats[i] = at
    seqs[i] = seq
  }

  /** Removes and returns the earliest entry. */
  pop(): T | undefined {
    if (this.#n === 0) return undefined
    const items = this.#items
    const ats = this.#at
    const seqs = this.#seqs
    const top = items[0]
    const n = --this.#n
    const last = items[n]
    const lastAt = ats[n] as number
    const lastSeq = seqs[n] as number
    items[n] = undefined
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        let c = l
        let cAt = ats[l] as number
        if (r < n) {
          const rAt = ats[r] as number
          if (rAt < cAt || (rAt === cAt && (seqs[r] as number) < (seqs[l] as number))) {
            c = r
            cAt = rAt
          }
        }
        if (!(cAt < lastAt || (cAt === lastAt && (seqs[c] as number) < lastSeq))) break
        items[i] = items[c]
        ats[i] = cAt
        seqs[i] = seqs[c] as number
        i = c
      }
      items[i] = last
      ats[i] = lastAt
      seqs[i] = lastSeq
    }
    return top
  }

  /** Removes every entry. */
  clear(): void {
    this.#items = []
    this.#n = 0
  }

  #grow(): void {
    const size = this.#at.length * 2
    const at = new Float64Array(size)
    at.set(this.#at)
    const seqs = new Float64Array(size)
    seqs.set(this.#seqs)
    this.#at = at
    this.#seqs = seqs
  }
}
