/**
 * Process entry of the `kms-bench` binary: wires the real process into {@link main}.
 * Unexpected errors are bugs: printed with their stack, exit 70 (EX_SOFTWARE).
 */
import { applyHeapPolicy } from './heap-policy.ts'
import { main } from './main.ts'

/**
 * Runs the command on this process's arguments and streams (bin/kms-bench.mjs calls it once
 * its module hooks are in place, so that a scenario file can be loaded).
 */
export function runCli(): void {
  applyHeapPolicy()
  // A closed pipe (`kms-bench ... | head`) is not an error: stop writing and exit quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
      throw e
    })
  }
  const controller = new AbortController()
  let interrupts = 0
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      interrupts++
      if (interrupts > 1) process.exit(130)
      controller.abort(new Error(`received ${sig}`))
    })
  }
  const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }
  main(process.argv.slice(2), { ...io, signal: controller.signal }).then(
    (code) => {
      process.exitCode = code
    },
    (e: unknown) => {
      process.stderr.write(
        `kms-bench: internal error (a bug, please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      )
      process.exitCode = 70
    },
  )
}
