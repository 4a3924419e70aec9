/**
 * `npx tsx bench/serve.bench.ts`: Encrypt through the KMS endpoint (`kms-bench serve`, the
 * real CLI in a child process), reported as ratios against references measured in the same run:
 *
 * 1. autocannon against our endpoint and against a bare node:http server (also a child
 *    process) that reads and parses the same request and answers the same JSON: the cost of
 *    the codec, quota gate, crypto and access checks over plain node:http (goal ≥ 0.5).
 *    The two are measured in alternating rounds and compared by their medians, so that load
 *    from other processes on the machine hits both alike.
 * 2. Our endpoint vs moto's server (`python3 -m moto.server`), both driven by the same small
 *    raw-socket HTTP/1.1 client below: it keeps a connection alive when the server allows it
 *    and reconnects when the server closes it (moto's development server answers every request
 *    with `Connection: close`, on which autocannon stalls): goal ≥ 50×. Skipped, saying why,
 *    when python3/moto is missing.
 *
 * Options (env): SERVE_BENCH_SECONDS per round (default 3), SERVE_BENCH_ROUNDS (default 3),
 * SERVE_BENCH_CONNECTIONS (default 16).
 * Writes reports/bench/serve.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { connect, type Socket } from 'node:net'
import { join, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { motoUnavailableReason, startMoto } from '../test/support/moto.ts'

const SECONDS_DEFAULT = Number(process.env['SERVE_BENCH_SECONDS'] ?? 3)
const ROUNDS_DEFAULT = Number(process.env['SERVE_BENCH_ROUNDS'] ?? 3)
const CONNECTIONS_DEFAULT = Number(process.env['SERVE_BENCH_CONNECTIONS'] ?? 16)
const BIN = fileURLToPath(new URL('../bin/kms-bench.mjs', import.meta.url))
const HEADERS = {
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'TrentService.Encrypt',
  authorization:
    'AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
    '0'.repeat(64),
}

interface Child {
  url: string
  stop(): Promise<void>
}

/** Starts a child that prints `listening on URL`, and resolves with the URL. */
function startChild(args: string[]): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m !== null) {
        resolve({
          url: m[1] as string,
          stop: () =>
            new Promise<void>((r) => {
              child.once('exit', () => r())
              child.kill('SIGTERM')
            }),
        })
      }
    })
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before listening: ${err}`)))
  })
}

const BARE_SERVER = `
const http = require('node:http')
const body = Buffer.from(process.env.BARE_BODY)
const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'))
    res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': body.length, 'x-amzn-RequestId': require('node:crypto').randomUUID() })
    res.end(body)
  })
})
server.keepAliveTimeout = 65000
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port))
process.on('SIGTERM', () => server.close(() => process.exit(0)) && server.closeAllConnections())
`

async function call(url: string, target: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/`, {
    method: 'POST',
    headers: { ...HEADERS, 'x-amz-target': `TrentService.${target}` },
    body: JSON.stringify(body),
  })
  return { status: res.status, text: await res.text() }
}

async function encryptBody(url: string): Promise<string> {
  const created = await call(url, 'CreateKey', {})
  if (created.status !== 200) throw new Error(`CreateKey failed on ${url}: ${created.text}`)
  const keyId = (JSON.parse(created.text) as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId
  return JSON.stringify({
    KeyId: keyId,
    Plaintext: Buffer.alloc(32, 7).toString('base64'),
    EncryptionContext: { tenant: 'bench' },
  })
}

async function cannon(
  url: string,
  body: string,
  seconds: number,
  connections = CONNECTIONS_DEFAULT,
): Promise<{ rps: number; errors: number; non2xx: number; p99: number }> {
  const r = await autocannon({ url: `${url}/`, method: 'POST', headers: HEADERS, body, connections, duration: seconds })
  return { rps: r.requests.average, errors: r.errors, non2xx: r.non2xx, p99: r.latency.p99 }
}

/** True when the `wrk` load generator is installed. */
function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined
}

/**
 * Requests/s of `wrk` (2 threads, `connections` connections) POSTing Encrypt with `body`:
 * the load the issue's figures name (wrk, 32 connections). wrk reconnects when a server
 * closes the connection (moto), so one client serves every server.
 */
