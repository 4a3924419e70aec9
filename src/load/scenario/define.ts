/**
 * `defineScenario`: validates a scenario file's object against the schema
 * (scenario-schema.ts), fills in its defaults and marks it validated.
 */
import type { z } from 'zod'
import { parseDuration } from './duration.ts'
import { NO_MITIGATIONS } from './mitigation-table.ts'
import { scenarioSchemaFor, type Scenario, type ScenarioInput } from './scenario-schema.ts'
import type { MitigationTable } from './types.ts'

/** A scenario that failed validation; `problems` lists every one, each with its path. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError'
  readonly problems: readonly string[]

  constructor(source: string, problems: readonly string[]) {
    super(`${source} is not a valid scenario:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.problems = problems
  }
}

const VALIDATED = Symbol.for('kms-bench.scenario')

/** Every problem of a zod error, as `path: message` lines. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
}

/** Options of {@link defineScenario}. */
export interface DefineScenarioOptions {
  /** what the scenario is called in error messages. @default 'scenario' */
  source?: string
  /** the mitigations a variant may name declaratively (`{ name, ...options }`). @default none */
  mitigations?: MitigationTable
}

/**
 * Validates a scenario and fills in its defaults. Throws {@link ScenarioError} listing every
 * problem with its path. Scenario files `export default defineScenario({...})`.
 */
export function defineScenario(input: ScenarioInput, options: DefineScenarioOptions = {}): Scenario {
  if (isScenario(input)) return input
  const source = options.source ?? 'scenario'
  const r = scenarioSchemaFor(options.mitigations ?? NO_MITIGATIONS).safeParse(input)
  if (!r.success) throw new ScenarioError(source, formatIssues(r.error.issues))
  Object.defineProperty(r.data, VALIDATED, { value: true, enumerable: false })
  return r.data as Scenario
}

/** True when `value` was returned by {@link defineScenario}. */
export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[VALIDATED] === true
}

/** The scenario's duration in seconds. */
export function scenarioSeconds(s: Scenario): number {
  return parseDuration(s.duration)
}
