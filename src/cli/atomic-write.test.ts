import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeFileAtomic } from './atomic-write.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-bench-atomic-'))
})
afterEach(async () => {
  await chmod(dir, 0o755).catch(() => undefined)
  await rm(dir, { recursive: true, force: true })
})

describe('writeFileAtomic', () => {
  it('creates missing directories and writes the file', async () => {
    const path = join(dir, 'a', 'b', 'report.md')
    await writeFileAtomic(path, '# hi\n')
    expect(await readFile(path, 'utf8')).toBe('# hi\n')
    expect((await stat(path)).mode & 0o777).toBe(0o644)
  })

  it('replaces an existing file whole and leaves no temporary file behind', async () => {
    const path = join(dir, 'summary.json')
    await writeFile(path, 'old old old old old')
    await writeFileAtomic(path, new TextEncoder().encode('new'))
    expect(await readFile(path, 'utf8')).toBe('new')
    expect(await readdir(dir)).toEqual(['summary.json'])
  })

  it('leaves the destination untouched and cleans up when the write fails', async () => {
    const path = join(dir, 'out', 'report.html')
    await mkdir(join(dir, 'out'))
    await writeFile(path, 'previous')
    // A directory where the file should go makes the rename fail after the temp file is written.
    const target = join(dir, 'out', 'taken')
    await mkdir(join(target, 'child'), { recursive: true })
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow()
    expect(await readFile(path, 'utf8')).toBe('previous')
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['report.html', 'taken'])
  })

  it('concurrent writers of one file leave one complete version', async () => {
    const path = join(dir, 'race.txt')
    const versions = Array.from({ length: 8 }, (_, i) => String(i).repeat(100_000))
    await Promise.all(versions.map((v) => writeFileAtomic(path, v, { fsync: false })))
    expect(versions).toContain(await readFile(path, 'utf8'))
    expect(await readdir(dir)).toEqual(['race.txt'])
  })
})
