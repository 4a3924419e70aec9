/**
 * Things KMS does on its own when their time comes: deleting a key when its waiting period
 * ends, rotating key material when automatic rotation is due. They run lazily, in time
 * order, before any call that could observe them (the core calls {@link KmsScheduler.runDue}
 * first), so they happen at the right moment of the clock's time, virtual time included,
 * without timers.
 */
import { MinHeap, type HeapEntry } from '../heap.ts'

interface Task extends HeapEntry {
  run: (at: number) => void
  cancelled: boolean
}

/** A handle to cancel a scheduled task. */
export interface ScheduledTask {
  cancel(): void
}

/** A time-ordered queue of deferred KMS-internal work. */
export class KmsScheduler {
  readonly #tasks = new MinHeap<Task>()

  /** Schedules `run(at)` to happen at epoch ms `at`. */
  schedule(at: number, run: (at: number) => void): ScheduledTask {
    const task: Task = { at, seq: 0, run, cancelled: false }
    this.#tasks.push(task)
    return {
      cancel: () => {
        task.cancelled = true
      },
    }
  }

  /** Runs every task due at or before `now`, in time order. */
  runDue(now: number): void {
    for (;;) {
      const next = this.#tasks.peek()
      if (next === undefined || next.at > now) return
      this.#tasks.pop()
      if (!next.cancelled) next.run(next.at)
    }
  }

  /** Number of pending tasks (cancelled ones included until reached). */
  get size(): number {
    return this.#tasks.size
  }

  /** Drops every task. */
  clear(): void {
    this.#tasks.clear()
  }
}
