import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import type { OpContext } from './context.ts'
import { KmsCore } from './core.ts'
import { OPERATION_TABLE } from './operations/index.ts'
import { newKeyMaterial } from './key-material.ts'
import type { KmsKey } from './key.ts'
import {
  ciphertextSource,
  decryptSymmetric,
  encryptSymmetric,
  INCORRECT_KEY_MESSAGE,
  UNKNOWN_CIPHERTEXT_KEY_MESSAGE,
} from './symmetric.ts'
import { failure } from './test-support.ts'

const ACCOUNT = '111122223333'

function setup() {
  const core = new KmsCore({
    operations: OPERATION_TABLE,
    clock: new VirtualClock(),
    defaultAccount: ACCOUNT,
    defaultRegion: 'us-east-1',
  })
  const newKey = (region = 'us-east-1', account = ACCOUNT): KmsKey => {
    const caller = core.caller({ account, region })
    const keyId = core.invoke('CreateKey', {}, caller).KeyMetadata?.KeyId as string
    return core.store.region(account, region).keys.get(keyId) as KmsKey
  }
  const ctxFor = (region = 'us-east-1', account = ACCOUNT): OpContext => ({
    op: 'Decrypt',
    now: core.clock.now(),
    caller: core.caller({ account, region }),
    state: core.store.region(account, region),
    core,
    audit: { resources: [] },
  })
  return { core, newKey, ctxFor }
}

describe('symmetric encryption with a KMS key', () => {
  it('round-trips and finds the key from the ciphertext alone', () => {
    const { newKey, ctxFor } = setup()
    const key = newKey()
    const blob = encryptSymmetric(ctxFor(), key, Buffer.from('secret'), { purpose: 'test' })
    expect(ciphertextSource(ctxFor(), blob, undefined).key).toBe(key)
    expect(ciphertextSource(ctxFor(), blob, key).key).toBe(key)
    expect(decryptSymmetric(ctxFor(), key, blob, { purpose: 'test' }).toString()).toBe('secret')
  })

  it('decrypts ciphertext of every older material version after new material becomes current', () => {
    const { core, newKey, ctxFor } = setup()
    const key = newKey()
    const before = encryptSymmetric(ctxFor(), key, Buffer.from('old'), undefined)
    // Rotation belongs to another module: add a second version by hand, as it would.
    key.material.versions.push(newKeyMaterial('SYMMETRIC_DEFAULT', 1, core.clock.now(), core.random))
    key.material.current = 1
    const after = encryptSymmetric(ctxFor(), key, Buffer.from('new'), undefined)
    expect(before.readUInt32BE(28)).toBe(0)
    expect(after.readUInt32BE(28)).toBe(1)
    expect(decryptSymmetric(ctxFor(), key, before, undefined).toString()).toBe('old')
    expect(decryptSymmetric(ctxFor(), key, after, undefined).toString()).toBe('new')
    // A version the key does not have is invalid ciphertext, not a crash.
    key.material.versions.pop()
    key.material.current = 0
    expect(failure(() => decryptSymmetric(ctxFor(), key, after, undefined)).name).toBe('InvalidCiphertextException')
  })

  it('gives IncorrectKeyException when the expected key is not the ciphertext key (AWS message)', () => {
    const { newKey, ctxFor } = setup()
    const a = newKey()
    const b = newKey()
    const blob = encryptSymmetric(ctxFor(), a, Buffer.from('x'), undefined)
    const e = failure(() => ciphertextSource(ctxFor(), blob, b))
    expect(e).toMatchObject({ name: 'IncorrectKeyException', message: INCORRECT_KEY_MESSAGE })
  })

  it('gives AccessDeniedException (AWS text) for a well-formed ciphertext of a key in another Region', () => {
    const { newKey, ctxFor } = setup()
    const west = newKey('us-west-2')
    const blob = encryptSymmetric(ctxFor('us-west-2'), west, Buffer.from('x'), undefined)
    const e = failure(() => ciphertextSource(ctxFor('us-east-1'), blob, undefined))
    expect(e).toMatchObject({ name: 'AccessDeniedException', message: UNKNOWN_CIPHERTEXT_KEY_MESSAGE })
  })

  it('finds a key of another account named in the ciphertext (cross-account Decrypt)', () => {
    const { newKey, ctxFor } = setup()
    const other = newKey('us-east-1', '444455556666')
    const blob = encryptSymmetric(ctxFor('us-east-1', '444455556666'), other, Buffer.from('x'), undefined)
    expect(ciphertextSource(ctxFor('us-east-1', ACCOUNT), blob, undefined).key).toBe(other)
  })

  it('gives InvalidCiphertextException for bytes that are not a ciphertext of ours', () => {
    const { ctxFor } = setup()
    expect(failure(() => ciphertextSource(ctxFor(), new Uint8Array(200), undefined)).name).toBe(
      'InvalidCiphertextException',
    )
  })
})
