/**
 * Reading the files the command line names (scenario inputs, profiles, specs, results), with
 * every failure turned into a usage error (exit 2) that says which file and why, in words
 * ("no such file", "is a directory") rather than an errno dump.
 */
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fsReason } from '../util/index.ts'
import { usageError } from './cli-error.ts'

export { fsReason }

/** True for an error from the file system (it has an errno code), as opposed to a bug. */
export function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return (
    e instanceof Error &&
    typeof (e as NodeJS.ErrnoException).code === 'string' &&
    typeof (e as NodeJS.ErrnoException).syscall === 'string'
  )
}

/** How a reading helper words its error: `[FLAG: ]cannot read WHAT: WHY` (+ a hint). */
export interface ReadLabel {
  /** What the file is, as the message names it: `workload file 'w.json'`, or the path itself. */
  readonly what: string
  /** The flag that named the file, put first: `--latency`. @default none */
  readonly flag?: string
  /** A hint printed under the message. @default none */
  readonly hint?: string
}

function readError(label: ReadLabel, e: unknown): Error {
  return usageError(
    `${label.flag !== undefined ? `${label.flag}: ` : ''}cannot read ${label.what}: ${fsReason(e)}`,
    label.hint,
  )
}

/** Reads a UTF-8 text file; every failure is a usage error naming the file. */
export async function readTextFile(path: string, label: ReadLabel): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    throw readError(label, e)
  }
}

/** {@link readTextFile}, synchronously (for the load engine's trace-file callback). */
export function readTextFileSync(path: string, label: ReadLabel): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    throw readError(label, e)
  }
}

/**
 * Reads and parses a JSON file; unreadable files and bad JSON are usage errors naming the file
 * (`[FLAG: ]WHAT is not valid JSON: ...`, with `jsonHint` under it).
 */
export async function readJsonFile(
  path: string,
  label: ReadLabel,
  jsonHint: string | undefined = label.hint,
): Promise<unknown> {
  const text = await readTextFile(path, label)
  try {
    return JSON.parse(text)
  } catch (e) {
    throw usageError(
      `${label.flag !== undefined ? `${label.flag}: ` : ''}${label.what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
      jsonHint,
    )
  }
}
