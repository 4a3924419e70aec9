/**
 * Loading a saved run result for `compare`, `merge` and `report`: a summary.json, or the
 * directory a run wrote it into. A missing or unreadable file, JSON that is not a kms-bench
 * summary, or a schemaVersion this build does not know is bad input: one clear message, exit 2.
 */
import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseRunSummary, SCHEMA_VERSION, SummaryFormatError, type RunSummary } from '../load/index.ts'
import { CliError, EXIT_USAGE } from './cli-error.ts'
import { readJsonFile } from './files.ts'
import { OUTPUT_FILES } from './output.ts'

const HINT = 'pass the summary.json a `kms-bench run` wrote'

/**
 * The summary file a RESULT argument names, resolved against `cwd`: the file itself, or
 * `summary.json` inside it when it is a directory.
 */
export async function summaryPath(cwd: string, arg: string): Promise<string> {
  const path = resolve(cwd, arg)
  try {
    if ((await stat(path)).isDirectory()) return join(path, OUTPUT_FILES.summary)
  } catch {
    // missing or unreadable: loadSummary names the problem
  }
  return path
}

/** Reads and validates a saved summary; every problem becomes a {@link CliError} (exit 2). */
export async function loadSummary(path: string): Promise<RunSummary> {
  const json = await readJsonFile(path, { what: path }, HINT)
  try {
    return parseRunSummary(json, path)
  } catch (e) {
    if (!(e instanceof SummaryFormatError)) throw e
    const version =
      json !== null && typeof json === 'object' ? (json as { schemaVersion?: unknown }).schemaVersion : undefined
    const hint =
      typeof version === 'number' && version !== SCHEMA_VERSION
        ? `it was written by a different kms-bench version (schemaVersion ${SCHEMA_VERSION} here): render it with that version, or re-run the scenario`
        : HINT
    throw new CliError(e.message, EXIT_USAGE, hint)
  }
}

/** {@link summaryPath} then {@link loadSummary}: the result a RESULT argument names, and its path. */
export async function loadResultArg(cwd: string, arg: string): Promise<{ path: string; summary: RunSummary }> {
  const path = await summaryPath(cwd, arg)
  return { path, summary: await loadSummary(path) }
}
