/**
 * The package as users get it: `npm pack` (its prepack script builds dist/) gives a tarball
 * that installs into a fresh, empty project, offline (the tarball plus the local npm cache,
 * which `npm ci` of this repository filled), where
 *   - `npx kms-bench --help` works,
 *   - `npx kms-bench run my-scenario.ts` runs a TypeScript scenario of that project that
 *     imports 'kms-bench',
 *   - a plain `.mjs` file imports `createEmulator` from 'kms-bench' (Node alone, no tsx),
 * and the tarball holds compiled JavaScript with type declarations, no TypeScript sources,
 * tests or fixtures.
 *
 * The empty project gets a lockfile derived from this repository's (the package's runtime
 * dependencies at the versions locked here): `npm ci --offline` then needs no registry
 * metadata, only the tarballs already in the cache.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const ROOT = join(import.meta.dirname, '..')
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'

interface LockEntry {
  readonly dev?: boolean
  readonly [k: string]: unknown
}
interface Lock {
  readonly packages: Record<string, LockEntry>
}

let work: string
let project: string
let tarball: string
let packedFiles: string[]

/** Runs a command in the temporary project, offline, with CI set (no progress line). */
async function inProject(cmd: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return run(cmd, args, {
    cwd: project,
    env: {
      ...process.env,
      CI: 'true',
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 180_000,
  })
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kms-bench-package-'))
  project = join(work, 'project')
  const { stdout } = await run(NPM, ['pack', '--json', '--pack-destination', work], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 300_000,
  })
  const info = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[]
  const packed = info[0]
  if (packed === undefined) throw new Error(`npm pack printed no package: ${stdout}`)
  packedFiles = packed.files.map((f) => f.path)
  tarball = packed.filename.replace(/^@.*\//, '')

  await run('mkdir', [project])
  const name = `kms-bench-${tarball.replace(/^kms-bench-/, '')}`
  await run('cp', [join(work, tarball), join(project, name)])
  const repoLock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as Lock
  const self = repoLock.packages[''] as LockEntry
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(join(project, name)))
    .digest('base64')}`
  const packages: Record<string, unknown> = {
    '': { name: 'project', version: '1.0.0', dependencies: { 'kms-bench': `file:${name}` } },
    'node_modules/kms-bench': {
      version: self['version'],
      resolved: `file:${name}`,
      integrity,
      license: self['license'],
      dependencies: self['dependencies'],
      bin: self['bin'],
      engines: self['engines'],
    },
  }
  for (const [path, entry] of Object.entries(repoLock.packages))
    if (path !== '' && entry.dev !== true) packages[path] = entry
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'project', version: '1.0.0', private: true, dependencies: { 'kms-bench': `file:${name}` } }),
  )
  await writeFile(
    join(project, 'package-lock.json'),
    JSON.stringify({ name: 'project', version: '1.0.0', lockfileVersion: 3, requires: true, packages }),
  )
  await inProject(NPM, ['ci', '--offline', '--no-audit', '--no-fund'])
}, 600_000)

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true })
})

describe('the packed package in an empty project', () => {
  it('holds compiled JavaScript and declarations, the bin and the schema; no sources, tests or fixtures', () => {
    expect(packedFiles).toContain('dist/index.js')
    expect(packedFiles).toContain('dist/index.d.ts')
    expect(packedFiles).toContain('dist/cli/bin.js')
    expect(packedFiles).toContain('bin/kms-bench.mjs')
    expect(packedFiles).toContain('package.json')
    expect(packedFiles).toContain('schema/scenario.schema.json')
    expect(packedFiles).toContain('docs/scenarios.md')
    expect(packedFiles.some((f) => f.endsWith('worker-entry.mjs'))).toBe(true)
    const bad = packedFiles.filter(
      (f) =>
        /\.test\.|fixtures|test-support|^src\/|^test\/|^scenarios\/|^bench\//.test(f) ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    )
    expect(bad).toEqual([])
  })

  it('npx kms-bench --help', async () => {
    const { stdout } = await inProject(NPM, ['exec', '--offline', '--', 'kms-bench', '--help'])
    expect(stdout).toMatch(/^kms-bench: /)
    expect(stdout).toContain('run')
  }, 120_000)

  it("npx kms-bench run my-scenario.ts: a TypeScript scenario of the project importing 'kms-bench'", async () => {
    await writeFile(
      join(project, 'my-scenario.ts'),
      `import { defineScenario, quotaIncrease, type ScenarioInput } from 'kms-bench'

const input: ScenarioInput = {
  name: 'my-scenario',
  duration: '2s',
  region: 'eu-north-1',
  keys: [{ name: 'app', alias: 'alias/app' }],
  arrivals: { shape: 'constant', rate: 12_000 },
  requests: [{ kind: 'envelope-encrypt', key: 'app', payloadBytes: 1024 }],
  variants: [
    { name: 'baseline' },
    { name: 'raised', mitigations: [quotaIncrease({ quotas: { symmetric: 15_000 } })] },
  ],
}
export default defineScenario(input)
`,
    )
    const { stdout } = await inProject(NPM, [
      'exec',
      '--offline',
      '--',
      'kms-bench',
      'run',
      'my-scenario.ts',
      '--out',
      'out',
    ])
    expect(stdout).toMatch(/^baseline: 24,000 requests, [\d.]+% throttled/m)
    expect(stdout).toMatch(/^raised: 24,000 requests, 0% throttled/m)
    const summary = JSON.parse(await readFile(join(project, 'out', 'summary.json'), 'utf8')) as {
      scenario: string
      environment: { packages: Record<string, string> }
      variants: { name: string; kms: { throttled: number } }[]
    }
    expect(summary.scenario).toBe('my-scenario')
    expect(summary.environment.packages['@aws-sdk/client-kms']).toMatch(/^\d+\.\d+\.\d+$/)
    expect(summary.variants.find((v) => v.name === 'baseline')?.kms.throttled).toBeGreaterThan(0)
    expect(summary.variants.find((v) => v.name === 'raised')?.kms.throttled).toBe(0)
  }, 180_000)

  it("import { createEmulator } from 'kms-bench' in a plain .mjs file (Node alone)", async () => {
    await writeFile(
      join(project, 'use.mjs'),
      `import { createEmulator, VirtualClock } from 'kms-bench'
const kms = createEmulator({ clock: new VirtualClock() })
const { KeyMetadata } = await kms.call('CreateKey', {})
const out = await kms.call('Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: new TextEncoder().encode('hello') })
const back = await kms.call('Decrypt', { CiphertextBlob: out.CiphertextBlob })
console.log(new TextDecoder().decode(back.Plaintext))
`,
    )
    const { stdout } = await inProject(process.execPath, ['use.mjs'])
    expect(stdout.trim()).toBe('hello')
  }, 60_000)
})
