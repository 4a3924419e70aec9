/**
 * Cross-check of the hierarchical keyring model (`src/mitigations/branch-key-cache.ts`) against
 * the real one: ESDK-JS's `KmsHierarchicalKeyRingNode` and `BranchKeyStoreNode`, with KMS on
 * kms-bench's endpoint (in-process, its audit log counting the calls) and DynamoDB on moto's
 * server (a middleware on the real DynamoDB client counting the commands). Branch keys per
 * tenant, a branch-key-ID supplier, a shared cache with one partition ID, another partition, a
 * version of a branch key, and expiry by TTL (a real pause). Each step's KMS and DynamoDB call
 * counts must equal the model's. Skips, saying why, where python3 or moto is missing.
 */
import { BranchKeyStoreNode } from '@aws-crypto/branch-keystore-node'
import {
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsHierarchicalKeyRingNode,
} from '@aws-crypto/client-node'
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '../src/emulator.ts'
import {
  BRANCH_KEY_CREATE_CALLS,
  BRANCH_KEY_VERSION_CALLS,
  BranchKeyCache,
  HierarchicalKeyringModel,
} from '../src/mitigations/branch-key-cache.ts'
import { startKmsServer, type KmsServer } from '../src/server/index.ts'
import { type MotoServer, motoUnavailableReason, startMoto } from './support/moto.ts'

const motoReason = motoUnavailableReason()
if (motoReason !== undefined) console.warn(`hierarchical-keyring: cross-check skipped: ${motoReason}`)

const TABLE = 'branch-keys'
const TENANTS = ['t0', 't1', 't2']
const credentials = { accessKeyId: '111122223333', secretAccessKey: 'testing' }

let moto: MotoServer
let server: KmsServer
let emulator: Emulator
let kms: KMSClient
let ddb: DynamoDBClient
const ddbCalls = new Map<string, number>()
let keyStore: BranchKeyStoreNode
const branchKeys = new Map<string, string>()
const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)

/** KMS calls since `from` (audit events), by operation. */
function kmsSince(from: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const e of emulator.auditEvents().slice(from)) out[e.eventName] = (out[e.eventName] ?? 0) + 1
  return out
}
const ddbSnapshot = () => new Map(ddbCalls)
function ddbSince(before: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of ddbCalls) if (v - (before.get(k) ?? 0) > 0) out[k] = v - (before.get(k) ?? 0)
  return out
}

/** Runs `f` and returns the KMS and DynamoDB calls it made. */
async function counted(f: () => Promise<void>): Promise<{ kms: Record<string, number>; ddb: Record<string, number> }> {
  const k = emulator.auditEvents().length
  const d = ddbSnapshot()
  await f()
  return { kms: kmsSince(k), ddb: ddbSince(d) }
}

/** The calls the model's key-store misses stand for. */
function modelCalls(misses: number): { kms: Record<string, number>; ddb: Record<string, number> } {
  return misses === 0 ? { kms: {}, ddb: {} } : { kms: { Decrypt: misses }, ddb: { GetItem: misses } }
}

const keyring = (o: {
  ttl: number
  partitionId?: string
  cache?: ReturnType<typeof getLocalCryptographicMaterialsCache>
}) =>
  new KmsHierarchicalKeyRingNode({
    keyStore,
    branchKeyIdSupplier: { getBranchKeyId: (ec) => branchKeys.get(ec['tenant'] as string) as string },
    cacheLimitTtl: o.ttl,
    ...(o.partitionId !== undefined ? { partitionId: o.partitionId } : {}),
    ...(o.cache !== undefined ? { cache: o.cache } : {}),
  })

