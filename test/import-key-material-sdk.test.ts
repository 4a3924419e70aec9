/**
 * Imported key material end to end: the real `@aws-sdk/client-kms` against `kms-bench serve
 * --state DIR` as a child process. The client wraps its own material with the public key that
 * GetParametersForImport returned, exactly as the AWS docs describe
 * (importing-keys-encrypt-key-material.html); a restart keeps the imported material, its
 * expiry and the outstanding wrapping keys.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ExpiredImportTokenException,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  IncorrectKeyMaterialException,
  KMSInvalidStateException,
  type KMSClient,
} from '@aws-sdk/client-kms'
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startServeChild, type ServeChild } from './support/serve-child.ts'
import { localClient } from './support/sdk-script.ts'

const children: ServeChild[] = []
let dir = ''
afterAll(async () => {
  for (const c of children.splice(0)) await c.stop('SIGKILL').catch(() => {})
  if (dir !== '') await rm(dir, { recursive: true, force: true })
})

/** RSA_AES_KEY_WRAP_SHA_256: an AES-256 key under RSA-OAEP-SHA256, then the material under AES-KWP (RFC 5649). */
function wrap(publicKey: Uint8Array, material: Buffer): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' })
  const kek = randomBytes(32)
  const c = createCipheriv('id-aes256-wrap-pad', kek, Buffer.from('A65959A6', 'hex'))
  const head = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, kek)
  return Buffer.concat([head, c.update(material), c.final()])
}

async function importInto(kms: KMSClient, keyId: string, material: Buffer, validTo?: Date) {
  const p = await kms.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256',
      WrappingKeySpec: 'RSA_3072',
    }),
  )
  return kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: p.ImportToken,
      EncryptedKeyMaterial: wrap(p.PublicKey as Uint8Array, material),
      ...(validTo !== undefined
        ? { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo }
        : { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
    }),
  )
}

describe('imported key material through the SDK and kms-bench serve --state', () => {
  it('creates, imports with real RSA wrapping, survives a restart, deletes and re-imports the same material', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-bench-import-'))
    const first = await startServeChild(['--state', dir, '--profile', 'none'])
    children.push(first)
    const kms = localClient(first.url, { region: 'eu-west-1' })
    const md = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', Description: 'byok' }))).KeyMetadata!
    expect(md).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false })
    const before = await kms.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Buffer.from('x') })).catch((e) => e)
    expect(before).toBeInstanceOf(KMSInvalidStateException)
    expect((before as Error).message).toBe(`${md.Arn} is pending import.`)

    const material = randomBytes(32)
    const validTo = new Date(Date.UTC(2099, 0, 1))
    const imported = await importInto(
      kms,
      md.KeyId!,
      material,
      new Date(Math.min(validTo.getTime(), Date.now() + 300 * 86_400_000)),
    )
    expect(imported.KeyId).toBe(md.Arn)
    const ct = (await kms.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Buffer.from('byok data') })))
      .CiphertextBlob!
    // An unused wrapping key for after the restart.
    const spare = await kms.send(
      new GetParametersForImportCommand({
        KeyId: md.KeyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    )
    kms.destroy()
    expect(await first.stop('SIGTERM')).toBe(0)

    const second = await startServeChild(['--state', dir, '--profile', 'none'])
    children.push(second)
    const again = localClient(second.url, { region: 'eu-west-1' })
    const d = (await again.send(new DescribeKeyCommand({ KeyId: md.KeyId }))).KeyMetadata!
    expect(d).toMatchObject({
      KeyState: 'Enabled',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      CurrentKeyMaterialId: imported.KeyMaterialId,
    })
    expect(d.ValidTo).toBeInstanceOf(Date)
    const pt = await again.send(new DecryptCommand({ CiphertextBlob: ct }))
    expect(Buffer.from(pt.Plaintext!).toString()).toBe('byok data')

    expect(await again.send(new DeleteImportedKeyMaterialCommand({ KeyId: md.KeyId }))).toMatchObject({
      KeyId: md.Arn,
      KeyMaterialId: imported.KeyMaterialId,
    })
    expect((await again.send(new DescribeKeyCommand({ KeyId: md.KeyId }))).KeyMetadata).toMatchObject({
      KeyState: 'PendingImport',
      Enabled: false,
    })
    // The spare wrapping key from before the restart still works (RSAES_OAEP_SHA_256).
    const key = createPublicKey({ key: Buffer.from(spare.PublicKey!), format: 'der', type: 'spki' })
    const wrongMaterial = publicEncrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      randomBytes(32),
    )
    const wrong = await again
      .send(
        new ImportKeyMaterialCommand({
          KeyId: md.KeyId,
          ImportToken: spare.ImportToken,
          EncryptedKeyMaterial: wrongMaterial,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      )
      .catch((e) => e)
    expect(wrong).toBeInstanceOf(IncorrectKeyMaterialException)
    await importInto(again, md.KeyId!, material)
    const back = await again.send(new DecryptCommand({ CiphertextBlob: ct }))
    expect(Buffer.from(back.Plaintext!).toString()).toBe('byok data')
    expect(ExpiredImportTokenException.name).toBe('ExpiredImportTokenException') // the SDK models it (unit tests trigger it in virtual time)
    again.destroy()
  }, 120_000)
})
