/**
 * Atomic file writes: a reader (a CI step, a browser, `kms-bench compare`) sees either the
 * previous file or the whole new one, never a half-written report. The data goes to a temporary
 * file in the same directory (same filesystem, so `rename(2)` is atomic on POSIX), is flushed
 * to disk, then renamed over the destination.
 */
import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { makeDirectory } from '../make-directory.ts'

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * Flush the data to disk (`fsync`) before the rename, so a crash cannot leave an empty file
   * under the final name.
   * @default true
   */
  readonly fsync?: boolean
  /**
   * File mode of a newly created file.
   * @default 0o644
   */
  readonly mode?: number
}

/**
 * Writes `data` to `path` atomically (temporary file + rename), creating the parent
 * directories first. On failure the temporary file is removed and the destination is left as
 * it was.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path)
  await makeDirectory(dir)
  // Hidden, unique per call (random, not time-based: src/ takes no clock readings here), and
  // in the destination directory so the rename never crosses filesystems.
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(temp, 'wx', options.mode ?? 0o644)
    await handle.writeFile(data)
    if (options.fsync ?? true) await handle.sync()
    await handle.close()
    handle = undefined
    await rename(temp, path)
  } catch (e) {
    if (handle !== undefined) await handle.close().catch(() => undefined)
    await unlink(temp).catch(() => undefined)
    throw e
  }
}
