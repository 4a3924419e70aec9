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
 * What the bundle keeps of the modules' semantics, and when there is none (the run then stays
 * on the hooks): util/esm-bundle.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bundleModules } from '../util/index.ts'

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

/**
 * Builds the bundle of a worker thread into a temporary file, or returns `undefined` (the
 * worker then loads the modules through the hooks, as without a bundle).
 */
export async function buildWorkerBundle(parts: BundleParts): Promise<WorkerBundle | undefined> {
  const local = [parts.parallel, parts.index, parts.scenario, parts.mitigations]
  if (local.some((u) => u !== undefined && !u.startsWith('file:'))) return undefined
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
  const built = await bundleModules({
    contents: lines.join('\n'),
    sourcefile: 'kms-bench-worker.mjs',
    index: fileURLToPath(parts.index),
    resolveDir: tmpdir(),
  })
  if (built === undefined) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'kms-bench-worker-'))
  const file = join(dir, 'worker.mjs')
  writeFileSync(file, built.text)
  return {
    module: pathToFileURL(file).href,
    export: ENTRY_EXPORT,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