async function wrkRps(
  url: string,
  body: string,
  seconds: number,
  connections: number,
): Promise<{ rps: number; errors: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'kms-bench-wrk-'))
  const script = join(dir, 'post.lua')
  const headerLines = Object.entries(HEADERS)
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n')
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\n${headerLines}\n`)
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '-s', script, `${url}/`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let text = ''
      child.stdout?.on('data', (d: Buffer) => (text += d.toString()))
      child.once('error', reject)
      child.once('exit', () => resolve(text))
    })
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN)
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
    return { rps, errors: non2xx }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/**
 * A minimal HTTP/1.1 client on raw sockets: `concurrency` loops of request → full response
 * for `seconds`, reusing the connection unless the server closes it. Its per-request cost is
 * far below node:http's, so the server, not the client, sets the pace.
 */
async function rawClient(
  url: string,
  body: string,
  seconds: number,
  concurrency: number,
): Promise<{ rps: number; ok: number; failed: number; connections: number }> {
  const target = new URL(url)
  const port = Number(target.port)
  const payload = Buffer.from(body)
  const head = Object.entries(HEADERS)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')
  const requestBytes = Buffer.concat([
    Buffer.from(`POST / HTTP/1.1\r\nhost: ${target.host}\r\n${head}content-length: ${payload.length}\r\n\r\n`),
    payload,
  ])
  let ok = 0
  let failed = 0
  let connections = 0
  const t0 = performance.now()
  const deadline = t0 + seconds * 1000

  interface Conn {
    socket: Socket
    buffered: Buffer
    closed: boolean
    waiter: (() => void) | undefined
  }
  const open = (): Promise<Conn> =>
    new Promise((resolve, reject) => {
      const c: Conn = {
        socket: connect(port, target.hostname, () => resolve(c)),
        buffered: Buffer.alloc(0),
        closed: false,
        waiter: undefined,
      }
      connections++
      c.socket.setNoDelay(true)
      c.socket.on('data', (d: Buffer) => {
        c.buffered = c.buffered.length === 0 ? d : Buffer.concat([c.buffered, d])
        c.waiter?.()
      })
      c.socket.on('close', () => {
        c.closed = true
        c.waiter?.()
      })
      c.socket.on('error', reject)
    })

  async function loop(): Promise<void> {
    let conn: Conn | undefined
    while (performance.now() < deadline) {
      try {
        conn ??= await open()
        const c = conn
        c.socket.write(requestBytes)
        // Read one response: headers, then Content-Length bytes of body.
        let status = 0
        let total = -1
        let close = false
        for (;;) {
          if (total < 0) {
            const end = c.buffered.indexOf('\r\n\r\n')
            if (end >= 0) {
              const headers = c.buffered.subarray(0, end).toString('latin1')
              status = Number(headers.slice(9, 12))
              const m = /\r\ncontent-length:\s*(\d+)/i.exec(headers)
              close = /\r\nconnection:\s*close/i.test(headers)
              total = end + 4 + Number(m?.[1] ?? 0)
            }
          }
          if (total >= 0 && c.buffered.length >= total) break
          if (c.closed) throw new Error('connection closed mid-response')
          await new Promise<void>((r) => (c.waiter = r))
          c.waiter = undefined
        }
        c.buffered = c.buffered.subarray(total)
        if (status === 200) ok++
        else failed++
        if (close) {
          c.socket.destroy()
          conn = undefined
        }
      } catch {
        failed++
        conn?.socket.destroy()
        conn = undefined
      }
    }
    conn?.socket.destroy()
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  return { rps: ok / ((performance.now() - t0) / 1000), ok, failed, connections }
}

/** Options of {@link measureServe}. */
export interface ServeBenchOptions {
  /** seconds per round. @default SERVE_BENCH_SECONDS or 3 */
  seconds?: number
  /** alternating rounds of each server. @default SERVE_BENCH_ROUNDS or 3 */
  rounds?: number
  /** autocannon connections. @default SERVE_BENCH_CONNECTIONS or 16 */
  connections?: number
  /** also compare with moto's server when python3/moto is installed. @default true */
  moto?: boolean
  /** prints the tables and ratios. @default true */
  verbose?: boolean
}

/** Measures `kms-bench serve` against a bare node:http server (and moto's server); returns the figures. */
export async function measureServe(options: ServeBenchOptions = {}): Promise<Record<string, unknown>> {
  const SECONDS = options.seconds ?? SECONDS_DEFAULT
  const ROUNDS = options.rounds ?? ROUNDS_DEFAULT
  const CONNECTIONS = options.connections ?? CONNECTIONS_DEFAULT
  const console =
    options.verbose === false
      ? { log: (..._: unknown[]): void => undefined, table: (..._: unknown[]): void => undefined }
      : globalThis.console
  const figures: Record<string, unknown> = { seconds: SECONDS, connections: CONNECTIONS, node: process.version }

  const ours = await startChild([BIN, 'serve', '--port', '0'])
  const bareBodyProbe = await encryptBody(ours.url)
  const sample = await call(ours.url, 'Encrypt', JSON.parse(bareBodyProbe))
  process.env['BARE_BODY'] = sample.text
  const bare = await startChild(['-e', BARE_SERVER])
  try {
    const body = bareBodyProbe
    // Warm-up (JIT, connections), then alternating rounds.
    await cannon(ours.url, body, 1, CONNECTIONS)
    await cannon(bare.url, body, 1, CONNECTIONS)
    const oursRounds: Awaited<ReturnType<typeof cannon>>[] = []
    const bareRounds: Awaited<ReturnType<typeof cannon>>[] = []
    for (let i = 0; i < ROUNDS; i++) {
      oursRounds.push(await cannon(ours.url, body, SECONDS, CONNECTIONS))
      bareRounds.push(await cannon(bare.url, body, SECONDS, CONNECTIONS))
    }
    const oursRps = median(oursRounds.map((r) => r.rps))
    const bareRps = median(bareRounds.map((r) => r.rps))
    const ratio = oursRps / bareRps
    figures['autocannon'] = {
      ours: oursRounds,
      bareNodeHttp: bareRounds,
      medianRps: { ours: oursRps, bareNodeHttp: bareRps },
      ratioToBareNodeHttp: Number(ratio.toFixed(3)),
      goal: 0.5,
    }
    console.log(`Encrypt via autocannon (${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s):`)
    console.table(
      Object.fromEntries(
        oursRounds.flatMap((o, i) => [
          [`kms-bench serve #${i + 1}`, o],
          [`bare node:http #${i + 1}`, bareRounds[i]],
        ]),
      ),
    )
    const non2xx = oursRounds.reduce((n, r) => n + r.non2xx, 0)
    console.log(
      `ratio kms-bench / bare node:http = ${ratio.toFixed(3)} (medians ${Math.round(oursRps)} / ${Math.round(bareRps)} req/s; goal >= 0.5)${non2xx > 0 ? `; ${non2xx} non-2xx answers` : ''}`,
    )

    if (hasWrk()) {
      // The issue 17 figure: wrk with 32 connections, ours / bare node:http, alternating rounds.
      await wrkRps(ours.url, body, 1, 32)
      await wrkRps(bare.url, body, 1, 32)
      const wo: number[] = []
      const wb: number[] = []
      for (let i = 0; i < ROUNDS; i++) {
        wo.push((await wrkRps(ours.url, body, SECONDS, 32)).rps)
        wb.push((await wrkRps(bare.url, body, SECONDS, 32)).rps)
      }
      const wratio = median(wo) / median(wb)
      figures['wrk'] = {
        ours: wo,
        bareNodeHttp: wb,
        ratioToBareNodeHttp: Number(wratio.toFixed(3)),
        connections: 32,
        goal: 0.7,
      }
      console.log(
        `Encrypt via wrk (32 connections): ratio kms-bench / bare node:http = ${wratio.toFixed(3)} (medians ${Math.round(median(wo))} / ${Math.round(median(wb))} req/s; goal >= 0.7)`,
      )
    } else figures['wrk'] = { skipped: 'wrk is not installed' }

    const reason = options.moto === false ? 'not requested' : motoUnavailableReason()
    if (reason !== undefined) {
      console.log(`moto comparison skipped: ${reason}`)
      figures['moto'] = { skipped: reason }
    } else {
      const moto = await startMoto()
      try {
        const motoBody = await encryptBody(moto.url)
        const concurrency = 8
        // Warm both up, then measure with the same client and settings, alternating.
        await rawClient(moto.url, motoBody, 1, concurrency)
        await rawClient(ours.url, body, 1, concurrency)
        const m: Awaited<ReturnType<typeof rawClient>>[] = []
        const o: Awaited<ReturnType<typeof rawClient>>[] = []
        for (let i = 0; i < ROUNDS; i++) {
          m.push(await rawClient(moto.url, motoBody, SECONDS, concurrency))
          o.push(await rawClient(ours.url, body, SECONDS, concurrency))
        }
        const motoRps = median(m.map((r) => r.rps))
        const oursVsRps = median(o.map((r) => r.rps))
        const vsMoto = oursVsRps / motoRps
        figures['moto'] = {
          ours: o,
          moto: m,
          medianRps: { ours: oursVsRps, moto: motoRps },
          ratioToMoto: Number(vsMoto.toFixed(1)),
          goal: 50,
          client: `raw-socket HTTP/1.1, ${concurrency} concurrent loops, keep-alive unless the server closes`,
        }
        console.log(
          `Encrypt via a raw keep-alive client (${concurrency} concurrent, ${ROUNDS} alternating rounds of ${SECONDS} s):`,
        )
        console.table(
          Object.fromEntries(
            o.flatMap((x, i) => [
              [`kms-bench serve #${i + 1}`, x],
              [`moto server #${i + 1}`, m[i]],
            ]),
          ),
        )
        console.log(
          `ratio kms-bench / moto = ${vsMoto.toFixed(1)}x (medians ${Math.round(oursVsRps)} / ${Math.round(motoRps)} req/s; goal >= 50x)`,
        )
      } finally {
        await moto.stop()
      }
    }
  } finally {
    await Promise.all([ours.stop(), bare.stop()])
  }
  return figures
}

// Standalone run (`npx tsx bench/serve.bench.ts`); `bench/main.ts` imports measureServe.
if (process.argv[1] !== undefined && resolvePath(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await measureServe()
  mkdirSync('reports/bench', { recursive: true })
  writeFileSync('reports/bench/serve.json.tmp', JSON.stringify(figures, null, 2))
  renameSync('reports/bench/serve.json.tmp', 'reports/bench/serve.json')
}
