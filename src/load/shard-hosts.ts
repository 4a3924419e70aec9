/**
 * Whether a sharded run can split its fleet without counting a host twice. A shard runs the
 * hosts of its global arrivals `k·N + I` (host `j mod H`), so every host belongs to exactly one
 * of `N` shards only when `N` divides the fleet's `H` hosts. Otherwise some hosts run in several
 * shards, each copy with its own SDK client (retry quota, adaptive limiter) and its own
 * mitigation state (caches, pools): merged, the shards would count those hosts' retries and
 * cache misses once per copy, which one run never does. That is harmless only for a variant
 * without per-host state: no client retries and no mitigations.
 */
import type { ClientRetrySetting } from './scenario/index.ts'

/** A variant as the check needs it: its name, mitigations and resolved client retries. */
export interface ShardedVariant {
  readonly variant: { readonly name: string; readonly mitigations: readonly { readonly name: string }[] }
  readonly retry: ClientRetrySetting
}

/** What a variant keeps per host, in words (`undefined` when nothing). */
function perHostState(v: ShardedVariant): string | undefined {
  const retries =
    v.retry.mode !== 'none' || (v.retry.groups ?? []).some((g) => g.mode !== undefined && g.mode !== 'none')
  const parts = [
    ...(retries ? [`SDK retries, ${v.retry.mode} mode: a retry quota per host`] : []),
    ...(v.variant.mitigations.length > 0
      ? [`mitigations (${v.variant.mitigations.map((m) => m.name).join(', ')})`]
      : []),
  ]
  return parts.length > 0 ? parts.join(' and ') : undefined
}

/**
 * The problem of running shard `index` (0-based) of `count` over a fleet of `hosts`, or
 * `undefined` when the shards split the hosts (or no variant keeps per-host state).
 */
export function shardHostsProblem(
  hosts: number,
  shard: { index: number; count: number },
  variants: readonly ShardedVariant[],
): string | undefined {
  if (shard.count <= 1 || hosts % shard.count === 0) return undefined
  const first = variants.find((v) => perHostState(v) !== undefined)
  if (first === undefined) return undefined
  const fewer = hosts < shard.count
  const copies = fewer
    ? `every host runs in ${shard.count / gcd(hosts, shard.count)} shards`
    : 'some hosts run in several shards'
  const divisors = Array.from({ length: shard.count }, (_, i) => i + 1).filter((d) => hosts % d === 0 && d > 1)
  return (
    `shard ${shard.index + 1} of ${shard.count}: the fleet's ${hosts} host${hosts === 1 ? '' : 's'} cannot be split across ${shard.count} shards (${shard.count} does not divide ${hosts}), so ${copies}, each copy with its own SDK client and mitigation state; ` +
    `variant '${first.variant.name}' keeps per-host state (${perHostState(first)}), so the merged shards would count those hosts' retries and cache misses once per copy. ` +
    `Give the fleet a multiple of ${shard.count} hosts (fleet.hosts, or --hosts for the ad-hoc form)${divisors.length > 0 ? `, run ${divisors.join(' or ')} shards` : ''}, or run with --retry none and no mitigations`
  )
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}
