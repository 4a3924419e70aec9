/**
 * `kms-bench merge SHARD.json... --out DIR`: merges the summaries of a sharded run
 * (`kms-bench run --shard I/N`, e.g. the pods of a Kubernetes Indexed Job) exactly (HDR
 * `add()`, counters summed) and renders the reports of the whole run. Files that cannot be
 * read, are not summaries, or do not belong to one run are bad input (exit 2).
 */
import { resolve } from 'node:path'
import { MergeError, mergeSummaries } from '../load/index.ts'
import { parseCommandArgs } from './args.ts'
import { usageError } from './cli-error.ts'
import type { CliIo, Command } from './io.ts'
import { defaultOutDir, writeRunOutputs } from './output.ts'
import { loadResultArg } from './summary-file.ts'

const USAGE = `Usage: kms-bench merge SHARD.json... [--out DIR]

Merges the summary.json files of the shards of one run (kms-bench run --shard I/N) exactly:
histograms are added, counters summed, per-second timelines summed, cost recomputed. Each
SHARD is a summary.json or the directory holding one. Writes the reports of the whole run,
as kms-bench run does: summary.json, report.md, report.html, one <variant>.hgrm per variant,
timeline.csv, bencher.json, github-action-benchmark.json and junit.xml. With
$GITHUB_STEP_SUMMARY set, report.md is appended to it.

Options:
  --out DIR   output directory (default reports/<scenario>/merged-<timestamp>/)
  --quiet     print nothing on success
  -h, --help  show this help
`

const OPTIONS = {
  out: { type: 'string' },
  quiet: { type: 'boolean' },
} as const

/** The `merge` command. */
export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge shard results exactly and render them',
  usage: USAGE,
  options: OPTIONS,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseCommandArgs('merge', argv, OPTIONS)
    const files = parsed.positionals
    if (files.length === 0) throw usageError('missing SHARD.json files to merge', 'run `kms-bench merge --help`')
    const summaries = []
    for (const f of files) summaries.push((await loadResultArg(io.cwd, f)).summary)
    let merged
    try {
      merged = await mergeSummaries(summaries)
    } catch (e) {
      if (e instanceof MergeError) throw usageError(e.message)
      throw e
    }
    const out = parsed.values.out ?? defaultOutDir(merged.scenario, 'merged-')
    const written = await writeRunOutputs(merged, out, { env: io.env, cwd: io.cwd })
    if (parsed.values.quiet !== true) {
      const shards = merged.shards.map((s) => s.index).join(', ')
      io.stdout.write(
        `merged ${files.length} result(s) (shards ${shards} of ${merged.shards[0]?.count ?? 1})${merged.complete ? '' : ' [incomplete]'} into ${resolve(io.cwd, out)} (${written.length} files)\n`,
      )
    }
    return 0
  },
}
