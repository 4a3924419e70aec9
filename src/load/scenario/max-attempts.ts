/**
 * `run --max-attempts N` without `--retry`: a scenario whose every variant keeps its own retry
 * mode with N attempts.
 */
import type { ClientRetrySetting, ClientSpec } from './client-schema.ts'
import type { Scenario } from './scenario-schema.ts'

/**
 * Every variant keeps its own retry mode (a scenario that compares standard with adaptive
 * retries still does) and gets `maxAttempts` attempts (the first included); variants with
 * retries off stay off. The scenario's own default becomes standard retries with them.
 */
export function withMaxAttempts(scenario: Scenario, maxAttempts: number): Scenario {
  const set = <T extends { retry?: ClientRetrySetting | undefined; client?: ClientSpec | undefined }>(
    x: T,
    fallback?: ClientRetrySetting,
  ): T => {
    if (x.client !== undefined) return x.client.mode === 'none' ? x : { ...x, client: { ...x.client, maxAttempts } }
    const retry = x.retry ?? fallback
    return retry === undefined || retry.mode === 'none' ? x : { ...x, retry: { ...retry, maxAttempts } }
  }
  return { ...set(scenario, { mode: 'standard', maxAttempts }), variants: scenario.variants.map((v) => set(v)) }
}
