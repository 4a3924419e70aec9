#!/usr/bin/env node
// The kms-bench command.
//
// Installed from npm, it runs the compiled JavaScript in dist/. In the repository checkout
// (src/ present, no build step: `npx kms-bench` right after `npm ci`), it runs the TypeScript
// sources: bundled into one cached module (src/cli/checkout-bundle.ts; start-up 1.6 → 0.6 s),
// or through tsx when no bundle can be made or KMS_BENCH_NO_BUNDLE=1.
//
// The command's own modules load before tsx's hooks are in place (every import through the
// hooks costs a round trip to their thread: 0.8 s for the bundle's packages); tsx is
// registered afterwards, for the users' TypeScript scenario files, and `kms-bench` imports in
// them resolve to the bundle, else to src/index.ts (bin/source-conditions.mjs).
import { existsSync } from 'node:fs'
import { register as registerHooks } from 'node:module'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

/** The CLI module of a checkout: its bundle, else its sources through tsx. */
async function checkoutCli() {
  const unregister = register()
  let bundle
  if (process.env.KMS_BENCH_NO_BUNDLE !== '1') {
    const { checkoutBundle } = await import('../src/cli/checkout-bundle.ts')
    bundle = await checkoutBundle({ root: fileURLToPath(new URL('..', import.meta.url)) })
  }
  if (bundle === undefined) {
    registerHooks('./source-conditions.mjs', import.meta.url)
    return import('../src/cli/bin.ts')
  }
  await unregister()
  const cli = await import(bundle)
  register()
  registerHooks('./source-conditions.mjs', { parentURL: import.meta.url, data: { index: bundle } })
  return cli
}

if (existsSync(new URL('../src/cli/bin.ts', import.meta.url))) (await checkoutCli()).runCli()
else {
  const cli = await import('../dist/cli/bin.js')
  register()
  cli.runCli()
}
