/**
 * `kms-bench report RESULT.json [--out DIR]`: re-renders every output of a saved run summary
 * (Markdown, HTML, .hgrm, timeline.csv, tracker exports, JUnit) into DIR, by default the
 * directory the summary is in. A missing or unreadable file, JSON that is not a kms-bench
 * summary, or a schemaVersion this build does not know is bad input: one clear message, exit 2.
 */
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path'
import { onePositional, parseCommandArgs } from './args.ts'
import type { CliIo, Command } from './io.ts'
import { OUTPUT_FILES, writeRunOutputs } from './output.ts'
import { loadResultArg } from './summary-file.ts'

const USAGE = `Usage: kms-bench report RESULT.json [--out DIR]

Re-renders the reports of a saved run summary (a summary.json, or the directory holding one):
report.md, report.html, one <variant>.hgrm per variant, timeline.csv, bencher.json,
github-action-benchmark.json and junit.xml. With $GITHUB_STEP_SUMMARY set, report.md is
appended to it.

Options:
  -o, --out DIR   directory to write into, with a copy of summary.json (default: the
                  directory RESULT.json is in, where summary.json is left as it is)
  -h, --help      show this help
`

const OPTIONS = { out: { type: 'string', short: 'o' } } as const

/** The `report` command. */
export const reportCommand: Command = {
  name: 'report',
  summary: 're-render reports from a saved summary.json',
  usage: USAGE,
  options: OPTIONS,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseCommandArgs('report', argv, OPTIONS)
    const file = onePositional('report', parsed.positionals, 'RESULT.json')
    const { path: source, summary } = await loadResultArg(io.cwd, file)
    const outDir = resolve(io.cwd, parsed.values.out ?? dirname(source))
    // Re-rendering in place keeps the saved summary byte for byte instead of rewriting it.
    const inPlace = resolve(outDir, OUTPUT_FILES.summary) === source
    const written = await writeRunOutputs(summary, outDir, { env: io.env, writeSummary: !inPlace, cwd: io.cwd })
    io.stdout.write(
      `re-rendered ${basename(source)} (${summary.variants.length} variant${summary.variants.length === 1 ? '' : 's'}) into ${display(io.cwd, outDir)}:\n`,
    )
    for (const p of written) io.stdout.write(`  ${display(io.cwd, p)}\n`)
    return 0
  },
}

/** A path relative to the working directory when it lies inside it, else absolute. */
function display(cwd: string, path: string): string {
  const rel = relative(cwd, path)
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel
}
