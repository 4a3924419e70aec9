/**
 * Enforces DESIGN.md's layout: imports point down only (cli → server, report, plan, mitigations,
 * traffic → load → emulator → kms, quota, faults → clock → util), and inside `load/` down its
 * sub-modules (results → scenario → engine → client → targets → the runner and index);
 * across modules only through a module's front door (`index.ts`, or the file of a one-file
 * module); no import cycles, type-only ones included. It reads every non-test `.ts` and `.mjs`
 * file of src/, bench/, scripts/ and bin/, with static, dynamic and side-effect imports and
 * files named by `new URL('…', import.meta.url)` (how workers and hooks are loaded). `kms` and
 * `quota` never import each other's runtime code; nothing outside `src/clock.ts` reads the time
 * or sets timers.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return files(p)
    return /\.(ts|mjs)$/.test(p) && !p.endsWith('.test.ts') && !p.endsWith('.d.ts') ? [p] : []
  })
}

/** The sub-modules of src/load/, each a folder with its own index.ts. */
const LOAD_PARTS = ['results', 'scenario', 'engine', 'client', 'targets'] as const

/**
 * Module of a file: `load/<part>` for the load engine's sub-modules, else its top-level folder
 * under src/ (or its file name, for a one-file module such as `clock`), else its top-level
 * folder of the repository (`bench`, `scripts`, `bin`, `test`).
 */
function moduleOf(file: string): string {
  const rel = relative(root, file).split('/')
  if (rel[0] !== 'src') return rel[0] as string
  const [first, second] = [rel[1] as string, rel[2]]
  if (first === 'load' && rel.length > 3 && (LOAD_PARTS as readonly string[]).includes(second as string))
    return `load/${second}`
  return rel.length > 2 ? first : first.replace(/\.(ts|mjs)$/, '')
}

/** Whether `file` may be imported from outside module `m` (its front door). */
function isFrontDoor(m: string, file: string, importer: string): boolean {
  const rel = relative(root, file)
  if (m === 'test') return moduleOf(importer) === 'bench' && rel.startsWith('test/support/') // bench's harnesses
  if (moduleOf(importer) === 'bench' && rel.endsWith('/test-support.ts')) return true // a module's test harness
  // the program's entry, and the cached bundle of it the checkout's command loads
  if (m === 'cli' && (rel === 'src/cli/bin.ts' || rel === 'src/cli/checkout-bundle.ts'))
    return moduleOf(importer) === 'bin'
  if (m === 'bin') return rel === 'bin/kms-bench.mjs' // the command (bench runs it as a child process)
  const folder = join(src, m)
  if (existsSync(folder) && statSync(folder).isDirectory()) return file === join(folder, 'index.ts')
  return file === `${folder}.ts` || file === `${folder}.mjs`
}

/**
 * Layers, lowest first. A module may import only lower layers; modules of one layer stay apart.
 * `index` is src/index.ts, the public API.
 */
const RANK: Record<string, number> = {
  util: -3,
  heap: -2,
  random: -2,
  suggest: -2,
  'make-directory': -2,
  regions: -1,
  clock: 0,
  kms: 1,
  quota: 1,
  faults: 1,
  emulator: 2,
  load: 3,
  server: 4,
  report: 4,
  mitigations: 4,
  plan: 4,
  traffic: 4,
  cli: 5,
  index: 5,
  bin: 6,
  test: 6,
  bench: 7,
  scripts: 7,
}

/** Inside load/: its sub-modules, lowest first; `load` is its own root files (runner, index, workers). */
const LOAD_RANK: Record<string, number> = {
  'load/results': 0,
  'load/scenario': 1,
  'load/engine': 2,
  'load/client': 3,
  'load/targets': 4,
  load: 5,
}

const top = (m: string): string => m.split('/')[0] as string

