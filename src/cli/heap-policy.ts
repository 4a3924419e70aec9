/**
 * The `kms-bench` command's V8 heap policy: memory flat in a run's simulated duration (issue 17).
 *
 * A virtual-time run keeps a bounded live set (the requests in flight, their deadlines, the
 * limiter's queue) and allocates garbage at a high rate. With V8's defaults its peak RSS still
 * grew with the duration: after a full collection V8 lets the old generation grow to about
 * four times what survived before it collects again (the growing factor of a large heap in
 * V8's `heap-controller.cc`), so a run long enough to reach that limit peaked ~100 MB above a
 * short run over the same ~27 MB of live data (measured with `--trace-gc`: the heap left
 * after each full collection stayed at 26–28 MB over 10 simulated minutes). A factor of 2,
 * V8's own choice for a memory-constrained heap, bounds that: the realistic bench scenario's
 * 10-minute run peaked 1.16× its 1-minute run instead of 1.35×, at no GC time measurable
 * over the noise (the extra full collections take ~10 ms each, a few per simulated minute).
 *
 * Allocation-site pretenuring is left on, though it makes short runs' peaks a coin toss of
 * timing (a 10 s ad-hoc run peaked at 175 or 290 MB: V8 tenured an object literal whose
 * objects wait out a retry backoff, and they then die in the old generation): turned off, the
 * scavenges copied those objects instead and the run spent 2.6× the GC time (8 % of its CPU).
 * With the growing factor above, that old-generation garbage is collected before it piles up.
 *
 * A flag given on the command line (`node --heap-growing-percent=300 …`) or in NODE_OPTIONS is
 * left as the user set it.
 */
import { setFlagsFromString } from 'node:v8'

/** The V8 flags of the policy, each with the name a user would give to override it. */
const POLICY: readonly { readonly name: string; readonly flag: string }[] = [
  { name: 'heap-growing-percent', flag: '--heap-growing-percent=100' },
]

/** The policy's flags that neither `execArgv` nor `nodeOptions` already set (V8 reads `-` and `_` alike). */
export function heapPolicyFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((a) => a.replaceAll('_', '-'))
  const set = (name: string) => given.some((a) => a === `--${name}` || a.startsWith(`--${name}=`))
  return POLICY.filter(({ name }) => !set(name)).map(({ flag }) => flag)
}

/**
 * Sets the policy's flags on this process (its worker threads share them). Call it first
 * thing: V8 reads the growing factor at each full collection, so it acts from the next one on.
 */
export function applyHeapPolicy(execArgv = process.execArgv, nodeOptions = process.env['NODE_OPTIONS']): void {
  for (const flag of heapPolicyFlags(execArgv, nodeOptions)) setFlagsFromString(flag)
}
