/** What a run on real AWS would send and cost, printed before it starts (`--target aws`). */
import { estimateCost } from '../../kms/index.ts'
import { compileShape, parseDuration, type Scenario, scenarioSchedule } from '../../load/index.ts'

/**
 * The application requests the scenario's schedule offers over `seconds` (its integral, from
 * the engine's own `compileShape(...).cumulative()`), times `scale` and the variants run, and
 * what they cost at one KMS call per request plus up to 2 retries each (the standard mode's
 * 3 attempts) (https://aws.amazon.com/kms/pricing/). A trace is read through `readTraceFile`.
 */
export function projection(
  scenario: Scenario,
  seconds: number,
  scale: number,
  variants: number,
  readTraceFile: (file: string) => string,
): { requests: number; text: string } {
  const shape = compileShape(scenarioSchedule(scenario, readTraceFile), seconds, parseDuration)
  const requests = Math.ceil(shape.cumulative(seconds * 1000) * scale * variants)
  const cost = estimateCost({
    symmetricRequests: requests * 3,
    keys: scenario.keys.map(() => ({ rotations: 0 })),
    periodSeconds: seconds,
    freeTier: false,
  })
  const text = Number.isFinite(requests)
    ? `real AWS: this run would send up to ${requests.toLocaleString('en-US')} application requests (${variants} variant(s), ${seconds}s), at most ${(requests * 3).toLocaleString('en-US')} KMS calls with retries, costing up to $${cost.total.toFixed(2)} (requests $${cost.requests.toFixed(2)}, keys $${cost.keys.toFixed(2)}); ${scenario.keys.length} key(s) would be created and scheduled for deletion (7-day waiting period) afterwards.`
    : `real AWS: the run replays a trace; its peak rate is unknown until the trace is read.`
  return { requests, text }
}
