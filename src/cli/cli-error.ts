/**
 * Errors the CLI turns into exit codes (DESIGN.md: 0 success; 1 a threshold or gate
 * failed; 2 bad usage or bad input, with a message that names the problem).
 */

/** Exit code for a failed threshold or gate. */
export const EXIT_GATE_FAILED = 1
/** Exit code for bad usage or bad input. */
export const EXIT_USAGE = 2
/** Exit code after SIGINT (128 + 2). */
export const EXIT_INTERRUPTED = 130

/** An error with an exit code and an optional hint, printed without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError'
  readonly exitCode: number
  readonly hint: string | undefined

  constructor(message: string, exitCode: number = EXIT_USAGE, hint?: string) {
    super(message)
    this.exitCode = exitCode
    this.hint = hint
  }
}

/** A bad-usage error (exit 2). */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, EXIT_USAGE, hint)
}
