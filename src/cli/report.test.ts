import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fixturePath } from '../report/fixtures/load.ts'
import type { CliIo } from './io.ts'
import { main } from './main.ts'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../../bin/kms-bench.mjs', import.meta.url))

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-bench-report-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function io(env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = []
  const err: string[] = []
  return {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    env,
    cwd: dir,
    signal: new AbortController().signal,
    out,
    err,
  }
}

const RENDERED = [
  'report.md',
  'report.html',
  'timeline.csv',
  'bencher.json',
  'github-action-benchmark.json',
  'junit.xml',
]

describe('kms-bench report', () => {
  it('re-renders a saved summary beside it, keeping summary.json byte for byte', async () => {
    const saved = join(dir, 'summary.json')
    await copyFile(fixturePath('s3-throttling.summary.json'), saved)
    const before = await readFile(saved)
    const x = io()
    expect(await main(['report', 'summary.json'], x)).toBe(0)
    const files = await readdir(dir)
    for (const f of [...RENDERED, 'baseline.hgrm', 'retry-adaptive.hgrm']) expect(files).toContain(f)
    expect((await readFile(saved)).equals(before)).toBe(true)
    expect(x.out.join('')).toMatch(/^re-rendered summary\.json \(5 variants\) into \.:\n {2}report\.md\n/)
    expect(x.err).toEqual([])
  })

  it('writes into --out, with a summary.json copy, and appends to $GITHUB_STEP_SUMMARY', async () => {
    const step = join(dir, 'step.md')
    const x = io({ GITHUB_STEP_SUMMARY: step })
    expect(await main(['report', fixturePath('single-variant.summary.json'), '--out', 'rendered'], x)).toBe(0)
    const files = await readdir(join(dir, 'rendered'))
    for (const f of [...RENDERED, 'summary.json', 'baseline.hgrm']) expect(files).toContain(f)
    expect(await readFile(step, 'utf8')).toContain('# kms-bench: s3-sse-kms-uploads')
    expect(await readFile(join(dir, 'rendered', 'report.md'), 'utf8')).toContain(
      'Scale model: this run ran at 0.01× full size',
    )
  })

  const bad: [string, string | undefined, RegExp][] = [
    ['a missing file', undefined, /^kms-bench: cannot read .*missing\.json: no such file\n$/],
    [
      'bad JSON',
      '{"schemaVersion": 1,',
      /^kms-bench: .*bad\.json is not valid JSON: .+\nhint: pass the summary\.json a `kms-bench run` wrote\n$/,
    ],
    [
      'a wrong schemaVersion',
      '{"schemaVersion": 99, "variants": []}',
      /^kms-bench: .*bad\.json: schemaVersion 99 is not supported by this build \(it reads 1\)\nhint: it was written by a different kms-bench version/,
    ],
    [
      'a JSON that is not a summary',
      '{"hello": "world"}',
      /^kms-bench: .*bad\.json is not a kms-bench result: schemaVersion: .+\nhint: /,
    ],
    ['a JSON array', '[1, 2, 3]', /^kms-bench: .*bad\.json is not a kms-bench result: \(root\): /],
  ]
  for (const [what, content, message] of bad) {
    it(`exits 2 with one clear message for ${what}`, async () => {
      const file = content === undefined ? 'missing.json' : 'bad.json'
      if (content !== undefined) await writeFile(join(dir, file), content)
      const x = io()
      expect(await main(['report', file], x)).toBe(2)
      expect(x.err.join('')).toMatch(message)
      expect(x.out).toEqual([])
      expect((await readdir(dir)).filter((f) => f !== file)).toEqual([])
    })
  }

  it('takes the directory a run wrote, and exits 2 for an --out it cannot write', async () => {
    await copyFile(fixturePath('single-variant.summary.json'), join(dir, 'summary.json'))
    const x = io()
    expect(await main(['report', '.'], x)).toBe(0)
    expect(await readdir(dir)).toContain('report.html')
    expect(x.out.join('')).toMatch(/^re-rendered summary\.json \(1 variant\) into \.:\n/)
    await writeFile(join(dir, 'a-file'), 'x')
    const bad = io()
    expect(await main(['report', '.', '--out', 'a-file/rendered'], bad)).toBe(2)
    expect(bad.err.join('')).toMatch(
      /^kms-bench: cannot write .*a-file\/rendered: a part of the path is not a directory\nhint: /,
    )
  })

  it('exits 2 for bad usage', async () => {
    for (const argv of [
      ['report'],
      ['report', 'a.json', 'b.json'],
      ['report', '--frobnicate', 'a.json'],
      ['report', 'a.json', '--out'],
    ]) {
      const x = io()
      expect(await main(argv, x), argv.join(' ')).toBe(2)
      expect(x.err.join('')).toMatch(/^kms-bench: /)
    }
  })

  it('works from the installed binary, with exit code 2 on bad input', async () => {
    const { stdout } = await run(process.execPath, [
      bin,
      'report',
      fixturePath('zero-requests.summary.json'),
      '--out',
      join(dir, 'o'),
    ])
    expect(stdout).toContain('re-rendered zero-requests.summary.json (2 variants)')
    expect(await readdir(join(dir, 'o'))).toContain('report.html')
    const err = await run(process.execPath, [bin, 'report', join(dir, 'nope.json')]).catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect(err).toMatchObject({ code: 2 })
    expect((err as { stderr: string }).stderr).toContain('no such file')
  })
})
