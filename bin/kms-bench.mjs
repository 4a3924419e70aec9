#!/usr/bin/env node
// The kms-bench command.
//
// Installed from npm, it runs the compiled JavaScript in dist/; tsx is registered only so that
// users' TypeScript scenario files can be loaded. In the repository checkout (src/ present, no
// build step: `npx kms-bench` right after `npm ci`), it runs the TypeScript sources through tsx
// and resolves `kms-bench` imports to src/index.ts (bin/source-conditions.mjs).
import { existsSync } from 'node:fs'
import { register as registerHooks } from 'node:module'
import { register } from 'tsx/esm/api'

const checkout = existsSync(new URL('../src/cli/bin.ts', import.meta.url))
if (checkout) registerHooks('./source-conditions.mjs', import.meta.url)
register()
await import(checkout ? '../src/cli/bin.ts' : '../dist/cli/bin.js')
