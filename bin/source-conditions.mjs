// Module resolution hook for running kms-bench from its own repository checkout (no build):
// adds the `kms-bench-source` export condition, so `import ... from 'kms-bench'` (in the
// repository's scenarios, or a user's scenario run by the checkout's CLI) resolves to
// src/index.ts instead of the compiled dist/index.js that only `npm pack` builds.
// Registered by bin/kms-bench.mjs and the worker-thread entry, only in a checkout.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('kms-bench-source')
    ? context.conditions
    : [...context.conditions, 'kms-bench-source']
  return nextResolve(specifier, { ...context, conditions })
}
