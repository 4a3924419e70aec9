import { describe, expect, it } from 'vitest'
import { VirtualClock } from './clock.ts'
import { createEmulator } from './emulator.ts'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('createEmulator', () => {
  it('creates a key and round-trips Encrypt/Decrypt with an encryption context', async () => {
    const kms = createEmulator({ clock: new VirtualClock() })
    const caller = { account: '111122223333', region: 'us-east-1', principal: 'arn:aws:iam::111122223333:role/app' }
    const { KeyMetadata } = await kms.call('CreateKey', {}, caller)
    expect(KeyMetadata?.KeyId).toMatch(/^[0-9a-f-]{36}$/)
    expect(KeyMetadata?.Arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${KeyMetadata?.KeyId}`)
    const out = await kms.call('Encrypt', { KeyId: KeyMetadata!.KeyId, Plaintext: bytes('hello'), EncryptionContext: { tenant: 'a' } }, caller)
    expect(out.CiphertextBlob!.byteLength).toBe(5 + 112)
    const back = await kms.call('Decrypt', { CiphertextBlob: out.CiphertextBlob!, EncryptionContext: { tenant: 'a' } }, caller)
    expect(new TextDecoder().decode(back.Plaintext)).toBe('hello')
    await expect(kms.call('Decrypt', { CiphertextBlob: out.CiphertextBlob!, EncryptionContext: { tenant: 'b' } }, caller)).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    })
  })

  it('rejects with AWS error names and messages, never a TypeError', async () => {
    const kms = createEmulator({ clock: new VirtualClock() })
    await expect(kms.call('DescribeKey', { KeyId: 'nope' })).rejects.toMatchObject({ name: 'NotFoundException', message: "Invalid keyId 'nope'" })
    await expect(kms.call('GenerateDataKey', { KeyId: 'alias/missing', KeySpec: 'AES_256' })).rejects.toMatchObject({
      name: 'NotFoundException',
      message: 'Alias arn:aws:kms:us-east-1:111122223333:alias/missing is not found.',
    })
    // @ts-expect-error deliberately wrong input type
    await expect(kms.call('Encrypt', { KeyId: 5 })).rejects.toMatchObject({ name: 'ValidationException' })
    // @ts-expect-error deliberately unknown operation
    await expect(kms.call('Frobnicate', {})).rejects.toMatchObject({ name: 'UnknownOperationException' })
    await expect(kms.call('DescribeKey', { KeyId: 'x' }, { principal: 'not-an-arn' })).rejects.toMatchObject({ name: 'ValidationException' })
  })

  it('creates AWS managed keys on first use of alias/aws/<service>', async () => {
    const kms = createEmulator({ clock: new VirtualClock() })
    const a = await kms.call('DescribeKey', { KeyId: 'alias/aws/s3' })
    const b = await kms.call('DescribeKey', { KeyId: 'alias/aws/s3' })
    expect(a.KeyMetadata?.KeyManager).toBe('AWS')
    expect(b.KeyMetadata?.KeyId).toBe(a.KeyMetadata?.KeyId)
  })

  it('audits every call, failures included, without plaintext', async () => {
    const kms = createEmulator({ clock: new VirtualClock() })
    const { KeyMetadata } = await kms.call('CreateKey', {})
    await kms.call('Encrypt', { KeyId: KeyMetadata!.KeyId, Plaintext: bytes('secret-value') })
    await kms.call('DescribeKey', { KeyId: 'nope' }).catch(() => undefined)
    const events = kms.auditEvents()
    expect(events.map((e) => e.eventName)).toEqual(['CreateKey', 'Encrypt', 'DescribeKey'])
    expect(events[1]?.resources?.[0]?.ARN).toBe(KeyMetadata?.Arn)
    expect(events[2]).toMatchObject({ errorCode: 'NotFoundException', eventSource: 'kms.amazonaws.com', awsRegion: 'us-east-1' })
    expect(JSON.stringify(events)).not.toContain('secret-value')
    expect(events[0]?.eventTime).toBe('2025-01-01T00:00:00.000Z')
  })
})
