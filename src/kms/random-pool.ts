/**
 * Cryptographically secure random bytes, drawn from a refilled buffer. `randomFillSync`
 * has a fixed per-call cost that dominates for 12-byte IVs; filling 4 KiB at a time and
 * handing out slices removes it from the hot path of Encrypt and GenerateDataKey.
 */
import { randomFillSync } from 'node:crypto'

/** Draws up to this many bytes are copied byte by byte. */
const SMALL_DRAW = 64

/** A pool of CSPRNG bytes (node:crypto), refilled when exhausted. */
export class RandomPool {
  readonly #pool: Buffer
  #offset: number

  /**
   * @param size bytes fetched from the CSPRNG per refill.
   * @default 4096
   */
  constructor(size = 4096) {
    this.#pool = Buffer.allocUnsafe(size)
    this.#offset = size
  }

  /** Copies `n` fresh random bytes into `target` at `offset`. Each byte is handed out once. */
  fill(target: Uint8Array, offset: number, n: number): void {
    if (n > this.#pool.length) {
      randomFillSync(target, offset, n)
      return
    }
    if (this.#offset + n > this.#pool.length) {
      randomFillSync(this.#pool)
      this.#offset = 0
    }
    const pool = this.#pool
    const from = this.#offset
    // Byte copies for the hot path's small draws (IVs, 32-byte data keys): Buffer#copy's
    // argument checks and view cost more than the loop.
    if (n <= SMALL_DRAW) for (let i = 0; i < n; i++) target[offset + i] = pool[from + i] as number
    else pool.copy(target, offset, from, from + n)
    this.#offset = from + n
  }

  /** `n` fresh random bytes in a new buffer. */
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n)
    this.fill(out, 0, n)
    return out
  }
}
