/**
 * Compiler of `dynamodb` requests: a read or write of a DynamoDB table encrypted at rest under
 * a customer managed (or AWS managed) KMS key. From "Encryption at rest: how it works"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html,
 * "Table key caching") and the KMS guide's DynamoDB page
 * (https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html):
 *
 * - DynamoDB decrypts the table key with one KMS Decrypt and "caches the plaintext table keys
 *   for each connection in memory"; a request for the cached key "after five minutes of
 *   inactivity" makes it call Decrypt again (`tableKeyRefresh: 'inactivity'`, the default).
 *   The AWS Database Blog's older wording, that the key is refreshed every 5 minutes per
 *   connection with active traffic, is `tableKeyRefresh: 'periodic'`.
 * - Every connection pays for its own table key: aws/aws-sdk-go-v2#2129 (a client used from 25
 *   goroutines, 25 connections, close to 25 Decrypts every 5 minutes), and
 *   awslabs/fhir-works-on-aws-deployment#639 (an SDK without keep-alive, a Decrypt per request):
 *   `connections` per host, and `keepAlive: false` for a new connection per request.
 * - The Decrypt is made as the principal accessing the table, through DynamoDB
 *   (`kms:ViaService` `dynamodb.<region>.amazonaws.com`, CloudTrail `invokedBy`
 *   `dynamodb.amazonaws.com`), with encryption context
 *   `{"aws:dynamodb:tableName": NAME, "aws:dynamodb:subscriberId": ACCOUNT}`, and counts against
 *   the caller's account.
 *
 * A host's requests take its connections in turn (round robin).
 */
import type { EffectGenerator, RequestSpec } from '../scenario/index.ts'
import { kmsCall, type OutcomeCode, outcomeCode } from './effects.ts'
import { callThrough, ServiceCache } from './service-cache.ts'
import { dynamodbContext } from './service-names.ts'
import { type CompiledKind, decryptInput, type KindContext, keyIdFor } from './workload.ts'

/** How long DynamoDB keeps a connection's table key: five minutes (the page above). */
export const TABLE_KEY_CACHE_MS = 5 * 60 * 1000

/** Compiles a `dynamodb` request. */
export function compileDynamodb(r: Extract<RequestSpec, { kind: 'dynamodb' }>, c: KindContext): CompiledKind {
  const key = c.keyOf(r.key)
  const via = `dynamodb.${key.region}.amazonaws.com`
  const cache = new ServiceCache({ ttlMs: TABLE_KEY_CACHE_MS, sliding: r.tableKeyRefresh === 'inactivity' })
  const contexts = new Map<number, Record<string, string>>()
  const contextOf = (t: number): Record<string, string> => {
    let ctx = contexts.get(t)
    if (ctx === undefined) contexts.set(t, (ctx = dynamodbContext(r, t, key)))
    return ctx
  }
  /** requests each host has made (its next connection) */
  const sent: number[] = []
  const meta = { keyName: r.key, request: r.kind, service: 'dynamodb' }
  return {
    name: r.kind,
    weight: r.weight,
    assumptions: [
      r.keepAlive
        ? `DynamoDB: each host keeps ${r.connections} connection${r.connections === 1 ? '' : 's'} and takes ${r.connections === 1 ? 'it' : 'them in turn'}; a connection's table key is decrypted again ${r.tableKeyRefresh === 'inactivity' ? 'after 5 minutes without a request (the DynamoDB guide)' : 'every 5 minutes while in use (the older AWS wording)'}; AWS publishes no other refresh.`
        : 'DynamoDB: without keep-alive every request is a new connection, so every request decrypts the table key (awslabs/fhir-works-on-aws-deployment#639).',
    ],
    *run(host, _tenant, random) {
      const t = r.tables === 1 ? 0 : random.int(r.tables)
      const caller = c.options.callers.get(host.principal, key.region, via)
      const context = contextOf(t)
      function* decrypt(): EffectGenerator<OutcomeCode> {
        const input = decryptInput(keyIdFor(key, caller), c.fixture(t), context)
        return outcomeCode(yield* callThrough(host, kmsCall('Decrypt', input, caller, meta)))
      }
      // Without keep-alive every request is a new connection with no table key yet.
      if (!r.keepAlive) return yield* decrypt()
      const n = sent[host.index] ?? 0
      sent[host.index] = n + 1
      return yield* cache.use(`${host.index}.${n % r.connections}|${t}`, () => host.now(), decrypt)
    },
  }
}
