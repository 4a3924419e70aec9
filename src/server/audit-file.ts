/**
 * `serve --audit FILE`: CloudTrail-shaped events appended as JSON lines. Delivery is best
 * effort and never in the way of KMS calls: a write that fails (disk full, EIO, a file on
 * /dev/full) drops the events it carried, counts them, reports the first failure and every
 * change of error on the log (stderr), and shows in `GET /kms-bench/health`; the next events
 * are tried again, so delivery resumes once the disk has room. Writes are serialized and
 * batched (one write per turn of the event loop's I/O), and the backlog is bounded: past
 * `maxPendingLines` events waiting, new ones are dropped and counted.
 */
import type { FileHandle } from 'node:fs/promises'

/** Delivery counters, for health reports. */
export interface AuditDeliveryStatus {
  readonly file: string
  readonly written: number
  readonly dropped: number
  /** The last write error, while the last write failed. */
  readonly failing: string | undefined
}

/** Options of {@link AuditFile}. */
export interface AuditFileOptions {
  /** Receives a line when delivery starts failing, changes error, or recovers. */
  readonly log: (line: string) => void
  /** Events waiting to be written before new ones are dropped. @default 100000 */
  readonly maxPendingLines?: number
}

/** An append-only audit file that never throws at its callers. */
export class AuditFile {
  readonly #fh: FileHandle
  readonly #path: string
  readonly #log: (line: string) => void
  readonly #max: number
  #pending: string[] = []
  #writing: Promise<void> | undefined
  #written = 0
  #dropped = 0
  #failing: string | undefined

  constructor(fh: FileHandle, path: string, options: AuditFileOptions) {
    this.#fh = fh
    this.#path = path
    this.#log = options.log
    this.#max = options.maxPendingLines ?? 100_000
  }

  /** Queues one event; never throws. */
  write(line: string): void {
    if (this.#pending.length >= this.#max) {
      this.#dropped++
      return
    }
    this.#pending.push(line)
    this.#writing ??= this.#flush()
  }

  /** Delivery counters. */
  status(): AuditDeliveryStatus {
    return { file: this.#path, written: this.#written, dropped: this.#dropped, failing: this.#failing }
  }

  /** Writes what is queued, then closes the file. Never rejects. */
  async close(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing
    await this.#fh.close().catch(() => {})
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending
      this.#pending = []
      try {
        await this.#fh.appendFile(`${batch.join('\n')}\n`, 'utf8')
        this.#written += batch.length
        if (this.#failing !== undefined) {
          this.#log(`kms-bench: audit: writing ${this.#path} works again (${this.#dropped} event(s) were dropped)`)
          this.#failing = undefined
        }
      } catch (e) {
        this.#dropped += batch.length
        const reason = e instanceof Error ? e.message : String(e)
        if (reason !== this.#failing)
          this.#log(
            `kms-bench: audit: cannot write ${this.#path}: ${reason}; events are dropped (KMS calls go on), see /kms-bench/health`,
          )
        this.#failing = reason
      }
    }
    this.#writing = undefined
  }
}
