import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '../emulator.ts'
import { takeSnapshot } from '../kms/index.ts'
import { RecordJournal } from './journal.ts'
import { BASE_FILE, JOURNAL_FILE, STATE_FILE, StateDirError, StatePersistence } from './persistence.ts'

const dirs: string[] = []
const open: StatePersistence[] = []
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'kms-bench-state-'))
  dirs.push(d)
  return d
}
afterEach(async () => {
  for (const p of open.splice(0)) await p.close()
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

function emulator(): Emulator {
  return createEmulator({ profile: 'none', audit: { capacity: 0 } })
}

async function openAt(dir: string, e: Emulator): Promise<{ persistence: StatePersistence; restored: boolean }> {
  const r = await StatePersistence.open(dir, e.core)
  open.push(r.persistence)
  return r
}

async function closeAll(): Promise<void> {
  for (const p of open.splice(0)) await p.close()
}

/** The state without its timestamp, to compare two cores. */
function stateOf(e: Emulator): unknown {
  const { savedAt: _s, ...rest } = takeSnapshot(e.core)
  return rest
}

describe('StatePersistence', () => {
  it('starts empty in a new directory, then restores what was committed', async () => {
    const dir = join(await tempDir(), 'nested', 'state')
    const a = emulator()
    const { persistence, restored } = await openAt(dir, a)
    expect(restored).toBe(false)
    const key = a.callSync('CreateKey', { Description: 'kept' }).KeyMetadata!
    const ct = a.callSync('Encrypt', { KeyId: key.KeyId, Plaintext: Buffer.from('secret') }).CiphertextBlob!
    expect(persistence.dirty).toBe(true)
    await persistence.commit()
    expect(persistence.dirty).toBe(false)
    await closeAll()

    const b = emulator()
    const reopened = await openAt(dir, b)
    expect(reopened.restored).toBe(true)
    expect(b.callSync('DescribeKey', { KeyId: key.KeyId }).KeyMetadata!.Description).toBe('kept')
    expect(Buffer.from(b.callSync('Decrypt', { CiphertextBlob: ct }).Plaintext!).toString()).toBe('secret')
    await closeAll()
    // Only the base and the journal are left: no temporary files, no lock.
    expect((await readdir(dir)).sort()).toEqual([JOURNAL_FILE, BASE_FILE].sort())
  })

  it('restores every kind of record exactly: multi-Region keys, aliases, grants, tags, policies, deletions', async () => {
    const dir = await tempDir()
    const a = emulator()
    const { persistence } = await openAt(dir, a)
    const mrk = a.callSync('CreateKey', { MultiRegion: true, Description: 'mrk' }).KeyMetadata!.KeyId
    a.callSync('ReplicateKey', { KeyId: mrk, ReplicaRegion: 'eu-west-1' })
    await persistence.commit()
    a.callSync('RotateKeyOnDemand', { KeyId: mrk })
    const k = a.callSync('CreateKey', {}).KeyMetadata!.KeyId
    a.callSync('CreateAlias', { AliasName: 'alias/app', TargetKeyId: k })
    a.callSync('TagResource', { KeyId: k, Tags: [{ TagKey: 'team', TagValue: 'payments' }] })
    a.callSync('CreateGrant', {
      KeyId: k,
      GranteePrincipal: 'arn:aws:iam::111122223333:role/app',
      Operations: ['Encrypt'],
    })
    a.callSync('EnableKeyRotation', { KeyId: k })
    const gone = a.callSync('CreateKey', {}).KeyMetadata!.KeyId
    a.callSync('ScheduleKeyDeletion', { KeyId: gone, PendingWindowInDays: 7 })
    a.putIdentityPolicy(
      'arn:aws:iam::111122223333:role/app',
      'kms',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }),
    )
    await persistence.commit()
    a.callSync('UpdateAlias', { AliasName: 'alias/app', TargetKeyId: mrk })
    a.callSync('UntagResource', { KeyId: k, TagKeys: ['team'] })
    await persistence.commit()
    expect(persistence.compactions).toBe(1) // the one at open: everything else was appended
    const expected = stateOf(a)
    // Without compaction at close: what a kill -9 leaves (base + journal) is replayed.
    open.splice(0)
    await persistence.close({ compact: false })
    const b = emulator()
    await openAt(dir, b)
    expect(stateOf(b)).toEqual(expected)
  })

  it('writes the size of the change, not the size of the state (issue 18.8)', async () => {
    const dir = await tempDir()
    const a = emulator()
    const { persistence } = await openAt(dir, a)
    const ids: string[] = []
    for (let i = 0; i < 1000; i++) ids.push(a.callSync('CreateKey', {}).KeyMetadata!.KeyId)
    await persistence.commit()
    const before = (await stat(join(dir, JOURNAL_FILE))).size
    const compactions = persistence.compactions
    a.callSync('TagResource', { KeyId: ids[500]!, Tags: [{ TagKey: 'k', TagValue: 'v' }] })
    await persistence.commit()
    const grown = (await stat(join(dir, JOURNAL_FILE))).size - before
    // One key record (~1.5 kB), never the 1000 keys (~1.5 MB).
    expect(grown).toBeGreaterThan(100)
    expect(grown).toBeLessThan(4000)
    expect(persistence.compactions).toBe(compactions)
    // A read-only call writes nothing.
    a.callSync('Encrypt', { KeyId: ids[1]!, Plaintext: Buffer.from('x') })
    await persistence.commit()
    expect((await stat(join(dir, JOURNAL_FILE))).size - before).toBe(grown)
  })

  it('groups concurrent commits: every one is covered, with far fewer writes', async () => {
    const dir = await tempDir()
    const a = emulator()
    const { persistence } = await openAt(dir, a)
    const writes = persistence.writes
    const commits: Promise<void>[] = []
    const ids: string[] = []
    for (let i = 0; i < 40; i++) {
      ids.push(a.callSync('CreateKey', {}).KeyMetadata!.KeyId)
      commits.push(persistence.commit())
    }
    await Promise.all(commits)
    expect(persistence.writes - writes).toBeLessThanOrEqual(2)
    await closeAll()
    const b = emulator()
    await openAt(dir, b)
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
    const { persistence } = await openAt(dir, a)
    const writes = persistence.writes
    a.callSync('CreateKey', {})
    const first = persistence.commit()
    // The first write has taken its records synchronously; this change comes after it.
    const late = a.callSync('CreateKey', {}).KeyMetadata!.KeyId
    const second = persistence.commit()
    await Promise.all([first, second])
    expect(persistence.writes - writes).toBe(2)
    await closeAll()
    const b = emulator()
    await openAt(dir, b)
    expect(b.callSync('DescribeKey', { KeyId: late }).KeyMetadata!.KeyId).toBe(late)
  })

  it('reads and converts a version 1 state.json', async () => {
    const dir = await tempDir()
    const a = emulator()
    const key = a.callSync('CreateKey', { Description: 'v1' }).KeyMetadata!.KeyId
    await writeFile(join(dir, STATE_FILE), JSON.stringify(takeSnapshot(a.core)))
    const b = emulator()
    const { restored } = await openAt(dir, b)
    expect(restored).toBe(true)
    expect(b.callSync('DescribeKey', { KeyId: key }).KeyMetadata!.Description).toBe('v1')
    expect(await readdir(dir)).not.toContain(STATE_FILE)
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

  it('refuses a damaged key record, naming the key (issue 18.9)', async () => {
    const dir = await tempDir()
    const a = emulator()
    const { persistence } = await openAt(dir, a)
    const key = a.callSync('CreateKey', {}).KeyMetadata!.KeyId
    await persistence.commit()
    await closeAll()
    // Cut the 32-byte key to 8 bytes inside the saved record.
    const base = join(dir, BASE_FILE)
    const text = await readFile(base, 'utf8')
    const cut = text.replace(/"secret":\{"\$bytes":"([A-Za-z0-9+/=]{44})"\}/, (_m, b64: string) => {
      return `"secret":{"$bytes":"${Buffer.from(b64, 'base64').subarray(0, 8).toString('base64')}"}`
    })
    expect(cut).not.toBe(text)
    // As written by hand (the line's checksum is off): named by checksum and record.
    await writeFile(base, cut)
    await expect(StatePersistence.open(dir, emulator().core)).rejects.toThrow(
      new RegExp(`line \\d+ is damaged \\(checksum mismatch\\) \\(record k/111122223333/us-east-1/${key}\\)`),
    )
    // With a valid checksum (a bug that saved a bad record): the key check names it.
    const lines = cut.split('\n').map((l) => {
      if (!l.includes(key) || l.startsWith('{')) return l
      const [id, value] = JSON.parse(l.slice(33)) as [string, unknown]
      return RecordJournal.recordLine(id, JSON.stringify(value))
    })
    await writeFile(base, lines.join('\n'))
    await expect(StatePersistence.open(dir, emulator().core)).rejects.toThrow(
      `key ${key} in 111122223333/us-east-1 (record k/111122223333/us-east-1/${key}) is damaged: material version 0 key is 8 bytes, SYMMETRIC_DEFAULT needs 32`,
    )
  })

  it('drops a torn last journal line (a write never acknowledged) and keeps the rest', async () => {
    const dir = await tempDir()
    const a = emulator()
    const { persistence } = await openAt(dir, a)
    const kept = a.callSync('CreateKey', {}).KeyMetadata!.KeyId
    await persistence.commit()
    a.callSync('CreateKey', {})
    await persistence.commit()
    const journal = join(dir, JOURNAL_FILE)
    open.splice(0)
    await persistence.close({ compact: false })
    const text = await readFile(journal, 'utf8')
    await writeFile(journal, text.slice(0, text.length - 40))
    const b = emulator()
    await openAt(dir, b)
    expect(b.callSync('DescribeKey', { KeyId: kept }).KeyMetadata!.KeyId).toBe(kept)
  })

  it('a failed full write (disk full) leaves no change in memory and no temporary file (issue 18.9)', async () => {
    const dir = await tempDir()
    const a = emulator()
    const { persistence } = await openAt(dir, a)
    const key = a.callSync('CreateKey', {}).KeyMetadata!.KeyId
    await persistence.commit()
    // The next compaction's temporary file is on a full disk.
    const tmp = join(dir, `${BASE_FILE}.${process.pid}.tmp`)
    await symlink('/dev/full', tmp)
    a.reset()
    await expect(persistence.commit()).rejects.toThrow(/ENOSPC/)
    // The reset is undone: the key is still there, in memory and on disk.
    expect(a.callSync('DescribeKey', { KeyId: key }).KeyMetadata!.KeyId).toBe(key)
    expect(await readdir(dir)).not.toContain(`${BASE_FILE}.${process.pid}.tmp`)
    await closeAll()
    const b = emulator()
    await openAt(dir, b)
    expect(b.callSync('DescribeKey', { KeyId: key }).KeyMetadata!.KeyId).toBe(key)
  })

  it('rejects the commit when the directory cannot be written', async () => {
    const dir = await tempDir()
    const a = emulator()
    const { persistence } = await openAt(dir, a)
    await rm(dir, { recursive: true, force: true })
    a.reset()
    await expect(persistence.commit()).rejects.toThrow()
  })
})
