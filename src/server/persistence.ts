/**
 * Durable state for `kms-bench serve --state DIR`: the core's state records
 * (`kms/state-records.ts`) in an append-only journal with periodic compaction (`journal.ts`).
 *
 * - A commit writes only the records the calls since the last commit changed (the core's
 *   change tracker names them, `kms/changes.ts`), as one journal line, then fdatasync; the
 *   server answers only after that, so a `kill -9` loses no acknowledged write. Commits are
 *   grouped: while one is on its way to the disk, every commit requested meanwhile waits for
 *   the next single write, which holds all of their changes. Reads (Encrypt, Decrypt, ...)
 *   never wait for the disk.
 * - Compaction rewrites the base from the records' cached lines (no re-encoding) when the
 *   journal has grown past the base (and at least 4 MiB), at open, and at a clean close. A
 *   reset, scheduled work (a deletion or rotation that fell due) and anything the tracker
 *   cannot attribute are written as a full compaction instead.
 * - A failed commit (disk full) rejects every call waiting for it and puts the in-memory state
 *   back to the last durable one: no change stays in memory as if it had been saved.
 * - Every record is checked on restore (checksum per line, key records validated, naming the
 *   key); a damaged state refuses to start.
 * - The directory is locked (`state-dir.ts`): a second server on it refuses to start.
 *
 * A `state.json` of format version 1 (written by earlier versions) is read and converted.
 */
import { readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type Encoded,
  type KmsCore,
  restoreRecords,
  restoreSnapshot,
  SnapshotError,
  StateRecords,
} from '../kms/index.ts'
import { makeDirectory } from '../make-directory.ts'
import type { StateSink } from './api.ts'
import { BASE_FILE, JOURNAL_FILE, RecordJournal } from './journal.ts'
import { lockStateDir, StateDirError, type StateDirLock } from './state-dir.ts'

export { StateDirError } from './state-dir.ts'
/** The state file of format version 1 (read and converted on open). */
export const STATE_FILE = 'state.json'
export { BASE_FILE, JOURNAL_FILE }

/** Journal size that always allows waiting for compaction. */
const MIN_COMPACTION_BYTES = 4 * 1024 * 1024

interface Waiter {
  resolve: () => void
  reject: (e: unknown) => void
}

/** The state directory of one core. */
export class StatePersistence implements StateSink {
  readonly dir: string
  readonly #core: KmsCore
  readonly #records: StateRecords
  readonly #journal: RecordJournal
  readonly #lock: StateDirLock
  /** The durable line of every live record, by id. */
  #lines: Map<string, string>
  #waiters: Waiter[] = []
  #running = false
  #writes = 0
  #compactions = 0
  #savedVersion: number
  #schedulerRan: number
  #iamVersion: number

  private constructor(
    dir: string,
    core: KmsCore,
    journal: RecordJournal,
    lock: StateDirLock,
    lines: Map<string, string>,
  ) {
    this.dir = dir
    this.#core = core
    this.#records = new StateRecords(core)
    this.#journal = journal
    this.#lock = lock
    this.#lines = lines
    this.#savedVersion = core.stateVersion
    this.#schedulerRan = core.scheduler.ran
    this.#iamVersion = core.identityPolicies.version
  }

  /**
   * Opens (creating it if needed) and locks a state directory and restores the state saved
   * there into `core`. Rejects with {@link StateDirError} naming the file and the problem.
   */
  static async open(dir: string, core: KmsCore): Promise<{ persistence: StatePersistence; restored: boolean }> {
    try {
      await makeDirectory(dir)
    } catch (e) {
      throw new StateDirError(`cannot create state directory ${dir}: ${(e as Error).message}`)
    }
    const lock = await lockStateDir(dir)
    try {
      return await StatePersistence.#restore(dir, core, lock)
    } catch (e) {
      await lock.release()
      throw e
    }
  }

