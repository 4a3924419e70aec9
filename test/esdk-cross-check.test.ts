/**
 * Cross-check of the data-key cache model against the real AWS Encryption SDK.
 *
 * The real SDK (`@aws-crypto/client-node`: `NodeCachingMaterialsManager` over
 * `getLocalCryptographicMaterialsCache`, a `KmsKeyringNode` whose KMS client talks to
 * kms-bench's endpoint started in-process on a free loopback port) encrypts, then decrypts,
 * a script of messages chosen to exercise every rule: message and byte limits, a message too
 * large to cache, LRU eviction at a small capacity, several encryption contexts (one empty),
 * and expiry by age (real pauses longer than maxAge). The model (`dataKeyCache`) runs the same
 * script in virtual time against the embedded emulator. Both must make exactly the same
 * number of GenerateDataKey and Decrypt calls.
 */
import {
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node'
import { CreateKeyCommand, KMS } from '@aws-sdk/client-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmulator } from '../src/emulator.ts'
import { kmsCall } from '../src/load/engine/index.ts'
import type { KmsCallSpec } from '../src/load/scenario/index.ts'
import { dataKeyCache } from '../src/mitigations/data-key-cache.ts'
import { bench, DIRECT } from '../src/mitigations/test-support.ts'
import { startKmsServer, type KmsServer } from '../src/server/index.ts'

/** One message of the script: its encryption context, size, and the pause before it. */
interface Step {
  readonly context: Record<string, string>
  readonly bytes: number
  readonly pauseMs?: number
}

// Generous margins: every group of messages takes far less than MAX_AGE_MS even on a loaded
// machine, and every pause far more.
const MAX_AGE_MS = 2000
const PAUSE_MS = 2600
const A = { tenant: 'a' }
const B = { tenant: 'b', region: 'eu' }
const C = { tenant: 'c' }
const NONE = {}

const step = (context: Record<string, string>, bytes: number, pauseMs?: number): Step => ({
  context,
  bytes,
  ...(pauseMs !== undefined ? { pauseMs } : {}),
})

/** Limits: 3 messages and 2,500 bytes per data key, 2 entries per cache, 2 s max age. */
const LIMITS = { maxMessagesEncrypted: 3, maxBytesEncrypted: 2500, capacity: 2 }

const SCRIPT: Step[] = [
  // message limit: the 4th message needs a new data key
  step(A, 100),
  step(A, 100),
  step(A, 100),
  step(A, 100),
  // byte limit: 1000 + 1000 + 1000 > 2500
  step(B, 1000),
  step(B, 1000),
  step(B, 1000),
  // larger than maxBytesEncrypted: served with a fresh data key, never cached
  step(C, 3000),
  step(C, 3000),
  // LRU at capacity 2 (A, B cached): C evicts the least recently used, and so on
  step(A, 10),
  step(C, 10),
  step(B, 10),
  step(A, 10),
  step(NONE, 10),
  step(NONE, 10),
  step(C, 10),
  // after a pause longer than maxAge every entry is stale
  step(A, 10, PAUSE_MS),
  step(A, 10),
  step(NONE, 10),
  step(B, 2400),
  step(B, 200),
  step(A, 10, PAUSE_MS),
  step(NONE, 10),
  step(NONE, 10),
  step(NONE, 10),
  step(NONE, 10),
]

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('data-key cache model vs the real AWS Encryption SDK', () => {
  let server: KmsServer
  let keyArn: string
  beforeAll(async () => {
    server = await startKmsServer({ emulator: createEmulator({ profile: 'none', audit: { capacity: 0 } }), port: 0 })
    const admin = new KMS({
      endpoint: server.url,
      region: 'us-west-2',
      credentials: { accessKeyId: '111122223333', secretAccessKey: 'x' },
      maxAttempts: 1,
    })
    keyArn = (await admin.send(new CreateKeyCommand({ Description: 'esdk cross-check' }))).KeyMetadata!.Arn!
    admin.destroy()
  })
  afterAll(async () => {
    await server.close()
  })

  it('makes the same number of GenerateDataKey and Decrypt calls as the Encryption SDK', async () => {
    // --- the real Encryption SDK over HTTP ---
    const counts: Record<string, number> = {}
    const kms = new KMS({
      endpoint: server.url,
      region: 'us-west-2',
      credentials: { accessKeyId: '111122223333', secretAccessKey: 'x' },
      maxAttempts: 1,
    })
    kms.middlewareStack.add(
      (next, context) => async (args) => {
        counts[context.commandName as string] = (counts[context.commandName as string] ?? 0) + 1
        return next(args)
      },
      { step: 'initialize', name: 'countKmsCalls' },
    )
    const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => kms })
    const producer = new NodeCachingMaterialsManager({
      backingMaterials: keyring,
      cache: getLocalCryptographicMaterialsCache(LIMITS.capacity),
      maxAge: MAX_AGE_MS,
      maxMessagesEncrypted: LIMITS.maxMessagesEncrypted,
      maxBytesEncrypted: LIMITS.maxBytesEncrypted,
      partition: 'producer',
    })
    const consumer = new NodeCachingMaterialsManager({
      backingMaterials: keyring,
      cache: getLocalCryptographicMaterialsCache(LIMITS.capacity),
      maxAge: MAX_AGE_MS,
      partition: 'consumer',
    })
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    const messages: Buffer[] = []
    for (const s of SCRIPT) {
      if (s.pauseMs !== undefined) await sleep(s.pauseMs)
      const { result } = await encrypt(producer, Buffer.alloc(s.bytes, 7), { encryptionContext: s.context })
      messages.push(result)
    }
    const realEncrypt = { GenerateDataKey: counts['GenerateDataKeyCommand'] ?? 0 }
    for (const [i, s] of SCRIPT.entries()) {
      if (s.pauseMs !== undefined) await sleep(s.pauseMs)
      const { plaintext } = await decrypt(consumer, messages[i] as Buffer)
      expect(plaintext.byteLength).toBe(s.bytes)
    }
    const real = { ...realEncrypt, Decrypt: counts['DecryptCommand'] ?? 0 }
    kms.destroy()

    // --- the model, in virtual time, against the embedded emulator ---
    const b = bench()
    const model = dataKeyCache({ maxAge: MAX_AGE_MS / 1000, ...LIMITS })
    const producerModel = model.start(b.context()).wrap(DIRECT, b.host)
    const consumerModel = dataKeyCache({ maxAge: MAX_AGE_MS / 1000, capacity: LIMITS.capacity })
      .start(b.context())
      .wrap(DIRECT, { ...b.host, index: 1, id: 'host-1' })
    const edks: Uint8Array[] = []
    for (const s of SCRIPT) {
      if (s.pauseMs !== undefined) b.clock.advance(s.pauseMs)
      const call: KmsCallSpec = kmsCall(
        'GenerateDataKey',
        { KeyId: b.key.keyId, NumberOfBytes: 32, EncryptionContext: s.context },
        b.caller,
        { bytes: s.bytes, keyName: 'k' },
      )
      const out = b.run(producerModel, call)
      if (!out.ok) throw new Error(`model GenerateDataKey failed: ${out.error.message}`)
      edks.push((out.output as { CiphertextBlob: Uint8Array }).CiphertextBlob)
    }
    const modelEncrypt = { GenerateDataKey: b.calls.get('GenerateDataKey') ?? 0 }
    for (const [i, s] of SCRIPT.entries()) {
      if (s.pauseMs !== undefined) b.clock.advance(s.pauseMs)
      const out = b.run(
        consumerModel,
        kmsCall(
          'Decrypt',
          { KeyId: b.key.keyId, CiphertextBlob: edks[i] as Uint8Array, EncryptionContext: s.context },
          b.caller,
          { bytes: s.bytes, keyName: 'k' },
        ),
      )
      if (!out.ok) throw new Error(`model Decrypt failed: ${out.error.message}`)
    }
    const modeled = { ...modelEncrypt, Decrypt: b.calls.get('Decrypt') ?? 0 }

    expect(modeled).toEqual(real)
    // The script is not trivial: caching saved calls, and the limits forced some.
    expect(real.GenerateDataKey).toBeGreaterThan(4)
    expect(real.GenerateDataKey).toBeLessThan(SCRIPT.length)
    expect(real.Decrypt).toBeGreaterThan(4)
    expect(real.Decrypt).toBeLessThan(SCRIPT.length)
  })
})
