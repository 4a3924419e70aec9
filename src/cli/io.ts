/**
 * The CLI's view of the process: output streams, environment and working directory,
 * injected so commands can be tested in-process.
 */

/** Something text can be written to. */
export interface TextSink {
  write(text: string): unknown
  /** True when the sink is an interactive terminal (progress lines are drawn only then). */
  readonly isTTY?: boolean
}

/** What a command may touch of the process. */
export interface CliIo {
  readonly stdout: TextSink
  readonly stderr: TextSink
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly when it fires. */
  readonly signal: AbortSignal
}

/** A CLI command. */
export interface Command {
  readonly name: string
  /** One line for `kms-bench --help`. */
  readonly summary: string
  /** Full usage text for `kms-bench <name> --help`: it lists every flag of {@link options}. */
  readonly usage: string
  /** The flags the command accepts (`node:util` `parseArgs` definitions; `--help` is `main`'s). */
  readonly options: Readonly<
    Record<string, { readonly type: 'string' | 'boolean'; readonly multiple?: boolean; readonly short?: string }>
  >
  /** Runs the command; resolves to the exit code. Throws CliError for usage problems. */
  run(argv: readonly string[], io: CliIo): Promise<number>
}
