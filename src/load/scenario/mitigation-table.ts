/**
 * Mitigation factories by name, so a scenario can name a mitigation declaratively
 * (`{ name: 'data-key-cache', maxAge: '5m' }`) instead of calling its factory.
 */
import type { Mitigation, MitigationFactory } from './types.ts'

const registry = new Map<string, MitigationFactory>()

/**
 * Registers a mitigation factory under its name, so scenarios may name the mitigation
 * declaratively (`{ name, ...options }`) instead of calling the factory. The built-in
 * mitigations register themselves when the package entry point is loaded.
 */
export function registerMitigation(name: string, factory: MitigationFactory): void {
  registry.set(name, factory)
}

/** The factory registered under `name`, if any. */
export function mitigationFactory(name: string): MitigationFactory | undefined {
  return registry.get(name)
}

/** Names of the registered mitigations, sorted. */
export function mitigationNames(): string[] {
  return [...registry.keys()].sort()
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
