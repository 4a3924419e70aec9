/**
 * `kms-bench merge SHARD.json... --out DIR`: merges the summaries of a sharded run
 * (`kms-bench run --shard I/N`, e.g. the pods of a Kubernetes Indexed Job) exactly (HDR
 * `add()`, counters summed) and renders the reports of the whole run. Files that cannot be
 * read, are not summaries, or do not belong to one run are bad input (exit 2).
 */
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { SystemClock } from '../clock.ts'
import { MergeError, mergeSummaries } from '../load/merge.ts'
import { usageError } from './cli-error.ts'
import type { CliIo, Command } from './io.ts'
import { writeRunOutputs } from './output.ts'
import { loadSummary } from './report.ts'

const USAGE = `Usage: kms-bench merge SHARD.json... [--out DIR]

Merges the summary.json files of the shards of one run (kms-bench run --shard I/N) exactly:
histograms are added, counters summed, per-second timelines summed, cost recomputed. Writes
summary.json, report.md, report.html, <variant>.hgrm and timeline.csv of the whole run.

Options:
  --out DIR   output directory (default reports/<scenario>/merged-<timestamp>/)
  --quiet     print nothing on success
  -h, --help  show this help
`

const OPTIONS = {
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** The `merge` command. */
export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge shard results exactly and render them',
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: true }>>
    try {
      parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true })
    } catch (e) {
      throw usageError(e instanceof Error ? e.message : String(e), 'run `kms-bench merge --help` for the options')
    }
    if (parsed.values.help === true) {
      io.stdout.write(USAGE)
      return 0
    }
    const files = parsed.positionals
    if (files.length === 0) throw usageError('missing SHARD.json files to merge')
    const summaries = []
    for (const f of files) summaries.push(await loadSummary(resolve(io.cwd, f)))
    let merged
    try {
      merged = await mergeSummaries(summaries)
    } catch (e) {
      if (e instanceof MergeError) throw usageError(e.message)
      throw e
    }
    const stamp = new Date(new SystemClock().now()).toISOString().replace(/[:.]/g, '-')
    const out = parsed.values.out ?? join('reports', merged.scenario, `merged-${stamp}`)
    const written = await writeRunOutputs(merged, out, { env: io.env, cwd: io.cwd })
    if (parsed.values.quiet !== true) {
      const shards = merged.shards.map((s) => s.index).join(', ')
      io.stdout.write(`merged ${files.length} result(s) (shards ${shards} of ${merged.shards[0]?.count ?? 1})${merged.complete ? '' : ' [incomplete]'} into ${resolve(io.cwd, out)} (${written.length} files)\n`)
    }
    return 0
  },
}