/** References that are not code dependencies, each with its reason. */
const NOT_DEPENDENCIES: Record<string, string> = {
  'src/load/worker-entry.mjs → bin/source-conditions.mjs':
    "registers the checkout's module-resolution hook in worker threads (a loader hook, no code of bin/ runs in load/)",
}

interface Import {
  from: string
  to: string
  typeOnly: boolean
}

function imports(file: string): Import[] {
  // comments may show imports as examples: read the code only
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
  const out: Import[] = []
  const add = (to: string, typeOnly: boolean): void => {
    out.push({ from: file, to: resolve(dirname(file), to), typeOnly })
  }
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm))
    add(m[3] as string, m[2] !== undefined)
  for (const m of text.matchAll(/^\s*import\s+'(\.[^']+)'/gm)) add(m[1] as string, false)
  for (const m of text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)) add(m[1] as string, false)
  for (const m of text.matchAll(/new URL\(\s*'(\.[^']+\.(?:ts|mjs|js))'\s*,\s*import\.meta\.url/g))
    add(m[1] as string, false)
  // plain JavaScript entry points name the files they load in other ways too (`import(a ? './x' : './y')`)
  if (file.endsWith('.mjs'))
    for (const m of text.matchAll(/'(\.\.?\/[^']+\.(?:ts|mjs))'/g))
      if (!out.some((i) => i.to === resolve(dirname(file), m[1] as string))) add(m[1] as string, false)
  return out.filter((i) => !i.to.includes('/node_modules/') && !i.to.includes('/dist/'))
}

const all = [...files(src), ...files(join(root, 'bench')), ...files(join(root, 'scripts')), ...files(join(root, 'bin'))]
const edge = (i: Import): string => `${relative(root, i.from)} → ${relative(root, i.to)}`
const allImports = all.flatMap(imports).filter((i) => NOT_DEPENDENCIES[edge(i)] === undefined)

