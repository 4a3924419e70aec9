import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEmulator } from '../emulator.ts'
import { STATE_FILE, StateDirError, StatePersistence } from './persistence.ts'

const dirs: string[] = []
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'kms-bench-state-'))
  dirs.push(d)
  return d
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

function emulator() {
  return createEmulator({ profile: 'none', audit: { capacity: 0 } })
}

describe('StatePersistence', () => {
  it('starts empty in a new directory, then restores what was committed', async () => {
    const dir = join(await tempDir(), 'nested', 'state')
    const a = emulator()
    const { persistence, restored } = await StatePersistence.open(dir, a.core)
    expect(restored).toBe(false)
    const key = a.callSync('CreateKey', { Description: 'kept' }).KeyMetadata!
    const ct = a.callSync('Encrypt', { KeyId: key.KeyId, Plaintext: Buffer.from('secret') }).CiphertextBlob!
    expect(persistence.dirty).toBe(true)
    await persistence.commit()
    expect(persistence.dirty).toBe(false)

    await persistence.close()
    const b = emulator()
    const reopened = await StatePersistence.open(dir, b.core)
    expect(reopened.restored).toBe(true)
    expect(b.callSync('DescribeKey', { KeyId: key.KeyId }).KeyMetadata!.Description).toBe('kept')
    expect(Buffer.from(b.callSync('Decrypt', { CiphertextBlob: ct }).Plaintext!).toString()).toBe('secret')
    // Only the state file is left: no temporary files.
    await reopened.persistence.close()
    expect(await readdir(dir)).toEqual([STATE_FILE])
    expect(JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'))).toMatchObject({
      format: 'kms-bench-state',
      version: 1,
    })
  })

  it('groups concurrent commits: every one is covered, with far fewer writes', async () => {
    const dir = await tempDir()
    const a = emulator()
    const { persistence } = await StatePersistence.open(dir, a.core)
    const commits: Promise<void>[] = []
    const ids: string[] = []
    for (let i = 0; i < 40; i++) {
      ids.push(a.callSync('CreateKey', {}).KeyMetadata!.KeyId)
      commits.push(persistence.commit())
    }
    await Promise.all(commits)
    expect(persistence.writes).toBeLessThanOrEqual(2)
    await persistence.close()
    const b = emulator()
    await StatePersistence.open(dir, b.core)
    expect(
      b
        .callSync('ListKeys', { Limit: 1000 })
        .Keys!.map((k) => k.KeyId)
        .sort(),
    ).toEqual(ids.sort())
  })

  it('a commit requested during a write waits for the next write, which holds its change', async () => {
    const dir = await tempDir()
    const a = emulator()
    const { persistence } = await StatePersistence.open(dir, a.core)
    a.callSync('CreateKey', {})
    const first = persistence.commit()
    // The first write has taken its snapshot synchronously; this change comes after it.
    const late = a.callSync('CreateKey', {}).KeyMetadata!.KeyId
    const second = persistence.commit()
    await Promise.all([first, second])
    expect(persistence.writes).toBe(2)
    await persistence.close()
    const b = emulator()
    await StatePersistence.open(dir, b.core)
    expect(b.callSync('DescribeKey', { KeyId: late }).KeyMetadata!.KeyId).toBe(late)
  })

  it('refuses a corrupt or foreign state file, naming it', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, STATE_FILE), '{"format":')
    await expect(StatePersistence.open(dir, emulator().core)).rejects.toThrow(StateDirError)
    await expect(StatePersistence.open(dir, emulator().core)).rejects.toThrow(
      `${join(dir, STATE_FILE)} is not valid JSON`,
    )
    await writeFile(join(dir, STATE_FILE), '{"format":"something-else"}')
    await expect(StatePersistence.open(dir, emulator().core)).rejects.toThrow('not a kms-bench state snapshot')
  })

  it('rejects the commit when the directory cannot be written', async () => {
    const dir = await tempDir()
    const a = emulator()
    const { persistence } = await StatePersistence.open(dir, a.core)
    await rm(dir, { recursive: true, force: true })
    a.callSync('CreateKey', {})
    await expect(persistence.commit()).rejects.toThrow()
  })
})
