/**
 * The embedded target: the in-process emulator, a fresh one per variant, with synchronous
 * calls under a virtual or real clock.
 */
import { createEmulator } from '../../emulator.ts'
import type { CallerInput, OperationInputs, OperationName, OperationOutputs } from '../../kms/index.ts'
import type { SetupKms } from '../scenario/index.ts'
import { SetupError, trackKeys, type Target } from './target.ts'

/** The identity policy of the scenario's application roles: use of every KMS key. */
const APP_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'KmsBenchApplication', Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
})

/** The in-process emulator, a fresh one per variant. */
export function embeddedTarget(): Target {
  return {
    kind: 'embedded',
    name: 'embedded',
    session: (o) => {
      const emulator = createEmulator({
        clock: o.clock,
        profile: o.profile,
        quotas: o.quotas,
        quotaScale: o.quotaScale,
        defaultAccount: o.defaultAccount,
        defaultRegion: o.region,
        ...(o.faults !== undefined && o.faults.length > 0
          ? { faults: o.faults, faultSeed: o.faultSeed ?? 1, faultEpochMs: o.startMs }
          : {}),
        audit: { capacity: 0 },
        // Keep per-second usage for the whole run (and the drain after it).
        usageRetentionSeconds: Math.max(3600, Math.ceil(o.durationSeconds) + 600),
      })
      const createdKeys: string[] = []
      const setup: SetupKms = {
        // Resources made before the run exist already when it starts: their calls go to
        // the core directly and do not use the run's quota.
        call<Op extends OperationName>(
          operation: Op,
          input: OperationInputs[Op],
          caller?: CallerInput,
        ): Promise<OperationOutputs[Op]> {
          try {
            const out = emulator.core.invoke(operation, input, emulator.core.caller(caller))
            trackKeys(operation, out, createdKeys)
            return Promise.resolve(out)
          } catch (e) {
            const err = e as { name?: string; message?: string }
            return Promise.reject(new SetupError(operation, err.name ?? 'Error', err.message ?? String(e)))
          }
        },
        putIdentityPolicy: (principal, policyName, documentJson) =>
          emulator.putIdentityPolicy(principal, policyName, documentJson),
      }
      return Promise.resolve({
        kind: 'embedded',
        emulator,
        setup,
        createdKeys,
        grantPrincipals: (principals) => {
          for (const p of principals) emulator.putIdentityPolicy(p, 'kms-bench-application', APP_POLICY)
        },
        usage: () => Promise.resolve(emulator.usage()),
        close: () => Promise.resolve(),
      })
    },
    close: () => Promise.resolve(),
  }
}
