/**
 * Mitigation tables: the factories a scenario may name declaratively
 * (`{ name: 'data-key-cache', maxAge: '5m' }`), passed in explicitly (no registry: nothing
 * registers itself on import).
 */
import type { Mitigation, MitigationFactory, MitigationTable } from './types.ts'

/** The empty table: a scenario built with it must construct its mitigations with factories. */
export const NO_MITIGATIONS: MitigationTable = Object.freeze({})

/** A read-only table of the given factories (later tables win on a shared name). */
export function mitigationTable(...tables: Readonly<Record<string, MitigationFactory>>[]): MitigationTable {
  return Object.freeze(Object.assign({}, ...tables) as Record<string, MitigationFactory>)
}

/** The factory of `name` in `table`, if any (own entries only). */
export function mitigationFactory(table: MitigationTable, name: string): MitigationFactory | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined
}

/** Names in a table, sorted. */
export function mitigationNames(table: MitigationTable): string[] {
  return Object.keys(table).sort()
}

/** Type guard for scenario validation: something shaped like a {@link Mitigation}. */
export function isMitigation(value: unknown): value is Mitigation {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Mitigation).name === 'string' &&
    typeof (value as Mitigation).start === 'function' &&
    typeof (value as Mitigation).params === 'object'
  )
}
