/**
 * What `run` and `plan` share to simulate a scenario: loading a scenario file, the trace-file
 * reader the load engine calls, the environment recorded in every summary, and the mapping of
 * the engine's bad-input errors to usage errors (exit 2).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { cpus } from 'node:os'
import { dirname, isAbsolute, join, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PlanError } from '../plan/index.ts'
import {
  RunError,
  defineScenario,
  isScenario,
  ScenarioError,
  type MitigationTable,
  type Scenario,
  ScheduleError,
  type RunSummary,
  RateTraceError,
} from '../load/index.ts'
import { QuotaConfigError } from '../quota/index.ts'
import { CliError, EXIT_USAGE, usageError } from './cli-error.ts'
import { fsReason, readTextFileSync } from './files.ts'

/** The package root (for the versions recorded in results). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Versions of the packages results depend on: the KMS client, every @smithy/* package, hdr-histogram-js, zod. */
export function packageVersions(root: string = PACKAGE_ROOT): Record<string, string> {
  const out: Record<string, string> = {}
  // Where Node looks for this package's dependencies: its own node_modules, then every parent's
  // (an installed kms-bench has its dependencies hoisted into the project's node_modules).
  const dirs: string[] = []
  for (let d = root; ; d = dirname(d)) {
    if (!d.endsWith(`${sep}node_modules`)) dirs.push(join(d, 'node_modules'))
    if (dirname(d) === d) break
  }
  const read = (name: string): void => {
    for (const dir of dirs) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) as { version?: string }
        if (typeof pkg.version === 'string') out[name] = pkg.version
        return
      } catch {
        // not here: the next directory up
      }
    }
  }
  for (const name of ['@aws-sdk/client-kms', 'hdr-histogram-js', 'zod']) read(name)
  const smithy = new Set<string>()
  for (const dir of dirs) {
    try {
      for (const d of readdirSync(join(dir, '@smithy'))) smithy.add(d)
    } catch {
      // no @smithy packages here
    }
  }
  for (const d of [...smithy].sort()) read(`@smithy/${d}`)
  return out
}

/** This package's version (`kms-bench --version`, and the `tool` of every result). */
export function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return '0.0.0'
  }
}

/** The machine and package versions a result records (`summary.json` `environment`). */
export function runEnvironment(): RunSummary['environment'] {
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpus().length,
    packages: packageVersions(),
  }
}

/** Loads a scenario file: its default export, validated. Every problem is a CliError (exit 2). */
export async function loadScenario(
  file: string,
  cwd: string,
  mitigations: MitigationTable,
): Promise<{ scenario: Scenario; path: string }> {
  const path = isAbsolute(file) ? file : resolve(cwd, file)
  let isDir: boolean
  try {
    isDir = (await stat(path)).isDirectory()
  } catch (e) {
    throw usageError(
      `cannot read scenario file '${file}': ${fsReason(e)}`,
      'scenarios are TypeScript files such as scenarios/s3-upload-storm.ts',
    )
  }
  if (isDir)
    throw usageError(
      `cannot read scenario file '${file}': is a directory`,
      'scenarios are TypeScript files such as scenarios/s3-upload-storm.ts',
    )
  let mod: { default?: unknown }
  try {
    mod = await importScenarioModule(path)
  } catch (e) {
    // By name too: a file loaded through tsImport has its own copy of the scenario module.
    if (e instanceof ScenarioError || (e instanceof Error && e.name === 'ScenarioError'))
      throw new CliError(e.message.replace(/^scenario /, `${file} `), EXIT_USAGE)
    throw loadError(e, file, path)
  }
  const value = mod.default
  if (value === undefined)
    throw usageError(`scenario file '${file}' has no default export`, 'write `export default defineScenario({...})`')
  if (isScenario(value)) return { scenario: value, path }
  try {
    return {
      scenario: defineScenario(value as Parameters<typeof defineScenario>[0], { source: file, mitigations }),
      path,
    }
  } catch (e) {
    if (e instanceof ScenarioError) throw new CliError(e.message, EXIT_USAGE)
    throw e
  }
}

/**
 * The usage error for a scenario file that does not load: a syntax error as
 * `file:line:column: message` with the offending line and a caret under the column (tsx's
 * esbuild transform reports it on the second line of its message, after "Transform failed");
 * a missing `kms-bench` package with the install command.
 */
function loadError(e: unknown, file: string, path: string): CliError {
  const message = e instanceof Error ? e.message : String(e)
  const syntax = /^(.*?):(\d+):(\d+): ERROR: (.*)$/m.exec(message)
  if (syntax !== null) {
    const [, where = path, line = '1', column = '0', text = ''] = syntax
    const shown = where === path ? file : where
    const n = Number(line)
    let source = ''
    try {
      source = readFileSync(where, 'utf8').split(/\r?\n/)[n - 1] ?? ''
    } catch {
      // the file went away: the position alone
    }
    const gutter = `${n} | `
    const excerpt =
      source === '' ? '' : `\n  ${gutter}${source}\n  ${' '.repeat(gutter.length - 2)}| ${' '.repeat(Number(column))}^`
    return usageError(`${shown}:${n}:${Number(column) + 1}: syntax error: ${text}${excerpt}`)
  }
  const missing = /Cannot find (?:package|module) '(kms-bench)(?:\/[^']*)?'/.exec(message)
  if (missing !== null)
    return usageError(
      `cannot load scenario file '${file}': it imports 'kms-bench', which is not installed where the file is`,
      `install it in the scenario's project: npm install --save-dev kms-bench (then run it with npx kms-bench run ${file})`,
    )
  return usageError(`cannot load scenario file '${file}': ${message.split('\n')[0]}`)
}

/**
 * Imports a scenario file. A `.ts` file outside a `"type": "module"` package is CommonJS to
 * tsx, and Node (20.19+) then refuses the ESM syntax it holds inside import()'s module graph
 * (ERR_REQUIRE_CYCLE_MODULE): a user's own repository is often such a package. tsx's
 * `tsImport` loads it through its CommonJS transform instead; the default export is then one
 * level deeper (the interop object of `module.exports`).
 */
async function importScenarioModule(path: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(path).href
  try {
    return (await import(url)) as { default?: unknown }
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_REQUIRE_CYCLE_MODULE') throw e
    const { tsImport } = await import('tsx/esm/api')
    const mod = (await tsImport(url, import.meta.url)) as { default?: unknown }
    const inner = mod.default as { __esModule?: unknown; default?: unknown } | undefined
    return inner !== null && typeof inner === 'object' && inner.__esModule === true ? inner : mod
  }
}

/**
 * The `readTraceFile` callback of a run: a scenario's trace file, relative to `baseDir` (the
 * scenario file's directory); an unreadable one is a usage error naming it.
 */
export function traceFileReader(baseDir: string): (file: string) => string {
  return (file) =>
    readTextFileSync(isAbsolute(file) ? file : resolve(baseDir, file), { what: `the trace file '${file}'` })
}

/**
 * The usage error (exit 2) for an error of the load engine that means bad input: an invalid
 * scenario, schedule, trace, run option, quota setting or plan. `undefined` for anything else.
 */
export function inputError(e: unknown): CliError | undefined {
  if (e instanceof CliError) return e
  if (
    e instanceof ScenarioError ||
    e instanceof ScheduleError ||
    e instanceof RateTraceError ||
    e instanceof RunError ||
    e instanceof QuotaConfigError ||
    e instanceof PlanError
  ) {
    return usageError(e.message)
  }
  return undefined
}