  static async #restore(
    dir: string,
    core: KmsCore,
    lock: StateDirLock,
  ): Promise<{ persistence: StatePersistence; restored: boolean }> {
    const { journal, contents } = await RecordJournal.open(dir)
    const legacy = contents.found ? undefined : await readLegacy(dir, core)
    if (legacy === undefined && contents.found) {
      try {
        restoreRecords(core, decodeLines(contents.records.values()))
      } catch (e) {
        if (e instanceof SnapshotError) throw new StateDirError(`${join(dir, BASE_FILE)}: ${e.message}`)
        throw e
      }
    }
    core.store.changes.enabled = true
    core.store.changes.take()
    const p = new StatePersistence(dir, core, journal, lock, contents.records)
    if (legacy !== undefined || !journal.ready) await p.#compact(legacy !== undefined ? p.#allLines() : p.#lines)
    if (legacy !== undefined) await unlink(join(dir, STATE_FILE)).catch(() => {})
    return { persistence: p, restored: contents.found || legacy !== undefined }
  }

  /** Number of commits written (journal appends and compactions). */
  get writes(): number {
    return this.#writes
  }

  /** Number of compactions (full rewrites) so far. */
  get compactions(): number {
    return this.#compactions
  }

  /** True when the core has changed since the last write started. */
  get dirty(): boolean {
    return this.#core.stateVersion !== this.#savedVersion
  }

  /**
   * Resolves once every change made before this call is durably on disk. Rejects when writing
   * fails; the in-memory state is then back to the last durable state.
   */
  commit(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject })
      if (!this.#running) void this.#drain()
    })
  }

  /**
   * Writes what is pending, compacts (unless `compact: false`, which leaves the files as a
   * crash would), and releases the directory's lock.
   */
  async close(options: { compact?: boolean } = {}): Promise<void> {
    while (this.#running || this.#waiters.length > 0) await this.commit().catch(() => {})
    if (options.compact !== false) await this.#compact(this.#lines).catch(() => {})
    await this.#journal.close()
    await this.#lock.release()
  }

  async #drain(): Promise<void> {
    this.#running = true
    try {
      while (this.#waiters.length > 0) {
        const batch = this.#waiters
        this.#waiters = []
        try {
          await this.#write()
          for (const w of batch) w.resolve()
        } catch (e) {
          // Every change not yet durable is undone: calls waiting for the next write lose theirs too.
          const all = [...batch, ...this.#waiters]
          this.#waiters = []
          this.#rollBack()
          for (const w of all) w.reject(e)
        }
      }
    } finally {
      this.#running = false
    }
  }

  async #write(): Promise<void> {
    // Everything below up to the first await runs at once: it sees every change made so far.
    const core = this.#core
    this.#savedVersion = core.stateVersion
    const { touched, cleared } = core.store.changes.take()
    const full = cleared || core.scheduler.ran !== this.#schedulerRan || !this.#journal.ready
    this.#schedulerRan = core.scheduler.ran
    if (full) {
      await this.#compact(this.#allLines())
      return
    }
    const changes = this.#changes(touched)
    if (changes.length === 0) return
    await this.#journal.append(changes.map(([id, json]) => [id, json] as const))
    for (const [id, json] of changes) {
      if (json === null) this.#lines.delete(id)
      else this.#lines.set(id, RecordJournal.recordLine(id, json))
    }
    this.#writes++
    const limit = Math.max(MIN_COMPACTION_BYTES, this.#journal.baseBytes)
    if (this.#journal.journalBytes > limit) await this.#compact(this.#lines)
  }

  /** The changed records: `[id, value JSON]`, or `[id, null]` for one that is gone. */
  #changes(touched: Set<string>): [string, string | null][] {
    const ids = new Set<string>()
    for (const t of touched) for (const id of this.#records.idsOf(t, this.#lines.keys())) ids.add(id)
    // Fields not tracked entry by entry are compared by value (they are small).
    for (const id of this.#records.untrackedIds()) ids.add(id)
    for (const id of this.#lines.keys()) if (id.startsWith('f/')) ids.add(id)
    const iam = this.#core.identityPolicies.version
    if (iam !== this.#iamVersion) ids.add('iam')
    this.#iamVersion = iam
    const out: [string, string | null][] = []
    for (const id of ids) {
      const v = this.#records.encode(id)
      const old = this.#lines.get(id)
      if (v === undefined) {
        if (old !== undefined) out.push([id, null])
        continue
      }
      const json = JSON.stringify(v)
      if (old === undefined || RecordJournal.valueJson(old) !== json) out.push([id, json])
    }
    return out
  }

  #allLines(): Map<string, string> {
    const lines = new Map<string, string>()
    for (const [id, v] of this.#records.all()) lines.set(id, RecordJournal.recordLine(id, JSON.stringify(v)))
    this.#iamVersion = this.#core.identityPolicies.version
    return lines
  }

  /** Writes `lines` as the new base; they become the durable lines once it is on disk. */
  async #compact(lines: Map<string, string>): Promise<void> {
    await this.#journal.compact(lines.values())
    this.#lines = lines
    this.#writes++
    this.#compactions++
  }

  /** Puts the core back to the last durable state (the cached lines). */
  #rollBack(): void {
    const core = this.#core
    restoreRecords(core, decodeLines(this.#lines.values()))
    core.store.changes.take()
    this.#savedVersion = core.stateVersion
    this.#schedulerRan = core.scheduler.ran
    this.#iamVersion = core.identityPolicies.version
  }
}

function* decodeLines(lines: Iterable<string>): Iterable<[string, Encoded]> {
  for (const line of lines) {
    const [id, value] = RecordJournal.parseRecordLine(line)
    yield [id, value as Encoded]
  }
}

/** Restores a version 1 `state.json` into `core`; resolves to true when there was one. */
async function readLegacy(dir: string, core: KmsCore): Promise<true | undefined> {
  const path = join(dir, STATE_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new StateDirError(`cannot read ${path}: ${(e as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new StateDirError(
      `${path} is not valid JSON (${(e as Error).message}); move it away to start from an empty state`,
    )
  }
  try {
    restoreSnapshot(core, json)
  } catch (e) {
    if (e instanceof SnapshotError) throw new StateDirError(`${path}: ${e.message}`)
    throw e
  }
  return true
}
