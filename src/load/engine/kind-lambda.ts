/**
 * Compiler of `lambda-cold-start` requests: a Lambda function's execution environment starting,
 * which decrypts the function's environment variables when they are encrypted under a customer
 * managed key ("Securing Lambda environment variables",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html). Lambda makes
 * one Decrypt per environment initialization (warm invocations reuse the decrypted variables),
 * with the function's execution role, through Lambda (`kms:ViaService`
 * `lambda.<region>.amazonaws.com`, CloudTrail `invokedBy` `lambda.amazonaws.com`), with
 * encryption context `{"aws:lambda:FunctionArn": ARN}`; it counts against the function's account.
 *
 * A cold start lands on a host (an execution environment slot, whose principal is the execution
 * role) and replaces its environment: whatever the old one cached (a secret from
 * `secrets-manager-get` with a cache) is gone. Cold starts usually arrive at a rate of their own
 * (`rate`), apart from the invocations of the weighted mix.
 */
import type { RequestSpec } from '../scenario/index.ts'
import { kmsCall, outcomeCode } from './effects.ts'
import { callThrough } from './service-cache.ts'
import { lambdaContext } from './service-names.ts'
import { type CompiledKind, decryptInput, type KindContext, keyIdFor } from './workload.ts'

/** Compiles a `lambda-cold-start` request. */
export function compileLambda(r: Extract<RequestSpec, { kind: 'lambda-cold-start' }>, c: KindContext): CompiledKind {
  const key = c.keyOf(r.key)
  const via = `lambda.${key.region}.amazonaws.com`
  const context = lambdaContext(r.function, key)
  const meta = { keyName: r.key, request: r.kind, service: 'lambda' }
  return {
    name: r.kind,
    weight: r.weight,
    assumptions: [
      'Lambda: one Decrypt of the environment variables per execution environment start, none per warm invocation (Lambda documents the decryption, not a count); a cold start replaces the environment of the host it lands on.',
    ],
    ...(r.rate !== undefined ? { rate: r.rate } : {}),
    *run(host) {
      c.environments.restart(host.index)
      const caller = c.options.callers.get(host.principal, key.region, via)
      const input = decryptInput(keyIdFor(key, caller), c.fixture(0), context)
      return outcomeCode(yield* callThrough(host, kmsCall('Decrypt', input, caller, meta)))
    },
  }
}
