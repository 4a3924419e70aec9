import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { checkoutBundle } from './checkout-bundle.ts'

const roots: string[] = []
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true })
})

/** A checkout of its own: src/index.ts exports a value, src/cli/bin.ts prints it from runCli. */
function checkout(value: string): string {
  const root = mkdtempSync(join(tmpdir(), 'kms-bench-checkout-'))
  roots.push(root)
  mkdirSync(join(root, 'src/cli'), { recursive: true })
  writeFileSync(join(root, 'src/value.ts'), `export const VALUE: string = ${JSON.stringify(value)}\n`)
  writeFileSync(join(root, 'src/index.ts'), "export { VALUE } from './value.ts'\n")
  writeFileSync(
    join(root, 'src/cli/bin.ts'),
    "import { VALUE } from '../value.ts'\nexport function runCli(): void { console.log('cli', VALUE, import.meta.url) }\n",
  )
  return root
}

/** Imports the bundle in plain Node (no hooks) and runs its CLI; also prints the re-exported value. */
function runBundle(url: string): string {
  const script = `const m = await import(${JSON.stringify(url)}); m.runCli(); console.log('index ' + m.VALUE)`
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
  expect(r.status, r.stderr).toBe(0)
  return r.stdout
}

describe('checkoutBundle', () => {
  it('builds one module that runs the CLI and re-exports the entry, with each file its own import.meta.url', async () => {
    const root = checkout('one')
    const cacheDir = join(root, 'cache')
    const url = await checkoutBundle({ root, cacheDir })
    expect(url).toMatch(/^file:.*\/cache\/[0-9a-f]{32}\.mjs$/)
    const out = runBundle(url as string)
    expect(out).toContain(`cli one file://${join(root, 'src/cli/bin.ts')}`)
    expect(out).toContain('index one')
  })

  it('reuses a current bundle without writing it again, and makes a new one when a source changes', async () => {
    const root = checkout('one')
    const cacheDir = join(root, 'cache')
    const first = (await checkoutBundle({ root, cacheDir })) as string
    const written = statSync(fileURLToPath(first)).mtimeMs
    expect(await checkoutBundle({ root, cacheDir })).toBe(first)
    expect(statSync(fileURLToPath(first)).mtimeMs).toBe(written)
    writeFileSync(join(root, 'src/value.ts'), 'export const VALUE: string = "two"\n')
    const second = (await checkoutBundle({ root, cacheDir })) as string
    expect(second).not.toBe(first)
    expect(runBundle(second)).toContain('index two')
    // Put back, the first is current again (kept beside the new one).
    writeFileSync(join(root, 'src/value.ts'), 'export const VALUE: string = "one"\n')
    expect(await checkoutBundle({ root, cacheDir })).toBe(first)
  })

  it('keeps at most four bundles, each with its manifest, and no temporary file', async () => {
    const root = checkout('v0')
    const cacheDir = join(root, 'cache')
    for (let i = 1; i <= 6; i++) {
      writeFileSync(join(root, 'src/value.ts'), `export const VALUE: string = "v${i}"\n`)
      expect(await checkoutBundle({ root, cacheDir })).toBeDefined()
    }
    const names = readdirSync(cacheDir).sort()
    expect(names.filter((n) => n.endsWith('.mjs'))).toHaveLength(4)
    expect(names.filter((n) => n.endsWith('.json'))).toHaveLength(4)
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('gives no bundle when it cannot be stored or the code uses import.meta beyond url, filename and dirname', async () => {
    const root = checkout('one')
    writeFileSync(join(root, 'blocked'), 'a file where the cache directory would be')
    expect(await checkoutBundle({ root, cacheDir: join(root, 'blocked') })).toBeUndefined()
    writeFileSync(join(root, 'src/value.ts'), "export const VALUE: string = import.meta.resolve('./x.ts')\n")
    expect(await checkoutBundle({ root, cacheDir: join(root, 'cache') })).toBeUndefined()
  })
})
