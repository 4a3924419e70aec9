/**
 * Durable state for `kms-bench serve --state DIR`: the whole core (`kms/snapshot.ts`) in
 * `DIR/state.json`, replaced atomically (write a temporary file, fsync it, rename it over the
 * old one, fsync the directory), so a crash at any moment leaves either the old or the new
 * state, never a torn file.
 *
 * The server commits before it answers any call that changed the state ({@link
 * StatePersistence.commit}), so a `kill -9` loses no acknowledged write. Commits are grouped:
 * while one write is on its way to the disk, every commit requested meanwhile waits for the
 * next single write, which captures all of their changes.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { type KmsCore, restoreSnapshot, SnapshotError, takeSnapshot } from '../kms/index.ts'
import { makeDirectory } from '../make-directory.ts'
import { lockStateDir, type StateDirLock } from './state-dir.ts'

/** The state file's name inside the state directory. */
export const STATE_FILE = 'state.json'

/** A state directory that cannot be used (unreadable, corrupt, or of another format). */
export class StateDirError extends Error {
  override readonly name = 'StateDirError'
}

interface Waiter {
  resolve: () => void
  reject: (e: unknown) => void
}

/** The state directory of one core. */
export class StatePersistence {
  readonly dir: string
  readonly #core: KmsCore
  readonly #path: string
  #waiters: Waiter[] = []
  #running = false
  #writes = 0
  #savedVersion: number
  readonly #lock: StateDirLock

  private constructor(dir: string, core: KmsCore, lock: StateDirLock) {
    this.dir = dir
    this.#lock = lock
    this.#core = core
    this.#path = join(dir, STATE_FILE)
    this.#savedVersion = core.stateVersion
  }

  /**
   * Opens (creating it if needed) a state directory and restores the state saved there into
   * `core`. Resolves to the persistence and whether saved state was found. Rejects with
   * {@link StateDirError} naming the file and the problem.
   */
  static async open(dir: string, core: KmsCore): Promise<{ persistence: StatePersistence; restored: boolean }> {
    try {
      await makeDirectory(dir)
    } catch (e) {
      throw new StateDirError(`cannot create state directory ${dir}: ${(e as Error).message}`)
    }
    let lock: StateDirLock
    try {
      lock = await lockStateDir(dir)
    } catch (e) {
      throw new StateDirError((e as Error).message)
    }
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
    const path = join(dir, STATE_FILE)
    let text: string | undefined
    try {
      text = await readFile(path, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new StateDirError(`cannot read ${path}: ${(e as Error).message}`)
    }
    if (text !== undefined) {
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
    }
    return { persistence: new StatePersistence(dir, core, lock), restored: text !== undefined }
  }

  /** Waits for writes under way, then releases the state directory's lock. */
  async close(): Promise<void> {
    while (this.#running || this.#waiters.length > 0) await this.commit().catch(() => {})
    await this.#lock.release()
  }

  /** Number of snapshots written so far. */
  get writes(): number {
    return this.#writes
  }

  /** True when the core has changed since the last write started. */
  get dirty(): boolean {
    return this.#core.stateVersion !== this.#savedVersion
  }

  /**
   * Resolves once a snapshot taken after this call is durably on disk. Rejects when writing
   * fails (the caller answers the request with an internal error).
   */
  commit(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject })
      if (!this.#running) void this.#drain()
    })
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
          for (const w of batch) w.reject(e)
        }
      }
    } finally {
      this.#running = false
    }
  }

  async #write(): Promise<void> {
    // The snapshot is taken synchronously, before any await: it holds every change made before this point.
    this.#savedVersion = this.#core.stateVersion
    const text = JSON.stringify(takeSnapshot(this.#core))
    const tmp = `${this.#path}.${process.pid}.tmp`
    const fh = await open(tmp, 'w', 0o600)
    try {
      await fh.writeFile(text, 'utf8')
      await fh.sync()
    } finally {
      await fh.close()
    }
    try {
      await rename(tmp, this.#path)
    } catch (e) {
      await unlink(tmp).catch(() => {})
      throw e
    }
    // The rename itself is durable only once the directory entry is.
    const dirHandle = await open(this.dir, 'r')
    try {
      await dirHandle.sync()
    } finally {
      await dirHandle.close()
    }
    this.#writes++
  }
}
