/**
 * `run --live FILE`: the file the live view's JSON lines go to (src/report/live.ts renders
 * them). Opened (and truncated) before the run, so that a path that cannot be written is a
 * usage error (exit 2) before anything runs; every line is written with one `writeSync`, so a
 * reader (`tail -f FILE | jq`) sees whole lines as soon as each second is final.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { resolve } from 'node:path'
import type { RunSummary, TimelineEntry } from '../../load/index.ts'
import { renderLiveLine } from '../../report/index.ts'
import { usageError } from '../cli-error.ts'
import { fsReason } from '../files.ts'
import { pseudoFilesystemProblem } from '../../make-directory.ts'

/** An open `--live` file. */
export interface LiveFile {
  /** writes one second of a variant's timeline */
  write(variant: string, entry: TimelineEntry): void
  /** the run of `--runs N` the next lines belong to (1-based; named in each line when N > 1) */
  startRun(run: number): void
  /** writes every second of a summary (worker threads report their seconds only at the end) */
  writeSummary(summary: RunSummary): void
  close(): void
}

/** Opens `--live FILE` (relative to `cwd`) for writing, truncating it; a usage error when it cannot be. */
export function openLiveFile(file: string, cwd: string, runs: number): LiveFile {
  const path = resolve(cwd, file)
  const pseudo = pseudoFilesystemProblem(path)
  if (pseudo !== undefined) throw usageError(`--live ${pseudo}`)
  let fd: number
  try {
    fd = openSync(path, 'w', 0o644)
  } catch (e) {
    throw usageError(`--live ${file}: cannot write it: ${fsReason(e)}`)
  }
  let run: number | undefined
  const write = (variant: string, entry: TimelineEntry): void => {
    writeSync(fd, renderLiveLine(variant, entry, run))
  }
  return {
    write,
    startRun(n) {
      run = runs > 1 ? n : undefined
    },
    writeSummary(summary) {
      for (const v of summary.variants) for (const e of v.timeline) write(v.name, e)
    },
    close() {
      closeSync(fd)
    },
  }
}
