/**
 * `kms-bench serve --state DIR` as a real child process: a restart keeps every key, alias and
 * policy, and old ciphertext still decrypts; `kill -9` right after an acknowledged write loses
 * nothing that was acknowledged.
 */
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
} from '@aws-sdk/client-kms'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { localClient } from './support/sdk-script.ts'
import { kmsCall, startServeChild, type ServeChild } from './support/serve-child.ts'

const children: ServeChild[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const c of children.splice(0)) await c.stop('SIGKILL').catch(() => {})
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function stateDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'kms-bench-persist-'))
  dirs.push(d)
  return d
}

async function serve(dir: string, ...args: string[]): Promise<ServeChild> {
  const c = await startServeChild(['--state', dir, ...args])
  children.push(c)
  return c
}

describe('serve --state', () => {
  it('restarts from the state directory: keys, aliases and old ciphertext survive', async () => {
    const dir = await stateDir()
    const first = await serve(dir)
    const kms = localClient(first.url, { region: 'eu-west-1' })
    const key = (await kms.send(new CreateKeyCommand({ Description: 'durable', KeySpec: 'SYMMETRIC_DEFAULT' })))
      .KeyMetadata!
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/durable', TargetKeyId: key.KeyId }))
    const ct = (
      await kms.send(
        new EncryptCommand({
          KeyId: 'alias/durable',
          Plaintext: Buffer.from('keep me'),
          EncryptionContext: { k: 'v' },
        }),
      )
    ).CiphertextBlob!
    kms.destroy()
    expect(await first.stop('SIGTERM')).toBe(0)

    const second = await serve(dir)
    expect(second.stderr()).toContain(`restored state from ${dir}`)
    const again = localClient(second.url, { region: 'eu-west-1' })
    const pt = await again.send(new DecryptCommand({ CiphertextBlob: ct, EncryptionContext: { k: 'v' } }))
    expect(Buffer.from(pt.Plaintext!).toString()).toBe('keep me')
    expect((await again.send(new DescribeKeyCommand({ KeyId: 'alias/durable' }))).KeyMetadata).toMatchObject({
      KeyId: key.KeyId,
      Description: 'durable',
    })
    expect(((await again.send(new ListAliasesCommand({}))).Aliases ?? []).map((a) => a.AliasName)).toContain(
      'alias/durable',
    )
    again.destroy()
  })

  it('loses no acknowledged CreateKey when killed with SIGKILL right after the answer', async () => {
    const dir = await stateDir()
    // No quota, so that many CreateKeys are in flight at once.
    const first = await serve(dir, '--profile', 'none')
    const acknowledged: string[] = []
    const inFlight = Array.from({ length: 12 }, () =>
      kmsCall(first.url, 'CreateKey', {}).then(
        (r) => {
          const id = (r.json['KeyMetadata'] as { KeyId?: string } | undefined)?.KeyId
          if (r.status === 200 && id !== undefined) acknowledged.push(id)
        },
        () => {},
      ),
    )
    // Kill at the moment the first answers arrive, while others are still being written.
    await Promise.race(inFlight)
    first.child.kill('SIGKILL')
    await Promise.allSettled(inFlight)
    expect(acknowledged.length).toBeGreaterThan(0)

    const second = await serve(dir, '--profile', 'none')
    for (const id of acknowledged) {
      const r = await kmsCall(second.url, 'DescribeKey', { KeyId: id })
      expect(r.status, `acknowledged key ${id} lost`).toBe(200)
    }
  })

  it('keeps a single acknowledged key after an immediate SIGKILL', async () => {
    const dir = await stateDir()
    const first = await serve(dir)
    const r = await kmsCall(first.url, 'CreateKey', { Description: 'acked' })
    first.child.kill('SIGKILL')
    expect(r.status).toBe(200)
    const id = (r.json['KeyMetadata'] as { KeyId: string }).KeyId
    const second = await serve(dir)
    expect((await kmsCall(second.url, 'DescribeKey', { KeyId: id })).json).toMatchObject({
      KeyMetadata: { KeyId: id, Description: 'acked' },
    })
  })

  it('refuses a corrupt state file with exit 2, naming it', async () => {
    const dir = await stateDir()
    const { writeFile } = await import('node:fs/promises')
    await writeFile(join(dir, 'state.json'), '{not json')
    await expect(startServeChild(['--state', dir])).rejects.toThrow(/exited \(2\).*state\.json is not valid JSON/s)
  })
})
