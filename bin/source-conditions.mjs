// Module resolution hook for running kms-bench from its own repository checkout (no build):
// adds the `kms-bench-source` export condition, so `import ... from 'kms-bench'` (in the
// repository's scenarios, or a user's scenario run by the checkout's CLI) resolves to
// src/index.ts instead of the compiled dist/index.js that only `npm pack` builds. When the
// command runs from its bundle (src/cli/checkout-bundle.ts), `kms-bench` is the bundle itself,
// which exports what src/index.ts does: the scenario then shares the command's modules.
// Registered by bin/kms-bench.mjs and the worker-thread entry, only in a checkout.
let index

export function initialize(data) {
  index = data?.index
}

export async function resolve(specifier, context, nextResolve) {
  if (index !== undefined && specifier === 'kms-bench') return { url: index, shortCircuit: true }
  const conditions = context.conditions.includes('kms-bench-source')
    ? context.conditions
    : [...context.conditions, 'kms-bench-source']
  return nextResolve(specifier, { ...context, conditions })
}
