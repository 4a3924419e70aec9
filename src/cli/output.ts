/**
 * The run output writer: renders every report of a run summary and writes them into one
 * directory (DESIGN.md, "Run output"): `summary.json`, `report.md`, `report.html`, one
 * `<variant>.hgrm` per variant, `timeline.csv`, and the exports for trackers and CI
 * (`bencher.json`, `github-action-benchmark.json`, `junit.xml`). Each file is written
 * atomically, so a reader never sees a half-written report. With a GitHub step summary
 * configured (`$GITHUB_STEP_SUMMARY`), `report.md` is appended to it as well.
 */
import { access, appendFile, constants, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { DirectoryError, makeDirectory, pseudoFilesystemProblem } from '../make-directory.ts'
import { SystemClock } from '../clock.ts'
import type { RunSummary } from '../load/index.ts'
import {
  renderBencherJson,
  renderCustomSmallerIsBetterJson,
  renderVariantHgrm,
  variantFileNames,
  renderHtml,
  renderJunitXml,
  renderMarkdown,
  renderTimelineCsv,
} from '../report/index.ts'
import { writeFileAtomic } from './atomic-write.ts'
import { usageError } from './cli-error.ts'
import { fsReason, isFsError } from './files.ts'

/** File names of the run outputs (besides the per-variant `.hgrm` files). */
export const OUTPUT_FILES = {
  summary: 'summary.json',
  markdown: 'report.md',
  html: 'report.html',
  timeline: 'timeline.csv',
  bencher: 'bencher.json',
  githubActionBenchmark: 'github-action-benchmark.json',
  junit: 'junit.xml',
} as const

/**
 * GitHub's limit on one step's summary (1 MiB,
 * https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#step-isolation-and-limits).
 */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024

/** Options of {@link writeRunOutputs}. */
export interface RunOutputOptions {
  /**
   * The process environment (the CLI passes `io.env`); `GITHUB_STEP_SUMMARY` in it names the
   * file `report.md` is appended to.
   * @default {} (no step summary)
   */
  readonly env?: Readonly<Record<string, string | undefined>>
  /**
   * A step-summary file to append `report.md` to, overriding `env.GITHUB_STEP_SUMMARY`;
   * `false` appends nowhere.
   * @default env.GITHUB_STEP_SUMMARY
   */
  readonly stepSummary?: string | false
  /**
   * Write `summary.json` (off when re-rendering a saved summary in place, so the original file
   * is kept byte for byte).
   * @default true
   */
  readonly writeSummary?: boolean
  /**
   * Directory relative paths are resolved against.
   * @default process.cwd()
   */
  readonly cwd?: string
}

/** A rendered output file: its name in the output directory and its content. */
export interface RenderedOutput {
  readonly name: string
  readonly content: string
}

/** Renders every output file of a run summary, in memory (the order they are written in). */
export function renderRunOutputs(
  summary: RunSummary,
  options: Pick<RunOutputOptions, 'writeSummary'> = {},
): RenderedOutput[] {
  const markdown = renderMarkdown(summary)
  const names = variantFileNames(summary.variants)
  const files: RenderedOutput[] = [
    { name: OUTPUT_FILES.markdown, content: markdown },
    { name: OUTPUT_FILES.html, content: renderHtml(summary) },
    ...summary.variants.map((v, i) => ({
      name: `${names[i] ?? `variant-${i + 1}`}.hgrm`,
      content: renderVariantHgrm(v),
    })),
    { name: OUTPUT_FILES.timeline, content: renderTimelineCsv(summary) },
    { name: OUTPUT_FILES.bencher, content: renderBencherJson(summary) },
    { name: OUTPUT_FILES.githubActionBenchmark, content: renderCustomSmallerIsBetterJson(summary) },
    { name: OUTPUT_FILES.junit, content: renderJunitXml(summary) },
  ]
  // summary.json last: a reader that waits for it finds every other file already in place.
  if (options.writeSummary ?? true)
    files.push({ name: OUTPUT_FILES.summary, content: `${JSON.stringify(summary, null, 2)}\n` })
  return files
}

/**
 * The default output directory of a command: `reports/<scenario>/<prefix><timestamp>`
 * (relative to the working directory). The scenario name is made file-safe first: a merged or
 * re-read summary may carry any string there, and it must not steer the write elsewhere.
 */
export function defaultOutDir(scenario: string, prefix = ''): string {
  const safe =
    scenario
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[.-]+/, '')
      .slice(0, 64) || 'result'
  const stamp = new Date(new SystemClock().now()).toISOString().replace(/[:.]/g, '-')
  return join('reports', safe, `${prefix}${stamp}`)
}

