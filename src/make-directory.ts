/**
 * A bounded `mkdir -p`: node's `mkdir(..., { recursive: true })` loops forever on procfs,
 * which answers ENOENT for a directory it cannot create under an existing parent (issue
 * 18.12: `--out` or `--state` under /proc spun a core and ignored SIGTERM). Here each missing
 * component is created once, from the top; an error names the path, and the kernel's
 * pseudo-filesystems (/proc, /sys) are refused up front.
 */
import { mkdir, stat } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'

/** A directory that cannot be created or used; the message names the path. */
export class DirectoryError extends Error {
  override readonly name = 'DirectoryError'
}

const PSEUDO_FILESYSTEMS = ['/proc', '/sys']

/** A message when `path` lies in a kernel pseudo-filesystem (/proc, /sys), else undefined. */
export function pseudoFilesystemProblem(path: string): string | undefined {
  const abs = resolve(path)
  const pseudo = PSEUDO_FILESYSTEMS.find((p) => abs === p || abs.startsWith(`${p}${sep}`))
  return pseudo === undefined
    ? undefined
    : `${abs}: ${pseudo} is a kernel pseudo-filesystem, not a place for files; pick another path`
}

/**
 * Creates `path` and its missing parents. Throws {@link DirectoryError} for a pseudo-filesystem
 * path, else node's own error (ENOTDIR, EACCES, ENOENT under a parent that refuses it).
 */
export async function makeDirectory(path: string): Promise<void> {
  const abs = resolve(path)
  const pseudo = pseudoFilesystemProblem(abs)
  if (pseudo !== undefined) throw new DirectoryError(pseudo)
  const missing: string[] = []
  let p = abs
  // Walk up to the first component that exists (at most one step per component).
  for (;;) {
    try {
      const s = await stat(p)
      if (!s.isDirectory()) throw notADirectory(p)
      break
    } catch (e) {
      // Other errors (ENOTDIR, EACCES) keep node's own wording, which callers already report.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      missing.push(p)
      const up = dirname(p)
      if (up === p) throw new DirectoryError(`cannot create ${abs}: no existing parent`)
      p = up
    }
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
}

function notADirectory(path: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`ENOTDIR: not a directory, mkdir '${path}'`)
  e.code = 'ENOTDIR'
  e.syscall = 'mkdir'
  e.path = path
  return e
}
