/**
 * Compiler of `secrets-manager-get` requests: an application reading a secret with
 * GetSecretValue, from "Secret encryption and decryption in AWS Secrets Manager"
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html):
 * Secrets Manager keeps each secret version's data key encrypted under the secret's KMS key and
 * calls KMS Decrypt for it on every GetSecretValue, as the caller, through Secrets Manager
 * (`kms:ViaService` `secretsmanager.<region>.amazonaws.com`, CloudTrail `invokedBy`
 * `secretsmanager.amazonaws.com`), with encryption context
 * `{"SecretARN": ARN, "SecretVersionId": ID}`; the calls count against the caller's account.
 *
 * Client-side caching saves the calls:
 * - `caching-client`: the AWS Secrets Manager caching client (Java, Python, .NET, Go, JS); its
 *   item TTL defaults to 1 hour
 *   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_cache-java-ref_SecretCacheConfiguration.html:
 *   "The default is 1 hour"; the .NET and Go pages say 3,600,000 ms and 1 h). It refreshes
 *   synchronously when a secret is read after the TTL, and "if the synchronous refresh fails,
 *   the cache returns the stale secret".
 * - `agent`: the Secrets Manager Agent (and the Lambda extension), whose "default refresh
 *   frequency (TTL) is 300 seconds"
 *   (https://docs.aws.amazon.com/secretsmanager/latest/userguide/secrets-manager-agent.html).
 *
 * Either cache lives in the host's memory: one per host, lost when a Lambda execution environment
 * starts again (a `lambda-cold-start` on that host). Concurrent reads of an expired secret on one
 * host wait for one refresh (an assumption: the clients refresh an item under a lock).
 */
import type { EffectGenerator, RequestSpec } from '../scenario/index.ts'
import { parseDuration } from '../scenario/index.ts'
import { kmsCall, type OutcomeCode, outcomeCode } from './effects.ts'
import { callThrough, ServiceCache } from './service-cache.ts'
import { secretContext } from './service-names.ts'
import { type CompiledKind, decryptInput, type KindContext, keyIdFor } from './workload.ts'

/** Default TTLs of the Secrets Manager caches, seconds (see the file comment). */
export const SECRET_CACHE_TTL_SECONDS = Object.freeze({ 'caching-client': 3600, agent: 300 })

/** Compiles a `secrets-manager-get` request. */
export function compileSecretsManager(
  r: Extract<RequestSpec, { kind: 'secrets-manager-get' }>,
  c: KindContext,
): CompiledKind {
  const key = c.keyOf(r.key)
  const via = `secretsmanager.${key.region}.amazonaws.com`
  const ttlSeconds =
    r.cache === 'none' ? 0 : r.cacheTtl !== undefined ? parseDuration(r.cacheTtl) : SECRET_CACHE_TTL_SECONDS[r.cache]
  const cache =
    r.cache === 'none'
      ? undefined
      : new ServiceCache({ ttlMs: ttlSeconds * 1000, serveStale: r.cache === 'caching-client' })
  const contexts = new Map<number, Record<string, string>>()
  const meta = { keyName: r.key, request: r.kind, service: 'secretsmanager' }
  return {
    name: r.kind,
    weight: r.weight,
    assumptions:
      r.cache === 'none'
        ? []
        : [
            `Secrets Manager ${r.cache}: one cache per host (execution environment), TTL ${ttlSeconds} s${r.cacheTtl === undefined ? ` (the ${r.cache === 'agent' ? "agent's documented default" : "caching client's documented default"})` : ''}; concurrent reads of an expired secret wait for one refresh${r.cache === 'caching-client' ? ', and a failed refresh serves the stale secret (as the Java client documents)' : ''}.`,
          ],
    *run(host, _tenant, random) {
      const s = r.secrets === 1 ? 0 : random.int(r.secrets)
      let context = contexts.get(s)
      if (context === undefined) contexts.set(s, (context = secretContext(r, s, key)))
      const ctx = context
      const caller = c.options.callers.get(host.principal, key.region, via)
      function* getSecretValue(): EffectGenerator<OutcomeCode> {
        const input = decryptInput(keyIdFor(key, caller), c.fixture(s), ctx)
        return outcomeCode(yield* callThrough(host, kmsCall('Decrypt', input, caller, meta)))
      }
      if (cache === undefined) return yield* getSecretValue()
      return yield* cache.use(`${host.index}|${s}`, () => host.now(), getSecretValue, c.environments.of(host.index))
    },
  }
}
