/**
 * Single-flight: on each host, concurrent identical KMS calls make one call; the requests
 * that come while it is in flight (its service time, and any retry backoff below it) wait
 * for its outcome (the engine's `wait` effect) and share it.
 *
 * Only calls whose answer depends on nothing but their input are coalesced: Decrypt of the
 * same ciphertext and context, DescribeKey, GetPublicKey, GenerateMac / VerifyMac / Verify of
 * the same message. GenerateDataKey returns a new data key every time: giving one to two
 * requests *is* caching, which `dataKeyCache({ singleFlight: true })` does with the cache's
 * limits (this standalone layer refuses it).
 *
 * Not an AWS feature; the pattern of Go's `singleflight` package and of caching proxies
 * ("request coalescing"). It only matters while calls take time: with zero service time and
 * no retries, nothing is ever concurrent.
 */
import { z } from 'zod'
import {
  Flight,
  isContinuation,
  wait,
  type EffectGenerator,
  type KmsCallSpec,
  type KmsInvoker,
  type KmsOutcome,
  type SyncKms,
  type Host,
  type Mitigation,
  type MitigationContext,
  type MitigationRun,
} from '../load/index.ts'
import { blobId, contextId } from './call-keys.ts'
import { invalidMitigation, parseOptions } from './params.ts'

/** Operations whose answer is a function of their input (safe to share). */
export const COALESCIBLE_OPERATIONS = [
  'Decrypt',
  'DescribeKey',
  'GetPublicKey',
  'GenerateMac',
  'VerifyMac',
  'Verify',
] as const
/** An operation {@link singleFlight} can coalesce. */
export type CoalescibleOperation = (typeof COALESCIBLE_OPERATIONS)[number]

/** Options of {@link singleFlight}. */
export interface SingleFlightOptions {
  /** Operations to coalesce. @default ['Decrypt', 'DescribeKey', 'GetPublicKey'] */
  operations?: CoalescibleOperation[]
}

const schema = z.object({
  operations: z
    .array(
      z.string().superRefine((op, ctx) => {
        if ((COALESCIBLE_OPERATIONS as readonly string[]).includes(op)) return
        const why =
          op === 'GenerateDataKey' || op === 'GenerateDataKeyWithoutPlaintext'
            ? `${op} returns a new data key on every call: sharing one between requests is caching (use dataKeyCache({ singleFlight: true }))`
            : `'${op}' cannot be coalesced; operations whose answer depends only on their input: ${COALESCIBLE_OPERATIONS.join(', ')}`
        ctx.addIssue({ code: 'custom', message: why })
      }),
    )
    .min(1, { error: 'operations must name at least one operation' })
    .optional(),
})

const inputIds = new WeakMap<object, string>()
const callerIds = new WeakMap<object, string>()

/** A call's identity: operation, caller and input (blobs by their bytes). */
function callId(call: KmsCallSpec): string {
  const input = call.input as Record<string, unknown>
  let id = inputIds.get(input)
  if (id === undefined) {
    const parts: string[] = [call.operation]
    for (const k of Object.keys(input).sort()) {
      const v = input[k]
      if (v instanceof Uint8Array) parts.push(`${k}=b:${blobId(v)}`)
      else if (k === 'EncryptionContext') parts.push(`${k}=c:${contextId(v as Record<string, string>)}`)
      else parts.push(`${k}=${JSON.stringify(v)}`)
    }
    id = parts.join('\n')
    inputIds.set(input, id)
  }
  let who = callerIds.get(call.caller)
  if (who === undefined) {
    const c = call.caller
    who = `${c.account ?? ''}|${c.region ?? ''}|${c.principal ?? ''}|${c.viaService ?? ''}\n`
    callerIds.set(call.caller, who)
  }
  return who + id
}

/** Each waiter gets its own copy of a returned plaintext (the first caller keeps the original). */
function shared(out: KmsOutcome): KmsOutcome {
  if (!out.ok) return out
  const p = (out.output as { Plaintext?: Uint8Array }).Plaintext
  return p === undefined ? out : ({ ok: true, output: { ...out.output, Plaintext: new Uint8Array(p) } } as KmsOutcome)
}

/** Coalesces concurrent identical calls of each host. `singleFlight()` coalesces Decrypt, DescribeKey and GetPublicKey. */
export function singleFlight(options: SingleFlightOptions = {}): Mitigation {
  const parsed = parseOptions(schema, options)
  if (!parsed.ok) return invalidMitigation('single-flight', options, parsed.problems)
  const operations = new Set<string>(parsed.value.operations ?? ['Decrypt', 'DescribeKey', 'GetPublicKey'])
  return {
    name: 'single-flight',
    params: { operations: [...operations].join('+') },
    start(_ctx: MitigationContext): MitigationRun {
      const stats = { flights: 0, coalesced: 0 }
      return {
        wrap(next: KmsInvoker, _host: Host): KmsInvoker {
          const inFlight = new Map<string, Flight<KmsOutcome>>()
          const nextSync = next.sync

          function* join(flight: Flight<KmsOutcome>): EffectGenerator<KmsOutcome> {
            stats.coalesced++
            return shared(yield* wait(flight))
          }

          function* lead(
            id: string,
            call: KmsCallSpec,
            started: EffectGenerator<KmsOutcome> | undefined,
          ): EffectGenerator<KmsOutcome> {
            const flight = new Flight<KmsOutcome>()
            inFlight.set(id, flight)
            stats.flights++
            const out = started !== undefined ? yield* started : yield* next(call)
            inFlight.delete(id)
            flight.resolve(out)
            return out
          }

          const invoker: KmsInvoker = (call) => {
            if (!operations.has(call.operation)) return next(call)
            const id = callId(call)
            const flight = inFlight.get(id)
            return flight !== undefined ? join(flight) : lead(id, call, undefined)
          }
          if (nextSync !== undefined) {
            invoker.sync = (call: KmsCallSpec, exec: SyncKms) => {
              if (!operations.has(call.operation)) return nextSync(call, exec)
              const id = callId(call)
              const flight = inFlight.get(id)
              if (flight !== undefined) return join(flight)
              const r = nextSync(call, exec)
              // Completed at once: nobody could have joined, no flight is needed.
              if (!isContinuation(r)) {
                stats.flights++
                return r
              }
              return lead(id, call, r)
            }
          }
          return invoker
        },
        stats: () => ({ ...stats }),
      }
    },
  }
}
