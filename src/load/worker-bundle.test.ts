import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { sdkRetry } from './client/index.ts'
import { loadRunScenario, runParallel } from './parallel.ts'
import { runScenario } from './runner.ts'
import { buildWorkerBundle } from './worker-bundle.ts'

const dir = mkdtempSync(join(tmpdir(), 'worker-bundle-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// A helper module that reads its own import.meta.url: in a bundle, each file keeps its own.
writeFileSync(
  join(dir, 'named.ts'),
  "import { basename, dirname } from 'node:path'\nimport { fileURLToPath } from 'node:url'\nexport const here: string = basename(dirname(fileURLToPath(import.meta.url)))\n",
)
writeFileSync(
  join(dir, 'scenario.ts'),
  `import { here } from './named.ts'
export default {
  name: here,
  duration: 2,
  seed: 3,
  keys: [{ name: 'k' }],
  fleet: { hosts: 2 },
  arrivals: { shape: 'constant', rate: 1500 },
  requests: [{ kind: 'op', operation: 'Encrypt', key: 'k', payloadBytes: 64 }],
  quotas: { symmetric: 1000 },
  variants: [{ name: 'standard' }, { name: 'more-quota', quotas: { symmetric: 5000 } }],
}
`,
)

const parallel = new URL('./parallel.ts', import.meta.url).href
const index = new URL('../index.ts', import.meta.url).href

describe('worker-thread bundles', () => {
  it('a scenario file run on bundled worker threads writes the sequential summary; its files keep their own import.meta.url', async () => {
    const run = { scenario: { file: join(dir, 'scenario.ts') }, options: { clock: 'virtual' as const } }
    const sequential = await runScenario(await loadRunScenario(run), { clock: 'virtual', retryLayer: sdkRetry })
    const threads = await runParallel(run, { workers: 2 })
    expect(JSON.stringify(threads, null, 2)).toBe(JSON.stringify(sequential, null, 2))
    expect(threads.scenario).toBe(dir.split('/').pop())
  }, 120_000)

  it('imports packages by absolute path and removes its file', async () => {
    const bundle = await buildWorkerBundle({ parallel, index, scenario: pathToFileURL(join(dir, 'scenario.ts')).href })
    expect(bundle).toBeDefined()
    const file = fileURLToPath(bundle?.module ?? '')
    const text = readFileSync(file, 'utf8')
    expect(text).toContain(`export {\n  runBundledWorker\n}`)
    expect(text).not.toMatch(/from "zod"/)
    expect(text).toMatch(/from "\/[^"]*node_modules\/zod\//)
    bundle?.remove()
    expect(existsSync(file)).toBe(false)
  }, 60_000)

  it('a file using import.meta beyond url, filename and dirname: no bundle (the worker uses the hooks)', async () => {
    writeFileSync(join(dir, 'resolves.ts'), "export default { name: import.meta.resolve('./x.ts') }\n")
    const bundle = await buildWorkerBundle({ parallel, index, scenario: pathToFileURL(join(dir, 'resolves.ts')).href })
    expect(bundle).toBeUndefined()
  }, 60_000)
})
