/**
 * `kms-bench import-cloudtrail FILE|DIR... --out DIR`: CloudTrail KMS events → a replayable
 * trace, calls table and scenario (`kms-bench run DIR/scenario.ts`), with callers kept for
 * attribution. Directories are walked recursively (an S3 sync of `AWSLogs/` works as is);
 * a file that is not a CloudTrail log is bad input (exit 2, naming the file and record).
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import {
  buildTrailImport,
  CloudTrailFormatError,
  readTrailFile,
  renderTrailImport,
  type TrailFileContents,
} from '../traffic/index.ts'
import { parseCommandArgs } from './args.ts'
import { usageError } from './cli-error.ts'
import { fsReason } from './files.ts'
import type { CliIo, Command } from './io.ts'
import { checkOutDir, writeOutputFiles } from './output.ts'

const USAGE = `Usage: kms-bench import-cloudtrail FILE|DIR... --out DIR

Reads CloudTrail logs and writes a replay of their KMS calls:
  - log files as CloudTrail delivers them to S3 ({"Records": [...]}, .json or .json.gz; many
    files in any order; directories are read recursively);
  - CloudTrail Lake or Athena query results as CSV (columns eventTime, eventSource,
    eventName, awsRegion, userIdentity or userIdentity.arn/.accountId/.invokedBy,
    requestParameters, resources, errorCode, recipientAccountId).
Only eventSource kms.amazonaws.com is kept. Writes to DIR:
  trace.csv          replayed calls per second (trace arrivals)
  calls.csv          per second: operation, key, caller, account, Region, context index, count
  scenario.ts        the replay: kms-bench run DIR/scenario.ts
  import.json        what was read (by operation, caller, account, Region, key)
  import-report.md   the same for people
Throttled calls in the log (ThrottlingException) are demand and are replayed.
Encryption contexts: only how many distinct ones each key saw is kept, never the values.

Options:
  --out DIR   output directory (required)
  --quiet     print nothing on success
  -h, --help  show this help
`

const OPTIONS = {
  out: { type: 'string' },
  quiet: { type: 'boolean' },
} as const

/** Files under the arguments (directories recursively, hidden files skipped), sorted. */
async function inputFiles(args: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (path: string, label: string): Promise<void> => {
    let st: Awaited<ReturnType<typeof stat>>
    try {
      st = await stat(path)
    } catch (e) {
      throw usageError(`cannot read '${label}': ${fsReason(e)}`)
    }
    if (!st.isDirectory()) {
      out.push(path)
      return
    }
    const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort()
    for (const n of names) await walk(join(path, n), join(label, n))
  }
  for (const a of args) await walk(resolve(cwd, a), a)
  return out
}

/** The `import-cloudtrail` command. */
export const importCloudTrailCommand: Command = {
  name: 'import-cloudtrail',
  summary: 'CloudTrail KMS events → a replayable trace and scenario',
  usage: USAGE,
  options: OPTIONS,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseCommandArgs('import-cloudtrail', argv, OPTIONS)
    if (parsed.positionals.length === 0)
      throw usageError('missing FILE or DIR of CloudTrail logs', 'run `kms-bench import-cloudtrail --help`')
    const out = parsed.values.out
    if (out === undefined) throw usageError('--out DIR is required', 'the replay is written there')
    await checkOutDir(out, io.cwd)
    const files = await inputFiles(parsed.positionals, io.cwd)
    if (files.length === 0) throw usageError(`no files under ${parsed.positionals.join(', ')}`)
    const contents: TrailFileContents[] = []
    for (const f of files) {
      const name = relative(io.cwd, f) || f
      let bytes: Uint8Array
      try {
        bytes = await readFile(f)
      } catch (e) {
        throw usageError(`cannot read '${name}': ${fsReason(e)}`)
      }
      try {
        contents.push(readTrailFile(bytes, name))
      } catch (e) {
        if (e instanceof CloudTrailFormatError) throw usageError(e.message)
        throw e
      }
    }
    const imp = buildTrailImport(contents)
    if (imp.replayed === 0)
      throw usageError(
        `no replayable KMS calls in ${files.length} file(s) (${imp.kmsEvents} KMS events, ${imp.otherServices} of other services)`,
      )
    const rendered = renderTrailImport(
      imp,
      parsed.positionals.map((p) => p),
    )
    const dir = resolve(io.cwd, out)
    await writeOutputFiles(
      dir,
      Object.entries(rendered).map(([name, content]) => ({ name, content })),
    )
    if (parsed.values.quiet !== true) {
      const throttled = Object.values(imp.byOperation).reduce((a, c) => a + c.throttled, 0)
      io.stdout.write(
        `imported ${imp.replayed} KMS calls (${throttled} throttled in the log, replayed as demand) over ${imp.seconds} s from ${files.length} file(s) into ${dir}\nrun: kms-bench run ${join(out, 'scenario.ts')}\n`,
      )
    }
    return 0
  },
}
