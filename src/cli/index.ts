/**
 * The CLI's front door for what runs above it (bench/): the command dispatcher and the run
 * output writers. The program's own entry is `bin.ts`.
 */
export { main } from './main.ts'
export { writeRunOutputs } from './output.ts'
export { packageVersions } from './scenario-input.ts'
