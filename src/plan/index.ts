/**
 * Capacity planning over run results (`kms-bench plan`): quota utilisation, headroom, growth,
 * cost and ranked mitigations. The plan's shape (`CapacityPlan`) is in load/results.
 */
export {
  buildPlan,
  parseWorkload,
  PlanError,
  probeQuotas,
  projectPeak,
  SECONDS_PER_MONTH,
  throttleMonthEver,
  throttleMonthWithin,
  variantsNeedingProbe,
  workloadScenario,
  WorkloadSchema,
} from './plan.ts'
export type { PlanOptions, ServiceQuotaInfo, Workload, WorkloadInput } from './plan.ts'
