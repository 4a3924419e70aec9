/**
 * Drives one host's invoker chain by hand against a real embedded emulator, in virtual time:
 * for unit tests of mitigations that need exact control of each call (the load engine runs
 * whole scenarios). Not exported from the package.
 */
import { VirtualClock } from '../clock.ts'
import { createEmulator, type Emulator } from '../emulator.ts'
import type { CallerInput } from '../kms/index.ts'
import {
  directKms,
  isContinuation,
  type Effect,
  type KmsCallSpec,
  type KmsInvoker,
  type KmsOutcome,
  type SyncKms,
  type Host,
  type MitigationContext,
  type ResolvedKey,
} from '../load/index.ts'
import { Random } from '../random.ts'

/** A virtual-time host with a real emulator behind it. */
export interface Bench {
  readonly clock: VirtualClock
  readonly emulator: Emulator
  readonly caller: CallerInput
  readonly key: ResolvedKey
  readonly host: Host
  /** KMS calls that reached the emulator, by operation */
  readonly calls: Map<string, number>
  /** total KMS calls that reached the emulator */
  total(): number
  /** every call that reached the emulator, in order */
  readonly log: KmsCallSpec[]
  readonly exec: SyncKms
  context(overrides?: Partial<MitigationContext>): MitigationContext
  /** Runs one call through `invoker` to completion (sync path when there is one; sleeps/waits advance nothing). */
  run(invoker: KmsInvoker, call: KmsCallSpec): KmsOutcome
}

/** A bench with one symmetric key `k` in 111122223333/us-east-1 and no quotas (unless given). */
export function bench(options: { quotas?: Record<string, number> } = {}): Bench {
  const clock = new VirtualClock()
  const emulator = createEmulator({
    clock,
    profile: options.quotas !== undefined ? 'aws-default' : 'none',
    ...(options.quotas !== undefined ? { quotas: options.quotas } : {}),
    audit: { capacity: 0 },
  })
  const principal = 'arn:aws:iam::111122223333:role/app'
  emulator.putIdentityPolicy(
    principal,
    'app',
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }),
  )
  const caller: CallerInput = { account: '111122223333', region: 'us-east-1', principal }
  const md = emulator.callSync('CreateKey', {}, { account: '111122223333', region: 'us-east-1' }).KeyMetadata!
  const key: ResolvedKey = {
    name: 'k',
    keyId: md.KeyId,
    arn: md.Arn!,
    account: '111122223333',
    region: 'us-east-1',
    keySpec: 'SYMMETRIC_DEFAULT',
    manager: 'CUSTOMER',
  }
  const calls = new Map<string, number>()
  const log: KmsCallSpec[] = []
  const exec: SyncKms = (call) => {
    log.push(call)
    calls.set(call.operation, (calls.get(call.operation) ?? 0) + 1)
    return emulator.tryCall(call.operation, call.input, call.caller)
  }
  const host: Host = {
    index: 0,
    id: 'host-0',
    caller,
    account: '111122223333',
    region: 'us-east-1',
    principal,
    random: new Random(1),
    now: () => clock.now(),
  }
  const drive = (gen: Generator<Effect, KmsOutcome, unknown>): KmsOutcome => {
    let value: unknown
    for (;;) {
      const r = gen.next(value)
      if (r.done === true) return r.value
      const eff = r.value
      if (eff.kind === 'kms') value = exec(eff)
      else if (eff.kind === 'sleep') value = undefined
      else if (eff.flight.settled) value = eff.flight.value
      else throw new Error('the bench cannot wait for an unsettled flight')
    }
  }
  return {
    clock,
    emulator,
    caller,
    key,
    host,
    calls,
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    log,
    exec,
    context: (overrides = {}) => ({
      clock,
      random: new Random(7),
      target: 'embedded',
      variant: 'v',
      hosts: 1,
      durationSeconds: 60,
      region: 'us-east-1',
      accounts: ['111122223333'],
      keys: new Map([['k', key]]),
      principals: [principal],
      ...overrides,
    }),
    run: (invoker, call) => {
      if (invoker.sync !== undefined) {
        const r = invoker.sync(call, exec)
        return isContinuation(r) ? drive(r) : r
      }
      return drive(invoker(call))
    },
  }
}

/** The innermost invoker (the engine's direct KMS call). */
export const DIRECT: KmsInvoker = directKms
