/**
 * An append-only journal of records with periodic compaction, generic over the records (an id
 * and a JSON value; `persistence.ts` feeds it the core's state records). Two files in the
 * state directory:
 *
 * - `state.jsonl`, the compacted base: a header line `{"format":"kms-bench-state","version":2,
 *   "generation":G}`, then one line per record `HASH<TAB>["ID",VALUE]`.
 * - `journal.jsonl`, the changes since: a header `{"format":"kms-bench-journal","version":2,
 *   "generation":G}`, then one line per commit `HASH<TAB>[["ID",VALUE|null],...]` (null: the
 *   record was deleted). A commit is one `write` then `fdatasync`, so its cost is the size of
 *   the change, and it is durable before the server answers.
 *
 * HASH is the first 32 hex digits of the SHA-256 of the rest of the line: a damaged line is
 * found and named (with the record ids it holds) instead of being loaded. The last journal
 * line may be torn by a crash during its write (it was never acknowledged): it is dropped.
 * Compaction writes a new base under a temporary name, fsyncs and renames it, then replaces
 * the journal with an empty one of the new generation; a journal of another generation than
 * the base is left over from a compaction interrupted between the two renames, and its
 * changes are already in the base. A failed write leaves no temporary file behind.
 */
import { at } from '../util/index.ts'
import { createHash } from 'node:crypto'
import { type FileHandle, open, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { StateDirError } from './state-dir.ts'

/** The compacted base's file name. */
export const BASE_FILE = 'state.jsonl'
/** The journal's file name. */
export const JOURNAL_FILE = 'journal.jsonl'
const HASH_CHARS = 32

/** `HASH<TAB>payload` for a payload. */
function hashed(payload: string): string {
  return `${createHash('sha256').update(payload).digest('hex').slice(0, HASH_CHARS)}\t${payload}`
}

/** The payload of a line when its hash matches, else undefined. */
function checked(line: string): string | undefined {
  const payload = line.slice(HASH_CHARS + 1)
  return line.charCodeAt(HASH_CHARS) === 9 && hashed(payload) === line ? payload : undefined
}

/** Record ids a damaged line seems to hold, for the error message. */
function idsIn(line: string): string {
  const ids = [...line.matchAll(/\["([^"\\]{1,200})",/g)].map((m) => m[1])
  return ids.length > 0 ? ` (record ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''})` : ''
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new StateDirError(`cannot read ${path}: ${(e as Error).message}`)
  }
}

function header(path: string, line: string | undefined, format: string): number {
  let h: unknown
  try {
    h = JSON.parse(line ?? '')
  } catch {
    h = undefined
  }
  const rec = h as { format?: unknown; version?: unknown; generation?: unknown } | undefined
  if (rec?.format !== format || rec.version !== 2 || typeof rec.generation !== 'number')
    throw new StateDirError(`${path}: not a kms-bench ${format} file of version 2 (first line: ${line?.slice(0, 80)})`)
  return rec.generation
}

/** What a state directory holds. */
export interface JournalContents {
  /** Every live record's line (`HASH<TAB>["ID",VALUE]`), by id. */
  readonly records: Map<string, string>
  /** True when the files hold anything (a restart, not a fresh directory). */
  readonly found: boolean
}

/** The journal files of one state directory. */
export class RecordJournal {
  readonly dir: string
  #fh: FileHandle | undefined
  #generation: number
  #journalBytes: number
  #baseBytes: number

  private constructor(
    dir: string,
    generation: number,
    fh: FileHandle | undefined,
    journalBytes: number,
    baseBytes: number,
  ) {
    this.dir = dir
    this.#generation = generation
    this.#fh = fh
    this.#journalBytes = journalBytes
    this.#baseBytes = baseBytes
  }

  /** The line of one record in the base and in the cache. */
  static recordLine(id: string, valueJson: string): string {
    return hashed(`[${JSON.stringify(id)},${valueJson}]`)
  }

  /** The `[id, value]` of a record line. */
  static parseRecordLine(line: string): [string, unknown] {
    return JSON.parse(line.slice(HASH_CHARS + 1)) as [string, unknown]
  }

  /** The value JSON of a record line (to compare with a new encoding). */
  static valueJson(line: string): string {
    const payload = line.slice(HASH_CHARS + 1)
    const comma = payload.indexOf('",') + 2
    return payload.slice(comma, -1)
  }

  /** Reads a state directory's base and journal. Throws {@link StateDirError} naming a damaged line. */
  static async open(dir: string): Promise<{ journal: RecordJournal; contents: JournalContents }> {
    const basePath = join(dir, BASE_FILE)
    const records = new Map<string, string>()
    const baseText = await readIfExists(basePath)
    let generation = 0
    if (baseText !== undefined) {
      const lines = baseText.split('\n')
      if (lines.at(-1) === '') lines.pop()
      generation = header(basePath, lines[0], 'kms-bench-state')
      for (let i = 1; i < lines.length; i++) {
        const line = at(lines, i)
        if (checked(line) === undefined)
          throw new StateDirError(`${basePath} line ${i + 1} is damaged (checksum mismatch)${idsIn(line)}`)
        records.set(RecordJournal.parseRecordLine(line)[0], line)
      }
    }
    const journalPath = join(dir, JOURNAL_FILE)
    const journalText = await readIfExists(journalPath)
    let replay = { bytes: 0, applied: 0, valid: false }
    if (baseText !== undefined && journalText !== undefined && journalText !== '')
      replay = await RecordJournal.#replay(journalPath, journalText, generation, records)
    const baseBytes = baseText === undefined ? 0 : Buffer.byteLength(baseText)
    const journal = new RecordJournal(dir, generation, undefined, replay.bytes, baseBytes)
    // Without a valid journal of the base's generation the caller compacts before appending.
    if (replay.valid) journal.#fh = await open(journalPath, 'a', 0o600)
    return { journal, contents: { records, found: baseText !== undefined } }
  }

  static async #replay(
    path: string,
    text: string,
    generation: number,
    records: Map<string, string>,
  ): Promise<{ bytes: number; applied: number; valid: boolean }> {
    const lines = text.split('\n')
    const complete = text.endsWith('\n')
    if (complete) lines.pop()
    const first = lines[0]
    // Only a header torn by a crash during compaction's journal reset is no header at all.
    if (lines.length === 1 && !complete) return { bytes: 0, applied: 0, valid: false }
    if (header(path, first, 'kms-bench-journal') !== generation) return { bytes: 0, applied: 0, valid: false }
    let bytes = Buffer.byteLength(first ?? '') + 1
    let applied = 0
    for (let i = 1; i < lines.length; i++) {
      const line = at(lines, i)
      const payload = checked(line)
      const last = i === lines.length - 1
      if (payload === undefined) {
        // A torn last write was never acknowledged: drop it (and cut it off the file).
        if (last) {
          const fh = await open(path, 'r+')
          await fh.truncate(bytes).finally(() => fh.close())
          break
        }
        throw new StateDirError(`${path} line ${i + 1} is damaged (checksum mismatch)${idsIn(line)}`)
      }
      for (const [id, value] of JSON.parse(payload) as [string, unknown][]) {
        if (value === null) records.delete(id)
        else records.set(id, RecordJournal.recordLine(id, JSON.stringify(value)))
      }
      bytes += Buffer.byteLength(line) + 1
      applied++
    }
    return { bytes, applied, valid: true }
  }

  /** Bytes in the journal (header included). */
  get journalBytes(): number {
    return this.#journalBytes
  }

  /** Bytes of the base at its last compaction. */
  get baseBytes(): number {
    return this.#baseBytes
  }

  /** True when appends can go to the journal (a compaction has set it up). */
  get ready(): boolean {
    return this.#fh !== undefined
  }

  /**
   * Appends one commit (`[id, valueJson | null]` per changed record) and makes it durable.
   * On failure the journal is cut back to its previous length; when even that fails it is
   * no longer {@link ready} (the next commit compacts).
   */
  async append(changes: readonly (readonly [string, string | null])[]): Promise<void> {
    const fh = this.#fh
    if (fh === undefined) throw new Error('journal not ready: compact first')
    const payload = `[${changes.map(([id, v]) => `[${JSON.stringify(id)},${v ?? 'null'}]`).join(',')}]`
    const line = `${hashed(payload)}\n`
    try {
      await writeAll(fh, line)
      await fh.datasync()
      this.#journalBytes += Buffer.byteLength(line)
    } catch (e) {
      try {
        await fh.truncate(this.#journalBytes)
      } catch {
        this.#fh = undefined
        await fh.close().catch(() => {})
      }
      throw e
    }
  }

  /** Writes `lines` (every live record) as the new base and starts an empty journal. */
  async compact(lines: Iterable<string>): Promise<void> {
    const next = this.#generation + 1
    const base = join(this.dir, BASE_FILE)
    const baseBytes = await writeReplacing(base, [
      JSON.stringify({ format: 'kms-bench-state', version: 2, generation: next }),
      ...lines,
    ])
    // From here the old journal is obsolete: never append to it again.
    const old = this.#fh
    this.#fh = undefined
    await old?.close().catch(() => {})
    this.#generation = next
    this.#baseBytes = baseBytes
    const journalHeader = JSON.stringify({ format: 'kms-bench-journal', version: 2, generation: next })
    const path = join(this.dir, JOURNAL_FILE)
    this.#journalBytes = await writeReplacing(path, [journalHeader])
    this.#fh = await open(path, 'a', 0o600)
  }

  /** Closes the journal file. */
  async close(): Promise<void> {
    await this.#fh?.close().catch(() => {})
    this.#fh = undefined
  }
}

/**
 * Replaces `path` atomically with `lines` (temporary file, fsync, rename, fsync of the
 * directory); resolves to the bytes written. On failure the temporary file is removed.
 */
async function writeReplacing(path: string, lines: Iterable<string>): Promise<number> {
  const tmp = `${path}.${process.pid}.tmp`
  let fh: FileHandle | undefined
  let bytes = 0
  try {
    fh = await open(tmp, 'w', 0o600)
    // In chunks: no single string of the whole state, and the event loop keeps serving.
    let chunk: string[] = []
    let size = 0
    for (const l of lines) {
      chunk.push(l)
      size += l.length + 1
      if (size >= 1 << 20) {
        bytes += await writeAll(fh, `${chunk.join('\n')}\n`)
        chunk = []
        size = 0
      }
    }
    if (chunk.length > 0) bytes += await writeAll(fh, `${chunk.join('\n')}\n`)
    await fh.sync()
    await fh.close()
    fh = undefined
    await rename(tmp, path)
  } catch (e) {
    await fh?.close().catch(() => {})
    await unlink(tmp).catch(() => {})
    throw e
  }
  const dirHandle = await open(join(path, '..'), 'r')
  try {
    await dirHandle.sync()
  } finally {
    await dirHandle.close()
  }
  return bytes
}

/** Writes all of `text` (a write may take only part of it); resolves to the bytes written. */
async function writeAll(fh: FileHandle, text: string): Promise<number> {
  const buf = Buffer.from(text, 'utf8')
  let off = 0
  while (off < buf.length) off += (await fh.write(buf, off)).bytesWritten
  return buf.length
}
