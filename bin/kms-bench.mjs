#!/usr/bin/env node
// The kms-bench command. Runs the TypeScript sources through tsx, so `npx kms-bench`
// works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/bin.ts')
