/** Small helpers every layer may use (the lowest layer: it imports nothing of the project). */
export { at, IndexRangeError } from './at.ts'
export { splitCsvLine } from './csv.ts'
export { fsReason } from './fs-reason.ts'
export { bundleModules, esbuildOf, type BundleInput } from './esm-bundle.ts'