describe('architecture', () => {
  it('every module has a layer', () => {
    for (const f of all) expect(RANK[top(moduleOf(f))], `no layer for ${relative(root, f)}`).toBeDefined()
    for (const i of allImports) expect(RANK[top(moduleOf(i.to))], `no layer for ${edge(i)}`).toBeDefined()
  })

  it('every import names a file that exists', () => {
    expect(allImports.filter((i) => !existsSync(i.to)).map(edge)).toEqual([])
  })

  it('imports point down only; siblings of one layer stay apart', () => {
    const bad: string[] = []
    for (const imp of allImports) {
      const a = top(moduleOf(imp.from))
      const b = top(moduleOf(imp.to))
      if (a === b) continue
      const ra = RANK[a] ?? 99
      const rb = RANK[b] ?? 99
      const allowedTypeOnly = imp.typeOnly && a === 'quota' && b === 'kms'
      if (rb > ra || (rb === ra && !allowedTypeOnly)) bad.push(edge(imp))
      if (a === 'report' && b !== 'load' && rb > 0 && !imp.typeOnly)
        bad.push(`${edge(imp)} (report imports types only)`)
    }
    expect(bad).toEqual([])
  })

  it('inside load/, imports point down its sub-modules (results → scenario → engine → client → targets → root)', () => {
    const bad: string[] = []
    for (const imp of allImports) {
      const a = moduleOf(imp.from)
      const b = moduleOf(imp.to)
      if (a === b || top(a) !== 'load' || top(b) !== 'load') continue
      if ((LOAD_RANK[b] ?? 99) >= (LOAD_RANK[a] ?? 99)) bad.push(edge(imp))
    }
    expect(bad).toEqual([])
  })

  it("imports across modules go through the module's front door (index.ts)", () => {
    const bad: string[] = []
    for (const imp of allImports) {
      const a = moduleOf(imp.from)
      const b = moduleOf(imp.to)
      if (a === b) continue
      // from outside load/, load's door is load/index.ts; inside it, each sub-module's own index.ts
      const door = top(a) === top(b) ? b : top(b)
      if (!isFrontDoor(door, imp.to, imp.from)) bad.push(edge(imp))
    }
    expect(bad).toEqual([])
  })

  it('has no import cycles, type-only ones included', () => {
    const graph = new Map<string, string[]>()
    for (const f of all) graph.set(f, [])
    for (const i of allImports) graph.get(i.from)?.push(i.to)
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(root, p)).join(' → '))
        return
      }
      state.set(f, 'open')
      for (const to of graph.get(f) ?? []) if (graph.has(to)) visit(to, [...path, f])
      state.set(f, 'done')
    }
    for (const f of all) visit(f, [])
    expect(cycles).toEqual([])
  })

  it('nothing outside src/clock.ts reads the time or sets timers', () => {
    const bad: string[] = []
    for (const f of files(src)) {
      if (f.endsWith('/clock.ts')) continue
      const text = readFileSync(f, 'utf8')
      for (const pattern of [
        /Date\.now\(/,
        /performance\.now\(/,
        /process\.hrtime/,
        /\bsetTimeout\(/,
        /\bsetInterval\(/,
        /\bsetImmediate\(/,
        /new Date\(\)/,
      ]) {
        if (pattern.test(text)) bad.push(`${relative(root, f)}: ${pattern.source}`)
      }
    }
    expect(bad).toEqual([])
  })
})

describe('scenarios and examples', () => {
  it("use only the public API ('kms-bench', or src/index.ts by path)", () => {
    const users = [...files(join(root, 'scenarios')), ...files(join(root, 'examples'))]
    const bad = users.flatMap(imports).filter((i) => i.to.startsWith(`${src}/`) && i.to !== join(src, 'index.ts'))
    expect(users.length).toBeGreaterThan(0)
    expect(bad.map(edge)).toEqual([])
  })
})

describe('the checks catch what they guard', () => {
  it('sees an upward import, a back door, a URL-loaded file and a type-only cycle', () => {
    const at = (p: string): string => join(root, p)
    expect(moduleOf(at('src/load/engine/engine.ts'))).toBe('load/engine')
    expect(moduleOf(at('src/load/runner.ts'))).toBe('load')
    expect(moduleOf(at('src/clock.ts'))).toBe('clock')
    expect(moduleOf(at('bench/main.ts'))).toBe('bench')
    expect(isFrontDoor('load', at('src/load/index.ts'), at('src/cli/run.ts'))).toBe(true)
    expect(isFrontDoor('load', at('src/load/engine/index.ts'), at('src/cli/run.ts'))).toBe(false)
    expect(isFrontDoor('load/client', at('src/load/client/settings.ts'), at('src/load/scenario/requests.ts'))).toBe(
      false,
    )
    expect(isFrontDoor('clock', at('src/clock.ts'), at('src/kms/core.ts'))).toBe(true)
    // worker-entry.mjs names a file by URL: the edge is seen (and exempted by name, with its reason)
    const seen = imports(at('src/load/worker-entry.mjs')).map(edge)
    expect(seen).toContain('src/load/worker-entry.mjs → bin/source-conditions.mjs')
    // bin/kms-bench.mjs loads the CLI with import(cond ? 'a' : 'b')
    expect(imports(at('bin/kms-bench.mjs')).map(edge)).toContain('bin/kms-bench.mjs → src/cli/bin.ts')
  })
})

describe('kms core layout (issue 11)', () => {
  const kmsFiles = files(join(src, 'kms'))

  it('the core does not import its handlers; handlers see CoreServices, not KmsCore', () => {
    const core = join(src, 'kms', 'core.ts')
    expect(imports(core).some((i) => i.to.includes('/operations/'))).toBe(false)
    const bad = kmsFiles.filter(
      (f) =>
        f !== core &&
        !f.endsWith('/index.ts') &&
        !f.endsWith('/test-support.ts') &&
        imports(f).some((i) => i.to === core),
    )
    expect(bad.map((f) => relative(src, f))).toEqual([])
  })
})
