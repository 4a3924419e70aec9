/**
 * What `run` and `plan` share to simulate a scenario: loading a scenario file, the trace-file
 * reader the load engine calls, the environment recorded in every summary, and the mapping of
 * the engine's bad-input errors to usage errors (exit 2).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PlanError } from '../plan/index.ts'
import {
  RunError,
  loadScenarioFile,
  ScenarioError,
  ScenarioFileError,
  traceFileReader as loadTraceFileReader,
  type MitigationTable,
  type Scenario,
  ScheduleError,
  type RunSummary,
  RateTraceError,
} from '../load/index.ts'
import { QuotaConfigError } from '../quota/index.ts'
import { CliError, usageError } from './cli-error.ts'

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
  try {
    return await loadScenarioFile(file, cwd, mitigations)
  } catch (e) {
    throw inputError(e) ?? e
  }
}

/**
 * The `readTraceFile` callback of a run: a scenario's trace file, relative to `baseDir` (the
 * scenario file's directory); an unreadable one is a usage error naming it.
 */
export function traceFileReader(baseDir: string): (file: string) => string {
  const read = loadTraceFileReader(baseDir)
  return (file) => {
    try {
      return read(file)
    } catch (e) {
      throw inputError(e) ?? e
    }
  }
}

/**
 * The usage error (exit 2) for an error of the load engine that means bad input: an invalid
 * scenario, schedule, trace, run option, quota setting or plan. `undefined` for anything else.
 */
export function inputError(e: unknown): CliError | undefined {
  if (e instanceof CliError) return e
  if (e instanceof ScenarioFileError) return usageError(e.message, e.hint)
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
