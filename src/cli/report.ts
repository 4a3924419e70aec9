/**
 * `kms-bench report RESULT.json [--out DIR]`: re-renders every output of a saved run summary
 * (Markdown, HTML, .hgrm, timeline.csv, tracker exports, JUnit) into DIR, by default the
 * directory the summary is in. A missing or unreadable file, JSON that is not a kms-bench
 * summary, or a schemaVersion this build does not know is bad input: one clear message, exit 2.
 */
import { readFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { parseRunSummary, SCHEMA_VERSION, SummaryFormatError, type RunSummary } from '../load/summary.ts'
import { CliError, EXIT_USAGE, usageError } from './cli-error.ts'
import type { CliIo, Command } from './io.ts'
import { OUTPUT_FILES, writeRunOutputs } from './output.ts'

const USAGE = `Usage: kms-bench report RESULT.json [--out DIR]

Re-renders the reports of a saved run summary (summary.json): report.md, report.html, one
<variant>.hgrm per variant, timeline.csv, bencher.json, github-action-benchmark.json and
junit.xml. With $GITHUB_STEP_SUMMARY set, report.md is appended to it.

Options:
  --out DIR   directory to write into (default: the directory RESULT.json is in)
  -h, --help  show this help
`

/** Reads and validates a saved summary; every problem becomes a {@link CliError} (exit 2). */
export async function loadSummary(path: string): Promise<RunSummary> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e)
    throw new CliError(`cannot read ${path}: ${why}`, EXIT_USAGE)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new CliError(`${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, EXIT_USAGE, 'pass the summary.json a `kms-bench run` wrote')
  }
  try {
    return parseRunSummary(json, path)
  } catch (e) {
    if (!(e instanceof SummaryFormatError)) throw e
    const version = json !== null && typeof json === 'object' ? (json as { schemaVersion?: unknown }).schemaVersion : undefined
    const hint = typeof version === 'number' && version !== SCHEMA_VERSION
      ? `it was written by a different kms-bench version (schemaVersion ${SCHEMA_VERSION} here): render it with that version, or re-run the scenario`
      : 'pass the summary.json a `kms-bench run` wrote'
    throw new CliError(e.message, EXIT_USAGE, hint)
  }
}

/** The `report` command. */
export const reportCommand: Command = {
  name: 'report',
  summary: 're-render reports from a saved summary.json',
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    let parsed: ReturnType<typeof parse>
    try {
      parsed = parse(argv)
    } catch (e) {
      throw usageError(e instanceof Error ? e.message : String(e), 'run `kms-bench report --help`')
    }
    const [file, ...extra] = parsed.positionals
    if (file === undefined) throw usageError('missing RESULT.json', 'run `kms-bench report --help`')
    if (extra.length > 0) throw usageError(`unexpected argument '${extra[0] ?? ''}': report takes one RESULT.json`)
    const source = resolve(io.cwd, file)
    const summary = await loadSummary(source)
    const outDir = resolve(io.cwd, parsed.values.out ?? dirname(source))
    // Re-rendering in place keeps the saved summary byte for byte instead of rewriting it.
    const inPlace = resolve(outDir, OUTPUT_FILES.summary) === source
    const written = await writeRunOutputs(summary, outDir, { env: io.env, writeSummary: !inPlace, cwd: io.cwd })
    io.stdout.write(`re-rendered ${basename(source)} (${summary.variants.length} variant${summary.variants.length === 1 ? '' : 's'}) into ${display(io.cwd, outDir)}:\n`)
    for (const p of written) io.stdout.write(`  ${display(io.cwd, p)}\n`)
    return 0
  },
}

/** A path relative to the working directory when it lies inside it, else absolute. */
function display(cwd: string, path: string): string {
  const rel = relative(cwd, path)
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: { out: { type: 'string', short: 'o' } }, allowPositionals: true, strict: true })
}
