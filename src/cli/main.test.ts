import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../../bin/kms-bench.mjs', import.meta.url))

describe('kms-bench binary', () => {
  it('prints help and exits 0', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help'])
    expect(stdout).toContain('Usage: kms-bench <command>')
  })

  it('exits 2 with a clear message for an unknown command', async () => {
    const err = await run(process.execPath, [bin, 'frobnicate']).catch((e: { code: number; stderr: string }) => e)
    expect(err).toMatchObject({ code: 2 })
    expect((err as { stderr: string }).stderr).toContain("unknown command 'frobnicate'")
  })
})
