/**
 * {@link lockStateDir} takes an exclusive lock on a state directory as databases do
 * (PostgreSQL's postmaster.pid): a `lock` file created with O_EXCL holding the owner's pid.
 * A second server finds the file, sees its pid alive and refuses, naming it. A lock left by a
 * process that no longer exists (kill -9, a crash) is stale: it is removed and taken. The pid
 * check covers processes of this machine only; a state dir shared over a network file system
 * between machines is not supported.
 */
import { open, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'

/** The lock file's name inside a state directory. */
export const LOCK_FILE = 'lock'

/** A state directory that cannot be used (unreadable, corrupt, locked, or of another format). */
export class StateDirError extends Error {
  override readonly name = 'StateDirError'
}

/** A held lock; {@link StateDirLock.release} removes the file. */
export interface StateDirLock {
  readonly path: string
  release(): Promise<void>
}

/**
 * Lock files this process holds, so that a second open in the same process is refused too,
 * while a lock file naming our pid that we do not hold (left by an earlier container run that
 * had the same pid) is stale.
 */
const held = new Set<string>()

/** True when a process with this pid exists on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the lock of state directory `dir` for this process. Throws {@link StateDirError}
 * naming the holder's pid when another live process holds it.
 */
export async function lockStateDir(dir: string): Promise<StateDirLock> {
  const path = join(dir, LOCK_FILE)
  // Two attempts: the second after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600)
      try {
        await fh.writeFile(`${process.pid}\n`, 'utf8')
        await fh.sync()
      } finally {
        await fh.close()
      }
      held.add(path)
      let released = false
      return {
        path,
        release: async () => {
          if (released) return
          released = true
          held.delete(path)
          await unlink(path).catch(() => {})
        },
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new StateDirError(`cannot create lock file ${path}: ${(e as Error).message}`)
    }
    const text = await readFile(path, 'utf8').catch(() => '')
    const pid = Number.parseInt(text.trim(), 10)
    const ours = pid === process.pid
    if (Number.isInteger(pid) && pid > 0 && (ours ? held.has(path) : alive(pid)))
      throw new StateDirError(
        `state directory ${dir} is in use by process ${pid} (lock file ${path}); stop that server first, or use another --state directory`,
      )
    // Stale (its process is gone) or unreadable: remove it and try again.
    await unlink(path).catch(() => {})
  }
  throw new StateDirError(`cannot lock state directory ${dir}: another process keeps re-creating ${path}`)
}
