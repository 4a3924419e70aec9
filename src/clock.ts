/**
 * Time, injected. This is the only module in `src/` that reads the real time or sets real
 * timers: everything else takes a {@link Clock}, which is what makes deterministic virtual
 * time (and deterministic tests) possible.
 */
import { MinHeap, type HeapEntry } from './heap.ts'

/** A timer that can be cancelled. */
export interface TimerHandle {
  /** Cancels the timer; a no-op when it already fired. */
  cancel(): void
}

/** The source of time for the emulator, the quota model and the load engine. */
export interface Clock {
  /** `'system'` for wall-clock time, `'virtual'` for simulated time. */
  readonly kind: 'system' | 'virtual'
  /** Milliseconds since the Unix epoch; may be fractional. Never goes backwards. */
  now(): number
  /** Resolves after `ms` milliseconds of this clock's time; rejects with the signal's reason if aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** Calls `callback` after `delayMs` milliseconds of this clock's time. */
  setTimer(delayMs: number, callback: () => void): TimerHandle
}

/**
 * A clock a real-time run can drive: a {@link Clock} that can also yield one event-loop turn.
 * {@link SystemClock} is the one real runs use; tests pass a simulated one (a clock that stalls)
 * to check the real-time engine deterministically.
 */
export interface RealTimeClock extends Clock {
  /** Resolves after one macrotask turn, so that pending I/O and promise continuations run. */
  yieldToEventLoop(): Promise<void>
}

/**
 * Wall-clock time with sub-millisecond resolution (`performance.timeOrigin + performance.now()`),
 * monotonic within a process.
 */
export class SystemClock implements RealTimeClock {
  readonly kind = 'system' as const
  readonly #origin = performance.timeOrigin

  now(): number {
    return this.#origin + performance.now()
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const onAbort = (): void => {
        clearTimeout(timer)
        reject(signal?.reason)
      }
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        Math.max(0, ms),
      )
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer = setTimeout(callback, Math.max(0, delayMs))
    return { cancel: () => clearTimeout(timer) }
  }

  /**
   * Yields to the event loop once (a macrotask turn), so that pending I/O and promise
   * continuations run. Real-time loops use it to stay responsive without sleeping.
   */
  yieldToEventLoop(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve))
  }
}

/**
 * Calls `callback` once the I/O events of the current event-loop turn have been handled (node's
 * check phase, `setImmediate`). It neither reads nor waits for time: it only orders work after
 * pending I/O, so it behaves the same under a {@link VirtualClock}. The endpoint uses it to
 * answer, back to back, all the requests that one turn read (`server/http.ts`).
 */
export function afterPendingIo(callback: () => void): void {
  setImmediate(callback)
}

/** The fixed epoch a {@link VirtualClock} starts at by default: 2025-01-01T00:00:00Z. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2025, 0, 1)

interface VirtualTimer extends HeapEntry {
  callback: (() => void) | undefined
}

/**
 * Simulated time for deterministic runs. Time moves only when {@link advance} (or
 * {@link advanceTo}) is called; timers due on the way fire in time order (ties in the order
 * they were set), each with `now()` equal to its due time.
 *
 * A `sleep()` promise is resolved when its timer fires; code awaiting it continues in a
 * microtask. Tests that drive async code use {@link advanceAsync}, which lets those
 * continuations run between timers.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const
  #now: number
  readonly #timers = new MinHeap<VirtualTimer>()

  /**
   * @param startMs epoch milliseconds to start at.
   * @default VIRTUAL_EPOCH_MS (2025-01-01T00:00:00Z)
   */
  constructor(startMs: number = VIRTUAL_EPOCH_MS) {
    if (!Number.isFinite(startMs)) throw new RangeError(`VirtualClock start must be a finite number, got ${startMs}`)
    this.#now = startMs
  }

  now(): number {
    return this.#now
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const handle = this.setTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      })
      const onAbort = (): void => {
        handle.cancel()
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer: VirtualTimer = { at: this.#now + Math.max(0, delayMs), seq: 0, callback }
    this.#timers.push(timer)
    return {
      cancel: () => {
        timer.callback = undefined
      },
    }
  }

  /** Number of timers waiting to fire (cancelled ones may still be counted until reached). */
  get pendingTimers(): number {
    return this.#timers.size
  }

  /** Due time of the earliest pending timer, or `undefined` when none is pending. */
  nextTimerAt(): number | undefined {
    this.#dropCancelled()
    return this.#timers.peek()?.at
  }

  /** Moves time forward by `ms`, firing every timer due on the way, synchronously. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`VirtualClock.advance needs a non-negative number of ms, got ${ms}`)
    this.advanceTo(this.#now + ms)
  }

  /** Moves time forward to `t` (epoch ms), firing every timer due on the way, synchronously. */
  advanceTo(t: number): void {
    if (t < this.#now) throw new RangeError(`VirtualClock cannot go backwards (now ${this.#now}, asked ${t})`)
    for (;;) {
      const next = this.#timers.peek()
      if (next === undefined || next.at > t) break
      this.#timers.pop()
      this.#now = next.at
      const cb = next.callback
      next.callback = undefined
      cb?.()
    }
    this.#now = t
  }

  /**
   * Like {@link advance}, but after each timer it lets promise continuations run (one
   * macrotask turn), so async code that sleeps repeatedly on this clock makes progress in
   * order. Use it to drive async code in tests.
   */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.#now + ms
    await drainMicrotasks()
    for (;;) {
      const next = this.nextTimerAt()
      if (next === undefined || next > end) break
      this.advanceTo(next)
      await drainMicrotasks()
    }
    this.advanceTo(end)
    await drainMicrotasks()
  }

  #dropCancelled(): void {
    for (;;) {
      const top = this.#timers.peek()
      if (top === undefined || top.callback !== undefined) return
      this.#timers.pop()
    }
  }
}

function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
