/**
 * Enforces DESIGN.md's import direction: cli → server, report, mitigations, traffic → load →
 * emulator → kms, quota → clock. `kms` and `quota` never import each other's runtime code;
 * nothing outside `src/clock.ts` reads the time or sets timers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : []
  })
}

/** Module of a source file: its top-level folder under src/, or its file name. */
function moduleOf(file: string): string {
  const rel = relative(src, file).split('/')
  return rel.length > 1 ? (rel[0] as string) : (rel[0] as string).replace(/\.ts$/, '')
}

const RANK: Record<string, number> = {
  util: -3,
  heap: -2,
  random: -2,
  suggest: -2,
  regions: -1,
  'make-directory': -2,
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
}

interface Import {
  from: string
  to: string
  typeOnly: boolean
}

function imports(file: string): Import[] {
  const text = readFileSync(file, 'utf8')
  const out: Import[] = []
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm
  for (const m of text.matchAll(re)) {
    out.push({ from: file, to: resolve(dirname(file), m[3] as string), typeOnly: m[2] !== undefined })
  }
  for (const m of text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g))
    out.push({ from: file, to: resolve(dirname(file), m[1] as string), typeOnly: false })
  return out
}

describe('architecture', () => {
  const all = files(src)

  it('every module has a rank', () => {
    for (const f of all) expect(RANK[moduleOf(f)], `no layer rank for ${relative(root, f)}`).toBeDefined()
  })

  it('imports point down only; siblings of one layer stay apart', () => {
    const bad: string[] = []
    for (const f of all) {
      for (const imp of imports(f)) {
        const a = moduleOf(imp.from)
        const b = moduleOf(imp.to)
        if (a === b) continue
        const ra = RANK[a] ?? 99
        const rb = RANK[b] ?? 99
        const allowedTypeOnly = imp.typeOnly && a === 'quota' && b === 'kms'
        if (rb > ra || (rb === ra && !allowedTypeOnly)) bad.push(`${relative(root, f)} → ${relative(root, imp.to)}`)
        if (a === 'report' && b !== 'load' && rb > 0 && !imp.typeOnly)
          bad.push(`${relative(root, f)} → ${relative(root, imp.to)} (report imports types only)`)
      }
    }
    expect(bad).toEqual([])
  })

  it('nothing outside src/clock.ts reads the time or sets timers', () => {
    const bad: string[] = []
    for (const f of all) {
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

describe('kms core layout (issue 11)', () => {
  const kmsFiles = files(join(src, 'kms'))

  it('has no import cycles, type-only ones included', () => {
    const graph = new Map(kmsFiles.map((f) => [f, imports(f).map((i) => i.to)]))
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(src, p)).join(' → '))
        return
      }
      state.set(f, 'open')
      for (const to of graph.get(f) ?? []) if (graph.has(to)) visit(to, [...path, f])
      state.set(f, 'done')
    }
    for (const f of kmsFiles) visit(f, [])
    expect(cycles).toEqual([])
  })

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
