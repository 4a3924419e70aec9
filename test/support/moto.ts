/**
 * moto's server mode (`python3 -m moto.server`), a real foreign KMS endpoint, for tests that
 * compare client-facing behaviour and benchmarks that compare speed. Started on a free
 * loopback port, waited for, and stopped afterwards. Tests skip with a clear message only
 * where python3 or moto is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

/** A running moto server. */
export interface MotoServer {
  readonly url: string
  readonly port: number
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>
}

let availability: string | undefined | null = null

/**
 * `undefined` when `python3 -m moto.server` can run here; otherwise the reason it cannot,
 * worded for a skip message.
 */
export function motoUnavailableReason(): string | undefined {
  if (availability !== null) return availability
  const r = spawnSync('python3', ['-c', 'import moto.server, boto3, flask'], { encoding: 'utf8', timeout: 60_000 })
  if (r.error !== undefined) availability = `python3 is not available (${r.error.message}): moto comparison skipped`
  else if (r.status !== 0)
    availability = `python3 cannot import moto's server (pip install 'moto[server]' boto3): ${r.stderr.trim().split('\n').pop() ?? ''}`
  else availability = undefined
  return availability
}

/** True when python3 and boto3 can run (for boto3 and AWS CLI tests). */
export function pythonUnavailableReason(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import boto3'], { encoding: 'utf8', timeout: 60_000 })
  if (r.error !== undefined) return `python3 is not available (${r.error.message})`
  if (r.status !== 0) return `python3 cannot import boto3: ${r.stderr.trim().split('\n').pop() ?? ''}`
  return undefined
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      s.close(() => resolve(port))
    })
  })
}

/** Starts moto's server on a free loopback port and waits until it answers (up to `timeoutMs`). */
export async function startMoto(timeoutMs = 30_000): Promise<MotoServer> {
  const reason = motoUnavailableReason()
  if (reason !== undefined) throw new Error(reason)
  const port = await freePort()
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_DEFAULT_REGION: 'us-east-1',
    },
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  let exited = false
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true
      resolve()
    }),
  )
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (exited) throw new Error(`moto server exited during start-up: ${stderr}`)
    try {
      const res = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(2000) })
      await res.arrayBuffer()
      if (res.ok) break
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`moto server did not answer within ${timeoutMs} ms: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  return {
    url,
    port,
    async stop() {
      if (exited) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exit
      clearTimeout(timer)
    },
  }
}
