// Bootstrap of a kms-bench worker thread. Worker threads do not inherit the tsx loader (nor the
// checkout's resolution hook) the main thread registered, so this plain-JavaScript entry
// registers them, then imports the module named in workerData (TypeScript in the repository
// checkout, compiled JavaScript in the installed package) and calls its named export. A
// bundle (workerData.bundled: worker-bundle.ts) is plain JavaScript that imports packages by
// path: it needs neither, and loads without a hooks thread.
import { existsSync } from 'node:fs'
import { register as registerHooks } from 'node:module'
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

// In the checkout this file sits in src/load/; bin/source-conditions.mjs maps `kms-bench` to src/index.ts.
const hook = new URL('../../bin/source-conditions.mjs', import.meta.url)
if (workerData.bundled !== true) {
  if (workerData.module.endsWith('.ts') && existsSync(hook)) registerHooks(hook)
  register()
}
const mod = await import(workerData.module)
await mod[workerData.export](workerData.payload)
