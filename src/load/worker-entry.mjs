// Bootstrap of a kms-bench worker thread. Worker threads do not inherit the tsx loader the
// main thread registered, so this plain-JavaScript entry registers it, then imports the
// TypeScript module named in workerData and calls its named export with the payload.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const mod = await import(workerData.module)
await mod[workerData.export](workerData.payload)
