/** The ad-hoc form of `kms-bench run`: `--op OP --rate RPS --duration D` as a scenario input. */
import { OPERATION_NAMES, type OperationName } from '../../kms/index.ts'
import { OP_RECIPES, type ScenarioInput, supportedAdHocOperations } from '../../load/index.ts'
import { usageError } from '../cli-error.ts'

/** What the ad-hoc flags say (plain data: worker threads rebuild the scenario from it). */
export interface AdHocSpec {
  op: string
  rate: number
  durationSeconds: number
  region: string | undefined
  payloadBytes: number
  hosts: number
}

/** The scenario input of `--op OP --rate RPS` (validated by `defineScenario`); a usage error for an unknown or unsupported operation. */
export function adHocInput(a: AdHocSpec): ScenarioInput {
  const { op, rate } = a
  if (!(OPERATION_NAMES as readonly string[]).includes(op))
    throw usageError(`--op '${op}' is not a KMS operation`, `supported: ${supportedAdHocOperations().join(', ')}`)
  const recipe = OP_RECIPES[op as OperationName]
  if (recipe === undefined)
    throw usageError(
      `--op ${op} is not supported by the ad-hoc form`,
      `supported: ${supportedAdHocOperations().join(', ')}; write a scenario for other operations`,
    )
  const need = recipe.key ?? { spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT' }
  return {
    name: `adhoc-${op}`,
    description: `${op} at a constant ${rate}/s`,
    ...(a.region !== undefined ? { region: a.region } : {}),
    duration: a.durationSeconds,
    keys: [{ name: 'adhoc', spec: need.spec, usage: need.usage }],
    fleet: { hosts: a.hosts },
    arrivals: { shape: 'constant', rate },
    requests: [
      {
        kind: 'op',
        operation: op as OperationName,
        ...(recipe.key !== undefined ? { key: 'adhoc' } : {}),
        payloadBytes: a.payloadBytes,
      },
    ],
  }
}

/** What validation messages call the ad-hoc scenario. */
export function adHocSource(a: AdHocSpec): string {
  return `the ad-hoc run (--op ${a.op})`
}
