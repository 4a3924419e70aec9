/**
 * One JavaScript file holding what a virtual-time worker thread runs: the load engine
 * (`runWorker`), the run's scenario file and its mitigation table, bundled by the esbuild that
 * tsx (a dependency of this package) brings.
 *
 * Why: a thread that loads the TypeScript sources (or the compiled package) through tsx's
 * module hooks resolves and loads every module, packages included, through a hooks thread of
 * its own: about 1.7 s of a core per worker thread on this project (measured: 0.5 s from the
 * bundle). The bundle is built once per run, in esbuild's own process, while the calling
 * thread's lane runs.
 *
 * The bundle keeps the modules' semantics: the same esbuild transform tsx applies (the same
 * tsconfig), names kept (`keepNames`), one instance of each module as Node would load them,
 * `url`, `dirname` and `filename` of each file's `import.meta` replaced by its own, packages
 * left to Node (imported by their resolved absolute paths, so they resolve as from the
 * importing file). Code using another property of it (`resolve`), or anything esbuild cannot
 * bundle, leaves the run on the hooks (`undefined`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire, isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** A built bundle: its URL (what a worker imports), the export to call, and how to remove it. */
export interface WorkerBundle {
  readonly module: string
  readonly export: string
  /** removes the bundle's file (once the threads are gone) */
  remove(): void
}

/** What goes into a bundle: file URLs (`file:`) of the modules the worker imports. */
export interface BundleParts {
  /** the module exporting `runWorker` (parallel.ts or its compiled .js) */
  readonly parallel: string
  /** the package's entry (`kms-bench`), which scenario files import */
  readonly index: string
  /** the scenario file, when the run has one */
  readonly scenario?: string
  /** the mitigation table's module, when the run names one */
  readonly mitigations?: string
}

/** The name of the bundle's export: `(payload) => runWorker(payload, modules)`. */
const ENTRY_EXPORT = 'runBundledWorker'

interface ResolveArgs {
  path: string
  kind: string
  importer: string
  resolveDir: string
  pluginData?: unknown
}
interface ResolveResult {
  path: string
  errors: unknown[]
  external?: boolean
}
interface PluginBuild {
  resolve(path: string, options: Omit<ResolveArgs, 'path'>): Promise<ResolveResult>
  onResolve(
    options: { filter: RegExp },
    callback: (args: ResolveArgs) => Promise<Partial<ResolveResult> | undefined> | Partial<ResolveResult> | undefined,
  ): void
  onLoad(options: { filter: RegExp }, callback: (args: { path: string }) => { contents: string; loader: string }): void
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: { text: string }[] }>
}

/** esbuild as tsx carries it, or `undefined` when it cannot be loaded. */
function esbuildOf(): Esbuild | undefined {
  try {
    const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))
    return fromTsx('esbuild') as Esbuild
  } catch {
    return undefined
  }
}

const LOADERS: Readonly<Record<string, string>> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
}

/** A file's source with its own `url`, `filename` and `dirname` of `import.meta`. */
function withOwnImportMeta(path: string): string {
  const source = readFileSync(path, 'utf8')
  if (!source.includes(META)) return source
  return source
    .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(path).href))
    .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(path))
    .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(join(path, '..')))
}

/** `import.meta`, spelt so that this file (bundled too) holds no use of it but its own URL. */
const META = ['import', 'meta'].join('.')

/** `require` in a CommonJS file: Node's, relative to the bundle (packages are absolute paths). */
const BANNER = `import { createRequire as __kmsBenchRequire } from 'node:module';const require = __kmsBenchRequire(${META}.url);`

/** Packages and builtins stay imports of Node's, by absolute path; `kms-bench` is the package's entry. */
function plugin(index: string): { name: string; setup(build: PluginBuild): void } {
  return {
    name: 'kms-bench-worker',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'inner') return undefined
        if (args.path === 'kms-bench') return { path: index }
        if (isBuiltin(args.path)) return { path: args.path, external: true }
        const r = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'inner',
        })
        if (r.errors.length > 0) return { errors: r.errors }
        return { path: r.path, external: true }
      })
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => ({
        contents: withOwnImportMeta(args.path),
        loader: LOADERS[extname(args.path)] ?? 'js',
      }))
    },
  }
}

/**
 * Builds the bundle of a worker thread into a temporary file, or returns `undefined` (the
 * worker then loads the modules through the hooks, as without a bundle).
 */
export async function buildWorkerBundle(parts: BundleParts): Promise<WorkerBundle | undefined> {
  const esbuild = esbuildOf()
  const local = [parts.parallel, parts.index, parts.scenario, parts.mitigations]
  if (esbuild === undefined || local.some((u) => u !== undefined && !u.startsWith('file:'))) return undefined
  const path = (u: string): string => JSON.stringify(fileURLToPath(u))
  const lines = [`import { runWorker } from ${path(parts.parallel)}`]
  const modules: string[] = []
  if (parts.scenario !== undefined) {
    lines.push(`import * as scenario from ${path(parts.scenario)}`)
    modules.push('scenario')
  }
  if (parts.mitigations !== undefined) {
    lines.push(`import * as mitigations from ${path(parts.mitigations)}`)
    modules.push('mitigations')
  }
  lines.push(`export const ${ENTRY_EXPORT} = (payload) => runWorker(payload, { ${modules.join(', ')} })`)
  let text: string
  try {
    const out = await esbuild.build({
      stdin: { contents: lines.join('\n'), resolveDir: tmpdir(), sourcefile: 'kms-bench-worker.mjs', loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      keepNames: true,
      // Packages resolve as Node resolves them: no bundlers' `module` condition or field.
      conditions: [],
      mainFields: ['main'],
      logLevel: 'silent',
      banner: { js: BANNER },
      plugins: [plugin(fileURLToPath(parts.index))],
    })
    text = out.outputFiles?.[0]?.text ?? ''
  } catch {
    return undefined
  }
  // Comments are gone from the output: an `import.meta` left past the banner is code that
  // uses another property (`resolve`), which would see the bundle's location.
  if (!text.startsWith(BANNER) || text.includes(META, BANNER.length)) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'kms-bench-worker-'))
  const file = join(dir, 'worker.mjs')
  writeFileSync(file, text)
  return {
    module: pathToFileURL(file).href,
    export: ENTRY_EXPORT,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