describe.skipIf(motoReason !== undefined)('hierarchical keyring: the real ESDK-JS keyring against the model', () => {
  beforeAll(async () => {
    moto = await startMoto()
    emulator = createEmulator({ profile: 'none', audit: { capacity: 100_000 } })
    server = await startKmsServer({ emulator, port: 0 })
    kms = new KMSClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 })
    ddb = new DynamoDBClient({ endpoint: moto.url, region: 'us-east-1', credentials, maxAttempts: 1 })
    ddb.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName).replace(/Command$/, '')
        ddbCalls.set(name, (ddbCalls.get(name) ?? 0) + 1)
        return next(args)
      },
      { step: 'initialize', name: 'countDynamoDbCalls' },
    )
    await ddb.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [
          { AttributeName: 'branch-key-id', KeyType: 'HASH' },
          { AttributeName: 'type', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'branch-key-id', AttributeType: 'S' },
          { AttributeName: 'type', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    )
    const arn = (await kms.send(new CreateKeyCommand({ Description: 'branch key store' }))).KeyMetadata?.Arn as string
    keyStore = new BranchKeyStoreNode({
      logicalKeyStoreName: TABLE,
      storage: { ddbTableName: TABLE, ddbClient: ddb },
      keyManagement: { kmsClient: kms },
      kmsConfiguration: { identifier: arn },
    })
  }, 60_000)
  afterAll(async () => {
    kms?.destroy()
    ddb?.destroy()
    await server?.close()
    await moto?.stop()
  })

  it('creating a branch key per tenant: 2 GenerateDataKeyWithoutPlaintext + 1 ReEncrypt + 1 TransactWriteItems each', async () => {
    const c = await counted(async () => {
      for (const t of TENANTS) branchKeys.set(t, (await keyStore.createKey()).branchKeyIdentifier)
    })
    const { TransactWriteItems, ...kmsPerKey } = BRANCH_KEY_CREATE_CALLS
    expect(c.kms).toEqual(Object.fromEntries(Object.entries(kmsPerKey).map(([k, v]) => [k, v * TENANTS.length])))
    expect(c.ddb).toEqual({ TransactWriteItems: TransactWriteItems * TENANTS.length })
  })

  // 5 s, not 1 s: under load 12 real encrypts through serve and moto can take over a second,
  // which expired entries the test counts as hits.
  const TTL_S = 5
  it('encrypt and decrypt per tenant, a shared cache, another partition, a new version and TTL expiry', async () => {
    const shared = getLocalCryptographicMaterialsCache(1000)
    const modelShared = new BranchKeyCache()
    const real = keyring({ ttl: TTL_S, partitionId: 'p1', cache: shared })
    const model = new HierarchicalKeyringModel({ ttlSeconds: TTL_S, partitionId: 'p1', cache: modelShared })
    const messages: { tenant: string; ct: Buffer }[] = []
    const versions = new Map<string, string>()
    const versionOf = async (id: string) => (await keyStore.getActiveBranchKey(id)).branchKeyVersion.toString()
    for (const t of TENANTS) versions.set(t, await versionOf(branchKeys.get(t) as string))

    // 4 messages per tenant: one miss per tenant, then hits (well inside the TTL, which is long enough for a loaded 2-core machine).
    let misses = 0
    const enc = await counted(async () => {
      for (let i = 0; i < 4; i++)
        for (const t of TENANTS) {
          const now = Date.now()
          const { result } = await encrypt(real, Buffer.from(`m${i}`), { encryptionContext: { tenant: t } })
          messages.push({ tenant: t, ct: result })
          misses += model.onEncrypt(branchKeys.get(t) as string, now).decrypt
        }
    })
    expect(misses).toBe(3)
    expect(enc).toEqual(modelCalls(misses))

    // Decrypt entries are per branch key version: one more miss per tenant.
    misses = 0
    const dec = await counted(async () => {
      for (const m of messages) {
        const now = Date.now()
        const { plaintext } = await decrypt(real, m.ct)
        expect(plaintext.toString()).toMatch(/^m\d$/)
        misses += model.onDecrypt(branchKeys.get(m.tenant) as string, versions.get(m.tenant) as string, now).decrypt
      }
    })
    expect(misses).toBe(3)
    expect(dec).toEqual(modelCalls(misses))

    // A second keyring on the shared cache with the same partition ID: all hits.
    const sameRing = keyring({ ttl: TTL_S, partitionId: 'p1', cache: shared })
    const sameModel = new HierarchicalKeyringModel({ ttlSeconds: TTL_S, partitionId: 'p1', cache: modelShared })
    misses = 0
    const same = await counted(async () => {
      for (const t of TENANTS) {
        const now = Date.now()
        await encrypt(sameRing, Buffer.from('x'), { encryptionContext: { tenant: t } })
        misses += sameModel.onEncrypt(branchKeys.get(t) as string, now).decrypt
      }
    })
    expect(misses).toBe(0)
    expect(same).toEqual(modelCalls(0))

    // Another partition on the same cache shares nothing.
    const other = keyring({ ttl: TTL_S, partitionId: 'p2', cache: shared })
    const otherModel = new HierarchicalKeyringModel({ ttlSeconds: TTL_S, partitionId: 'p2', cache: modelShared })
    misses = 0
    const part = await counted(async () => {
      for (const t of TENANTS) {
        const now = Date.now()
        await encrypt(other, Buffer.from('x'), { encryptionContext: { tenant: t } })
        misses += otherModel.onEncrypt(branchKeys.get(t) as string, now).decrypt
      }
    })
    expect(misses).toBe(3)
    expect(part).toEqual(modelCalls(misses))

    // Versioning a branch key: its own call pattern.
    const t0 = branchKeys.get('t0') as string
    const ver = await counted(() => keyStore.versionKey({ branchKeyIdentifier: t0 }))
    const { TransactWriteItems, GetItem, ...kmsVersion } = BRANCH_KEY_VERSION_CALLS
    expect(ver).toEqual({ kms: kmsVersion, ddb: { GetItem, TransactWriteItems } })

    // After the TTL every entry is fetched again (the new ACTIVE version for t0).
    await new Promise((r) => setTimeout(r, TTL_S * 1000 + 300))
    misses = 0
    const expired = await counted(async () => {
      for (const t of TENANTS) {
        const now = Date.now()
        await encrypt(real, Buffer.from('late'), { encryptionContext: { tenant: t } })
        misses += model.onEncrypt(branchKeys.get(t) as string, now).decrypt
      }
    })
    expect(misses).toBe(3)
    expect(expired).toEqual(modelCalls(misses))
  }, 60_000)
})
