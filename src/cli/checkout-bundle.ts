/**
 * The command of a repository checkout as one cached bundle (issue 17: start-up).
 *
 * In a checkout there is no build step: bin/kms-bench.mjs ran src/cli/bin.ts through tsx's
 * module hooks, which resolve and load each of the CLI's ~300 modules through a hooks thread:
 * `kms-bench --help` took 1.6 s and 2.4 s of CPU, every command, every test that runs the
 * command, every bench child. The same modules bundled by esbuild (util/esm-bundle.ts) load
 * in 0.5 s and 0.6 s of CPU. The bundle is built on the first run after a change (~0.3 s)
 * and kept in `node_modules/.cache/kms-bench/` (or the system's temporary directory when
 * that cannot be written), under a name that is a hash of the bundled files' contents, the
 * Node and esbuild versions and this module's format: a changed source is a new bundle, never
 * a stale one.
 *
 * The bundle exports what src/index.ts exports and `runCli` (src/cli/bin.ts): a scenario file's
 * `import ... from 'kms-bench'` is mapped to it (bin/source-conditions.mjs), so the scenario
 * and the engine share one instance of every module, as they do through the hooks.
 *
 * `KMS_BENCH_NO_BUNDLE=1` runs the sources through the hooks as before.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { bundleModules, esbuildOf } from '../util/index.ts'

/** Bumped when the bundle's entry or manifest change shape. */
const FORMAT = 1
/** Bundles kept per cache directory (a few checkouts or branches side by side). */
const KEEP = 4

/** Where a checkout's bundle lives, and what it is made of. */
export interface CheckoutBundleOptions {
  /** the checkout's root (holding src/ and node_modules/) */
  readonly root: string
  /** @default `<root>/node_modules/.cache/kms-bench`, else `<tmpdir>/kms-bench-cache` */
  readonly cacheDir?: string
  /** the module exporting `runCli` @default `<root>/src/cli/bin.ts` */
  readonly main?: string
  /** the package's entry, which the bundle re-exports @default `<root>/src/index.ts` */
  readonly index?: string
}

/** The manifest beside each bundle: the files it holds, to tell whether it is current. */
interface Manifest {
  readonly format: number
  readonly inputs: readonly string[]
}

/**
 * The file URL of a current bundle of the checkout's CLI, built now if there is none, or
 * `undefined` when it cannot be built or stored (the caller then loads the sources).
 */
export async function checkoutBundle(options: CheckoutBundleOptions): Promise<string | undefined> {
  const esbuild = esbuildOf()
  if (esbuild === undefined) return undefined
  const main = options.main ?? join(options.root, 'src/cli/bin.ts')
  const index = options.index ?? join(options.root, 'src/index.ts')
  const salt = `${FORMAT} ${process.versions.node} ${esbuild.version} ${main} ${index}`
  const dirs = options.cacheDir !== undefined ? [options.cacheDir] : defaultCacheDirs(options.root)
  for (const dir of dirs) {
    const current = currentBundle(dir, salt)
    if (current !== undefined) return pathToFileURL(current).href
  }
  const built = await bundleModules({
    contents: `export * from ${JSON.stringify(index)}\nexport { runCli } from ${JSON.stringify(main)}\n`,
    sourcefile: 'kms-bench-cli.mjs',
    index,
    resolveDir: options.root,
  })
  if (built === undefined) return undefined
  const inputs = built.inputs.sort()
  const hash = contentHash(salt, inputs)
  if (hash === undefined) return undefined
  for (const dir of dirs) {
    const file = store(dir, hash, built.text, { format: FORMAT, inputs })
    if (file !== undefined) return pathToFileURL(file).href
  }
  return undefined
}

function defaultCacheDirs(root: string): string[] {
  return [join(root, 'node_modules/.cache/kms-bench'), join(tmpdir(), 'kms-bench-cache')]
}

/** The hash naming a bundle of `inputs` (`undefined` when one cannot be read). */
function contentHash(salt: string, inputs: readonly string[]): string | undefined {
  const h = createHash('sha256').update(salt)
  try {
    for (const file of inputs) h.update(`\0${file}\0`).update(readFileSync(file))
  } catch {
    return undefined
  }
  return h.digest('hex').slice(0, 32)
}

/** The newest bundle in `dir` whose files are unchanged, if any. */
function currentBundle(dir: string, salt: string): string | undefined {
  for (const name of bundlesIn(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Manifest
      if (manifest.format !== FORMAT) continue
      if (contentHash(salt, manifest.inputs) === name) return join(dir, `${name}.mjs`)
    } catch {
      // a bundle without a readable manifest is not used
    }
  }
  return undefined
}

/** The bundles' names (hashes) in `dir`, newest first. */
function bundlesIn(dir: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir).filter((n) => /^[0-9a-f]{32}\.mjs$/.test(n))
  } catch {
    return []
  }
  const mtime = (n: string): number => {
    try {
      return statSync(join(dir, n)).mtimeMs
    } catch {
      return 0
    }
  }
  return names
    .map((n) => ({ n: basename(n, '.mjs'), t: mtime(n) }))
    .sort((a, b) => b.t - a.t)
    .map((x) => x.n)
}

/** Writes a bundle and its manifest atomically (each to a temporary name, then renamed); drops old ones. */
function store(dir: string, hash: string, text: string, manifest: Manifest): string | undefined {
  const file = join(dir, `${hash}.mjs`)
  try {
    mkdirSync(dir, { recursive: true })
    const tmp = `.${randomUUID()}.tmp`
    writeFileSync(join(dir, `${hash}.mjs${tmp}`), text)
    renameSync(join(dir, `${hash}.mjs${tmp}`), file)
    writeFileSync(join(dir, `${hash}.json${tmp}`), JSON.stringify(manifest))
    renameSync(join(dir, `${hash}.json${tmp}`), join(dir, `${hash}.json`))
  } catch {
    return undefined
  }
  for (const old of bundlesIn(dir).slice(KEEP)) {
    rmSync(join(dir, `${old}.mjs`), { force: true })
    rmSync(join(dir, `${old}.json`), { force: true })
  }
  return file
}