/**
 * Checks, before a long run or simulation, that its output directory `dir` (as the user gave
 * it, relative to `cwd`) can be created and written to, without creating it: a run that then
 * fails leaves nothing behind. Throws a usage error naming `flag` otherwise.
 */
export async function checkOutDir(dir: string, cwd: string, flag = '--out'): Promise<void> {
  let path = resolve(cwd, dir)
  const pseudo = pseudoFilesystemProblem(path)
  if (pseudo !== undefined) throw usageError(`${flag} ${pseudo}`)
  for (;;) {
    let isDir: boolean
    try {
      isDir = (await stat(path)).isDirectory()
    } catch (e) {
      const parent = dirname(path)
      const code = (e as NodeJS.ErrnoException).code
      if ((code === 'ENOENT' || code === 'ENOTDIR') && parent !== path) {
        path = parent
        continue
      }
      throw usageError(`${flag} ${dir}: cannot create it: ${fsReason(e)}`)
    }
    if (!isDir) throw usageError(`${flag} ${dir}: cannot create it: ${path} is not a directory`)
    try {
      await access(path, constants.W_OK)
    } catch (e) {
      throw usageError(`${flag} ${dir}: cannot write into ${path}: ${fsReason(e)}`)
    }
    return
  }
}

/**
 * Writes rendered files into `dir` (created if missing), each atomically, in order; resolves to
 * the paths written. A file-system failure (a path that is not a directory, no permission, a
 * full disk) is a usage error naming the file, not a crash.
 */
export async function writeOutputFiles(dir: string, files: readonly RenderedOutput[]): Promise<string[]> {
  const written: string[] = []
  let path = dir
  try {
    await makeDirectory(dir)
    for (const f of files) {
      path = join(dir, f.name)
      await writeFileAtomic(path, f.content)
      written.push(path)
    }
  } catch (e) {
    if (e instanceof DirectoryError) throw usageError(e.message, 'choose another output directory with --out')
    if (isFsError(e))
      throw usageError(`cannot write ${path}: ${fsReason(e)}`, 'choose another output directory with --out')
    throw e
  }
  return written
}

/**
 * Renders and writes every output of a run into `dir` (created if missing), each file
 * atomically; appends `report.md` to the GitHub step summary when one is configured. Resolves
 * to the paths written, in order. Everything is rendered before the first write, so a
 * rendering error leaves the directory untouched.
 */
export async function writeRunOutputs(
  summary: RunSummary,
  dir: string,
  options: RunOutputOptions = {},
): Promise<string[]> {
  const cwd = options.cwd ?? process.cwd()
  const files = renderRunOutputs(summary, options)
  const written = await writeOutputFiles(resolve(cwd, dir), files)
  const markdown = files.find((f) => f.name === OUTPUT_FILES.markdown)?.content ?? ''
  await appendToStepSummary(markdown, { ...options, cwd })
  return written
}

/**
 * Appends Markdown to the GitHub step summary when one is configured (`stepSummary`, else
 * `env.GITHUB_STEP_SUMMARY`); does nothing otherwise. A file that cannot be written is a usage
 * error naming it.
 */
export async function appendToStepSummary(
  markdown: string,
  options: Pick<RunOutputOptions, 'env' | 'stepSummary' | 'cwd'>,
): Promise<void> {
  const stepSummary = options.stepSummary ?? options.env?.['GITHUB_STEP_SUMMARY']
  if (stepSummary === undefined || stepSummary === false || stepSummary === '') return
  const path = resolve(options.cwd ?? process.cwd(), stepSummary)
  try {
    await appendStepSummary(path, markdown)
  } catch (e) {
    if (isFsError(e))
      throw usageError(`cannot append to the GitHub step summary ${path} ($GITHUB_STEP_SUMMARY): ${fsReason(e)}`)
    throw e
  }
}

/**
 * Appends Markdown to a GitHub step summary file, cut to GitHub's per-step limit with a note
 * when it is longer (GitHub rejects the whole summary otherwise).
 */
export async function appendStepSummary(path: string, markdown: string): Promise<void> {
  let text = markdown.endsWith('\n') ? markdown : `${markdown}\n`
  const budget = STEP_SUMMARY_LIMIT_BYTES - 1024
  if (Buffer.byteLength(text) > budget) {
    const note = '\n\n_Report truncated to fit the GitHub step summary limit; see report.md._\n'
    let cut = Buffer.from(text)
      .subarray(0, budget - Buffer.byteLength(note))
      .toString('utf8')
    // Drop a partial last line (and a replacement character from a cut multi-byte sequence).
    cut = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')))
    text = `${cut}${note}`
  }
  await makeDirectory(dirname(path))
  await appendFile(path, `${text}\n`)
}
