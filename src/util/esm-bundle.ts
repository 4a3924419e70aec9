/**
 * Bundles the project's TypeScript (or compiled) modules into one ES module text with the
 * esbuild that tsx (a dependency of this package) brings: what a worker thread (load/
 * worker-bundle.ts) and the checkout's command (cli/checkout-bundle.ts) load instead of every
 * module through tsx's module hooks, which resolve and load each file through a hooks thread
 * (about 1 s of a core for the CLI's ~300 modules).
 *
 * The bundle keeps the modules' semantics: the same esbuild transform tsx applies (the same
 * tsconfig), names kept (`keepNames`), one instance of each module as Node would load them,
 * `url`, `dirname` and `filename` of each file's `import.meta` replaced by its own, packages
 * left to Node (imported by their resolved absolute paths, so they resolve as from the
 * importing file). Code using another property of it (`resolve`), or anything esbuild cannot
 * bundle, gets no bundle (`undefined`): the caller then loads the modules through the hooks.
 */
import { readFileSync } from 'node:fs'
import { createRequire, isBuiltin } from 'node:module'
import { extname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

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
  build(options: Record<string, unknown>): Promise<{
    outputFiles?: { text: string }[]
    metafile?: { inputs: Record<string, unknown> }
  }>
  readonly version: string
}

/** esbuild as tsx carries it, or `undefined` when it cannot be loaded. */
export function esbuildOf(): Esbuild | undefined {
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
    name: 'kms-bench-modules',
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

/** What {@link bundleModules} bundles. */
export interface BundleInput {
  /** the entry's source: JavaScript importing the project's files by absolute path */
  readonly contents: string
  /** the name esbuild gives the entry in messages */
  readonly sourcefile: string
  /** the absolute path `import 'kms-bench'` stands for (the package's entry) */
  readonly index: string
  /** the directory the entry's relative imports resolve from */
  readonly resolveDir: string
}

/** A bundle's text and the files it holds (absolute paths), or `undefined` (see the module's comment). */
export async function bundleModules(input: BundleInput): Promise<{ text: string; inputs: string[] } | undefined> {
  const esbuild = esbuildOf()
  if (esbuild === undefined) return undefined
  let text: string
  let inputs: string[]
  try {
    const out = await esbuild.build({
      stdin: { contents: input.contents, resolveDir: input.resolveDir, sourcefile: input.sourcefile, loader: 'js' },
      absWorkingDir: input.resolveDir,
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      keepNames: true,
      // Packages resolve as Node resolves them: no bundlers' `module` condition or field.
      conditions: [],
      mainFields: ['main'],
      logLevel: 'silent',
      banner: { js: BANNER },
      plugins: [plugin(input.index)],
    })
    text = out.outputFiles?.[0]?.text ?? ''
    // esbuild names inputs relative to its working directory; the entry by its `sourcefile`.
    inputs = Object.keys(out.metafile?.inputs ?? {})
      .filter((p) => p !== input.sourcefile && p !== '<stdin>')
      .map((p) => resolve(input.resolveDir, p))
  } catch {
    return undefined
  }
  // Comments are gone from the output: an `import.meta` left past the banner is code that
  // uses another property (`resolve`), which would see the bundle's location.
  if (!text.startsWith(BANNER) || text.includes(META, BANNER.length)) return undefined
  return { text, inputs }
}
