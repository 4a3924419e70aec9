/**
 * The in-process CLI harness of the end-to-end tests: a temporary working directory made
 * before a test file's tests and removed after them, `main()` run in it with captured output,
 * and readers for what a command wrote there.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import type { CliIo } from '../../src/cli/io.ts'
import { main } from '../../src/cli/main.ts'
import { parseRunSummary, type RunSummary } from '../../src/load/results/index.ts'

/** What one CLI invocation returned and printed. */
export interface CliResult {
  readonly code: number
  readonly out: string
  readonly err: string
}

/** Options of {@link CliWorkspace.cli}. */
export interface CliOptions {
  /**
   * Environment variables, over `CI=true` (which keeps the progress line off); `undefined`
   * removes one.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string | undefined>>
  /**
   * Present stderr as an interactive terminal (the progress line is drawn only then).
   * @default false
   */
  readonly stderrIsTTY?: boolean
  /**
   * Aborts the command (as SIGINT does) when it fires.
   * @default a signal that never fires
   */
  readonly signal?: AbortSignal
}

/** A temporary working directory with the CLI run in it. */
export interface CliWorkspace {
  /** The directory (available once the file's `beforeAll` hooks ran). */
  readonly dir: string
  /** Runs `kms-bench ...args` in-process in {@link dir}. */
  cli(args: readonly string[], options?: CliOptions): Promise<CliResult>
  /** The validated summary.json a run wrote into `out` (relative to {@link dir}). */
  summaryIn(out: string): Promise<RunSummary>
  /** A file's text, relative to {@link dir}. */
  read(path: string): Promise<string>
}

/**
 * Registers `beforeAll`/`afterAll` hooks that make and remove a temporary directory named
 * after `prefix`, and returns the harness working in it.
 */
export function cliWorkspace(prefix: string): CliWorkspace {
  let dir: string | undefined
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `kms-bench-${prefix}-`))
  })
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })
  const here = (): string => {
    if (dir === undefined) throw new Error('cliWorkspace: the directory exists only inside tests and hooks')
    return dir
  }
  return {
    get dir() {
      return here()
    },
    async cli(args, options = {}) {
      let out = ''
      let err = ''
      const io: CliIo = {
        stdout: { write: (t: string) => (out += t) },
        stderr: { write: (t: string) => (err += t), ...(options.stderrIsTTY === true ? { isTTY: true } : {}) },
        env: { CI: 'true', ...options.env },
        cwd: here(),
        signal: options.signal ?? new AbortController().signal,
      }
      const code = await main(args, io)
      return { code, out, err }
    },
    async summaryIn(out) {
      return parseRunSummary(JSON.parse(await readFile(join(here(), out, 'summary.json'), 'utf8')))
    },
    read(path) {
      return readFile(join(here(), path), 'utf8')
    },
  }
}
