import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseRunSummary, type RunSummary } from '../load/results/index.ts'
import { loadFixture } from '../report/fixtures/load.ts'
import {
  appendStepSummary,
  checkOutDir,
  defaultOutDir,
  renderRunOutputs,
  STEP_SUMMARY_LIMIT_BYTES,
  writeOutputFiles,
  writeRunOutputs,
} from './output.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-bench-output-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const s3 = loadFixture('s3-throttling.summary.json')

describe('writeRunOutputs', () => {
  it('writes every output into the directory, summary.json last, and returns the paths', async () => {
    const out = join(dir, 'run', 'nested')
    const paths = await writeRunOutputs(s3, out)
    const names = [
      'report.md',
      'report.html',
      'baseline.hgrm',
      'bucket-keys.hgrm',
      'esdk-cache.hgrm',
      'quota-increase.hgrm',
      'retry-adaptive.hgrm',
      'timeline.csv',
      'bencher.json',
      'github-action-benchmark.json',
      'junit.xml',
      'summary.json',
    ]
    expect(paths).toEqual(names.map((n) => join(out, n)))
    expect((await readdir(out)).sort()).toEqual([...names].sort())
    const back = parseRunSummary(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')))
    expect(back).toEqual(s3)
    expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(/^# kms-bench: s3-sse-kms-uploads\n/)
    expect(await readFile(join(out, 'baseline.hgrm'), 'utf8')).toMatch(/Total count {4}= +30095\]/)
  })

  it('resolves a relative directory against cwd and can skip summary.json', async () => {
    const paths = await writeRunOutputs(s3, 'rel', { cwd: dir, writeSummary: false })
    expect(paths.every((p) => p.startsWith(join(dir, 'rel')))).toBe(true)
    expect(await readdir(join(dir, 'rel'))).not.toContain('summary.json')
  })

  it('appends report.md to the GitHub step summary named by the environment', async () => {
    const stepSummary = join(dir, 'step-summary.md')
    await writeFile(stepSummary, 'earlier step\n')
    await writeRunOutputs(s3, join(dir, 'out'), { env: { GITHUB_STEP_SUMMARY: stepSummary } })
    const text = await readFile(stepSummary, 'utf8')
    const report = await readFile(join(dir, 'out', 'report.md'), 'utf8')
    expect(text).toBe(`earlier step\n${report}\n`)
  })

  it('appends nowhere without GITHUB_STEP_SUMMARY or with stepSummary: false', async () => {
    const stepSummary = join(dir, 'step-summary.md')
    await writeRunOutputs(s3, join(dir, 'a'), { env: {} })
    await writeRunOutputs(s3, join(dir, 'b'), { env: { GITHUB_STEP_SUMMARY: stepSummary }, stepSummary: false })
    expect(await readdir(dir)).not.toContain('step-summary.md')
  })

  it('gives variants file-safe, distinct .hgrm names', async () => {
    const odd: RunSummary = structuredClone(s3)
    odd.variants[1]!.name = 'cache/5 s'
    odd.variants[2]!.name = 'cache 5 s'
    const names = renderRunOutputs(odd)
      .map((f) => f.name)
      .filter((n) => n.endsWith('.hgrm'))
    expect(names).toEqual([
      'baseline.hgrm',
      'cache-5-s.hgrm',
      'cache-5-s-2.hgrm',
      'quota-increase.hgrm',
      'retry-adaptive.hgrm',
    ])
  })
})

describe('appendStepSummary', () => {
  it("cuts a report longer than GitHub's limit at a line and says so", async () => {
    const path = join(dir, 'sub', 'summary.md')
    const line = `| ${'é'.repeat(60)} |\n`
    await appendStepSummary(path, line.repeat(Math.ceil((STEP_SUMMARY_LIMIT_BYTES * 1.5) / Buffer.byteLength(line))))
    const text = await readFile(path, 'utf8')
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT_BYTES)
    expect(text).toContain('Report truncated to fit the GitHub step summary limit')
    expect(text).not.toContain('\uFFFD')
    const body = text.slice(0, text.indexOf('\n\n_Report truncated'))
    for (const l of body.split('\n')) expect(l).toBe(line.trimEnd())
  })
})

describe('output directories', () => {
  it('defaults to reports/<scenario>/<prefix><timestamp>, with a file-safe scenario name', () => {
    expect(defaultOutDir('s3-uploads')).toMatch(/^reports\/s3-uploads\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/)
    expect(defaultOutDir('s3-uploads', 'plan-')).toMatch(/^reports\/s3-uploads\/plan-\d{4}-/)
    // A summary may carry any string as its scenario name: it never leaves reports/<name>/.
    expect(defaultOutDir('../../etc/x', 'merged-')).toMatch(/^reports\/etc-x\/merged-/)
    expect(defaultOutDir('..')).toMatch(/^reports\/result\//)
  })

  it('checks an output directory before a run without creating it', async () => {
    await expect(checkOutDir('new/deeper/out', dir)).resolves.toBeUndefined()
    expect(await readdir(dir)).toEqual([])
    await writeFile(join(dir, 'file'), 'x')
    await expect(checkOutDir('file/out', dir)).rejects.toMatchObject({
      exitCode: 2,
      message: `--out file/out: cannot create it: ${join(dir, 'file')} is not a directory`,
    })
    await expect(checkOutDir('file', dir, '--state')).rejects.toMatchObject({
      message: `--state file: cannot create it: ${join(dir, 'file')} is not a directory`,
    })
  })

  it('turns a write that fails into a usage error naming the file', async () => {
    await writeFile(join(dir, 'file'), 'x')
    await expect(writeOutputFiles(join(dir, 'file', 'out'), [{ name: 'a.md', content: '#' }])).rejects.toMatchObject({
      exitCode: 2,
      message: `cannot write ${join(dir, 'file', 'out')}: a part of the path is not a directory`,
    })
    await expect(
      writeRunOutputs(s3, join(dir, 'ok'), { env: { GITHUB_STEP_SUMMARY: join(dir, 'file', 'step.md') } }),
    ).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(
        /^cannot append to the GitHub step summary .*step\.md \(\$GITHUB_STEP_SUMMARY\): /,
      ),
    })
  })
})
