// `npm run build` (and `npm pack`, through prepack): compiles src/ to dist/ (JavaScript and
// .d.ts, tsconfig.build.json), then copies the plain-JavaScript files tsc does not emit
// (the worker-thread entry). Plain JavaScript so it runs before anything is built.
import { execFileSync } from 'node:child_process'
import { cpSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
rmSync(dist, { recursive: true, force: true })
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.mjs')) continue
  const from = join(entry.parentPath, entry.name)
  cpSync(from, join(dist, relative(join(root, 'src'), from)))
}
