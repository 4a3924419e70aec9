/**
 * The real `bin/kms-bench.mjs serve` as a child process, for end-to-end tests: started on a
 * free loopback port (`--port 0`), ready once it prints `listening on URL`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/kms-bench.mjs', import.meta.url))

/** A running `kms-bench serve` child. */
export interface ServeChild {
  readonly url: string
  readonly pid: number
  readonly child: ChildProcess
  /** Everything written to stderr so far. */
  stderr(): string
  /** Sends `signal` and resolves with the exit code (or the signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>
}

/** Starts `kms-bench serve --port 0 ...args` and waits until it listens (rejects if it exits first). */
export function startServeChild(
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<ServeChild> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  )
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`kms-bench serve did not start within ${options.timeoutMs ?? 30_000} ms: ${err}`))
    }, options.timeoutMs ?? 30_000)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`kms-bench serve exited (${code}) before listening: ${err}`))
    })
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m === null) return
      clearTimeout(timer)
      resolve({
        url: m[1] as string,
        pid: child.pid as number,
        child,
        stderr: () => err,
        stop: (signal = 'SIGTERM') => {
          child.kill(signal)
          return exited
        },
      })
    })
  })
}

/** One awsJson1_1 call with fetch, without the SDK (for tests that must see the raw answer). */
export async function kmsCall(
  url: string,
  target: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${target}`, ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}
