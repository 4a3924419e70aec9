/**
 * What `run` and `plan` share to simulate a scenario: loading a scenario file, the trace-file
 * reader the load engine calls, the environment recorded in every summary, and the mapping of
 * the engine's bad-input errors to usage errors (exit 2).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { cpus } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PlanError } from '../load/plan.ts'
import { RunError } from '../load/runner.ts'
import { defineScenario, isScenario, ScenarioError, type Scenario } from '../load/scenario.ts'
import { ScheduleError } from '../load/schedule.ts'
import type { RunSummary } from '../load/summary.ts'
import { RateTraceError } from '../load/trace-csv.ts'
import { QuotaConfigError } from '../quota/index.ts'
import { CliError, EXIT_USAGE, usageError } from './cli-error.ts'
import { fsReason, readTextFileSync } from './files.ts'

/** The package root (for the versions recorded in results). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Versions of the packages results depend on: the KMS client, every @smithy/* package, hdr-histogram-js, zod. */
export function packageVersions(root: string = PACKAGE_ROOT): Record<string, string> {
  const out: Record<string, string> = {}
  const read = (name: string): void => {
    try {
      const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
        version?: string
      }
      if (typeof pkg.version === 'string') out[name] = pkg.version
    } catch {
      // not installed: left out
    }
  }
  for (const name of ['@aws-sdk/client-kms', 'hdr-histogram-js', 'zod']) read(name)
  try {
    for (const d of readdirSync(join(root, 'node_modules', '@smithy')).sort()) read(`@smithy/${d}`)
  } catch {
    // no @smithy packages
  }
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
export async function loadScenario(file: string, cwd: string): Promise<{ scenario: Scenario; path: string }> {
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
    throw usageError(
      `cannot load scenario file '${file}': ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    )
  }
  const value = mod.default
  if (value === undefined)
    throw usageError(`scenario file '${file}' has no default export`, 'write `export default defineScenario({...})`')
  if (isScenario(value)) return { scenario: value, path }
  try {
    return { scenario: defineScenario(value as Parameters<typeof defineScenario>[0], file), path }
  } catch (e) {
    if (e instanceof ScenarioError) throw new CliError(e.message, EXIT_USAGE)
    throw e
  }
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
