/**
 * Loading a scenario file (its default export, validated) and the trace files it names, for
 * the CLI, the bench and the worker threads of a parallel run alike. Every problem is a
 * {@link ScenarioFileError} naming the file and why, with a hint where one helps.
 */
import { readFileSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { extname, isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { fsReason } from '../../util/index.ts'
import { defineScenario, isScenario, ScenarioError } from './define.ts'
import type { Scenario } from './scenario-schema.ts'
import type { MitigationTable } from './types.ts'

/** A scenario file (or a trace file it names) that cannot be read, imported or validated. */
export class ScenarioFileError extends Error {
  override readonly name = 'ScenarioFileError'
  /** What to do about it, printed under the message. @default none */
  readonly hint: string | undefined
  constructor(message: string, hint?: string) {
    super(message)
    this.hint = hint
  }
}

const SCENARIO_HINT = 'scenarios are TypeScript files such as scenarios/s3-upload-storm.ts'

/**
 * Loads a scenario file: its default export, a scenario (`defineScenario(...)`) or a plain
 * scenario object validated here with `mitigations` resolving the mitigation names.
 * `path` is the absolute path of the file (trace files are relative to its directory).
 * `imported`: the file's module as already imported (a worker thread's bundle holds it).
 */
export async function loadScenarioFile(
  file: string,
  cwd: string,
  mitigations: MitigationTable,
  imported?: { default?: unknown },
): Promise<{ scenario: Scenario; path: string }> {
  const path = isAbsolute(file) ? file : resolve(cwd, file)
  let isDir: boolean
  try {
    isDir = (await stat(path)).isDirectory()
  } catch (e) {
    throw new ScenarioFileError(`cannot read scenario file '${file}': ${fsReason(e)}`, SCENARIO_HINT)
  }
  if (isDir) throw new ScenarioFileError(`cannot read scenario file '${file}': is a directory`, SCENARIO_HINT)
  let mod: { default?: unknown }
  try {
    mod = imported ?? (await importScenarioModule(path))
  } catch (e) {
    // By name too: a file loaded through tsImport has its own copy of the scenario module.
    if (e instanceof ScenarioError || (e instanceof Error && e.name === 'ScenarioError'))
      throw new ScenarioFileError(e.message.replace(/^scenario /, `${file} `))
    throw loadError(e, file, path)
  }
  const value = mod.default
  if (value === undefined)
    throw new ScenarioFileError(
      `scenario file '${file}' has no default export`,
      'write `export default defineScenario({...})`',
    )
  if (isScenario(value)) return { scenario: value, path }
  try {
    return {
      scenario: defineScenario(value as Parameters<typeof defineScenario>[0], { source: file, mitigations }),
      path,
    }
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioFileError(e.message)
    throw e
  }
}

/**
 * The error for a scenario file that does not load: a syntax error as
 * `file:line:column: message` with the offending line and a caret under the column (tsx's
 * esbuild transform reports it on the second line of its message, after "Transform failed");
 * a missing `kms-bench` package with the install command.
 */
function loadError(e: unknown, file: string, path: string): ScenarioFileError {
  const message = e instanceof Error ? e.message : String(e)
  const syntax = /^(.*?):(\d+):(\d+): ERROR: (.*)$/m.exec(message) ?? javaScriptSyntaxError(e, path)
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
    return new ScenarioFileError(`${shown}:${n}:${Number(column) + 1}: syntax error: ${text}${excerpt}`)
  }
  const missing = /Cannot find (?:package|module) '(kms-bench)(?:\/[^']*)?'/.exec(message)
  if (missing !== null)
    return new ScenarioFileError(
      `cannot load scenario file '${file}': it imports 'kms-bench', which is not installed where the file is`,
      `install it in the scenario's project: npm install --save-dev kms-bench (then run it with npx kms-bench run ${file})`,
    )
  return new ScenarioFileError(`cannot load scenario file '${file}': ${message.split('\n')[0]}`)
}

/** The esbuild that tsx (a dependency of this package) transforms TypeScript scenarios with. */
interface EsbuildTransform {
  transformSync(source: string, options: { loader: 'js'; format: 'esm'; sourcefile: string }): unknown
}

/**
 * The position of a syntax error in a JavaScript scenario (`.js`, `.mjs`, `.cjs`), which Node
 * loads itself: its SyntaxError from import() carries no file, line or column (Node prints
 * them only for an uncaught error). The file is parsed again with the esbuild that tsx brings,
 * whose error has them; the result matches the `file:line:column: ERROR: text` form of a
 * TypeScript file's transform error. Null for anything else, or when esbuild finds no error.
 */
function javaScriptSyntaxError(e: unknown, path: string): RegExpExecArray | null {
  if (!(e instanceof SyntaxError) || !['.js', '.mjs', '.cjs'].includes(extname(path))) return null
  try {
    const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))
    const esbuild = fromTsx('esbuild') as EsbuildTransform
    esbuild.transformSync(readFileSync(path, 'utf8'), { loader: 'js', format: 'esm', sourcefile: path })
  } catch (x) {
    const first = (x as { errors?: { text?: string; location?: { line: number; column: number } | null }[] })
      .errors?.[0]
    if (first?.location != null)
      return /^(.*?):(\d+):(\d+): ERROR: (.*)$/m.exec(
        `${path}:${first.location.line}:${first.location.column}: ERROR: ${first.text ?? e.message}`,
      )
  }
  return null
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
 * The `readTraceFile` option of a run: reads a trace file a scenario names, relative to
 * `baseDir` (the scenario file's directory); an unreadable one is a {@link ScenarioFileError}
 * naming it.
 */
export function traceFileReader(baseDir: string): (file: string) => string {
  return (file) => {
    try {
      return readFileSync(isAbsolute(file) ? file : resolve(baseDir, file), 'utf8')
    } catch (e) {
      throw new ScenarioFileError(`cannot read the trace file '${file}': ${fsReason(e)}`)
    }
  }
}
