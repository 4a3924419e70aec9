/**
 * A binary min-heap ordered by `(at, seq)`: earliest time first, and among equal times the
 * one pushed first. Used by the virtual clock's timer queue and the load engine's
 * discrete-event loop, both of which need a stable order to stay deterministic.
 */
export interface HeapEntry {
  /** Sort key: a time in milliseconds. */
  at: number
  /** Tie-breaker: insertion order. Set by {@link MinHeap.push}. */
  seq: number
}

/** Binary min-heap of {@link HeapEntry} items, stable for equal `at`. */
export class MinHeap<T extends HeapEntry> {
  readonly #items: T[] = []
  #seq = 0

  /** Number of entries. */
  get size(): number {
    return this.#items.length
  }

  /** The earliest entry, without removing it. */
  peek(): T | undefined {
    return this.#items[0]
  }

  /** Adds an entry; its `seq` is overwritten with the insertion counter. */
  push(item: T): void {
    item.seq = this.#seq++
    const items = this.#items
    items.push(item)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = items[parent] as T
      if (!before(item, p)) break
      items[i] = p
      i = parent
    }
    items[i] = item
  }

  /** Removes and returns the earliest entry. */
  pop(): T | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top
    const n = items.length
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      let c = l
      if (r < n && before(items[r] as T, items[l] as T)) c = r
      const child = items[c] as T
      if (!before(child, last)) break
      items[i] = child
      i = c
    }
    items[i] = last
    return top
  }

  /** Removes every entry. */
  clear(): void {
    this.#items.length = 0
  }
}

function before(a: HeapEntry, b: HeapEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
