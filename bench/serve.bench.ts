/**
 * `npx tsx bench/serve.bench.ts`: Encrypt of 32 B through the KMS endpoint (`kms-bench serve`,
 * the real CLI in a child process), reported as ratios against references measured in the same
 * run, in alternating rounds compared by their medians (load from other processes on the
 * machine then hits every server alike):
 *
 * 1. **wrk** (`wrk -t2 -c32`, the load issue 17 names), when installed: our endpoint against a
 *    bare node:http server (a child process too) that reads the body, parses the same JSON and
 *    answers a fixed Encrypt response: the cost of the codec, quota gate, crypto and access
 *    checks over plain node:http (goal >= 0.7).
 *    The same alternation then serves other workloads, each a ratio to the bare server answering
 *    that workload's own response: Decrypt of a real ciphertext, and Encrypt under a key id that
 *    does not exist (the error path, a 400 NotFoundException).
 * 2. **moto** (`python3 -m moto.server`) under the same wrk load, in the same alternation:
 *    our endpoint / moto (goal >= 100x), and the bare node:http server / moto, the most any
 *    node:http server could reach against moto on this machine and load. moto's development
 *    server answers every request with `Connection: close`; wrk reconnects, so moto's figure
 *    includes a TCP connection per request, as every client of moto pays it. wrk's non-2xx
 *    answers and socket errors are reported per round. Skipped, saying why, without
 *    python3/moto or wrk.
 * 3. **autocannon** (16 connections, a client in this process): our endpoint / the bare server
 *    (goal >= 0.5), measured whether or not wrk is installed.
 *
 * Options (env): SERVE_BENCH_SECONDS per round (default 3), SERVE_BENCH_ROUNDS (default 3),
 * SERVE_BENCH_CONNECTIONS (autocannon's, default 16).
 * Writes reports/bench/serve.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { motoUnavailableReason, startMoto } from '../test/support/moto.ts'

const SECONDS_DEFAULT = Number(process.env['SERVE_BENCH_SECONDS'] ?? 3)
const ROUNDS_DEFAULT = Number(process.env['SERVE_BENCH_ROUNDS'] ?? 3)
const CONNECTIONS_DEFAULT = Number(process.env['SERVE_BENCH_CONNECTIONS'] ?? 16)
/** wrk's connections: the load of issue 17's figures. */
const WRK_CONNECTIONS = 32
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
  /** the child's process id (for its CPU time) */
  pid: number | undefined
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
          pid: child.pid,
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

/**
 * The bare server answers every request with the Encrypt response, or with the status and body
 * of the workload its `x-bench-case` header names (BARE_CASES); both servers get the same requests.
 */
const BARE_SERVER = `
const http = require('node:http')
const body = Buffer.from(process.env.BARE_BODY)
const cases = JSON.parse(process.env.BARE_CASES || '{}')
for (const k in cases) cases[k] = { status: cases[k][0], body: Buffer.from(cases[k][1]) }
const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'))
    const c = cases[req.headers['x-bench-case']]
    const answer = c === undefined ? body : c.body
    res.writeHead(c === undefined ? 200 : c.status, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': answer.length, 'x-amzn-RequestId': require('node:crypto').randomUUID() })
    res.end(answer)
  })
})
server.keepAliveTimeout = 65000
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port))
process.on('SIGTERM', () => server.close(() => process.exit(0)) && server.closeAllConnections())
`

/** A workload of the wrk comparison beside Encrypt: its body and target, and its `x-bench-case`. */
interface Workload {
  readonly name: string
  readonly target: string
  readonly body: string
}

/** Decrypt of a ciphertext Encrypt made, and Encrypt under a key id that does not exist. */
async function otherWorkloads(url: string, encrypt: string): Promise<Workload[]> {
  const input = JSON.parse(encrypt) as { Plaintext: string; EncryptionContext: Record<string, string> }
  const sealed = await call(url, 'Encrypt', input)
  const blob = (JSON.parse(sealed.text) as { CiphertextBlob: string }).CiphertextBlob
  return [
    {
      name: 'decrypt',
      target: 'Decrypt',
      body: JSON.stringify({ CiphertextBlob: blob, EncryptionContext: input.EncryptionContext }),
    },
    {
      name: 'unknown-key',
      target: 'Encrypt',
      body: JSON.stringify({ KeyId: '00000000-0000-4000-8000-000000000000', Plaintext: input.Plaintext }),
    },
  ]
}

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
 * CPU time (user + system) a process has used so far, in µs, from /proc (Linux); undefined
 * elsewhere. Under other load, a server's CPU time per request moves less than its req/s.
 */
function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {
    return undefined
  }
}

/** What one wrk round counted. */
interface WrkRound {
  /** completed responses per second, any status (wrk's `Requests/sec`) */
  readonly rps: number
  /** the server's CPU time per completed response, µs (when its process id is known, on Linux) */
  readonly cpuMicrosPerRequest: number | undefined
  /** responses with a status other than 2xx or 3xx */
  readonly non2xx: number
  /** connect, read, write and timeout errors wrk reports */
  readonly socketErrors: number
}

/**
 * One round of `wrk` (2 threads, `connections` connections) POSTing Encrypt with `body` to
 * `url`: the load issue 17 names. wrk reconnects when a server closes the connection (moto), so
 * one client serves every server.
 */
async function wrkRound(
  url: string,
  body: string,
  seconds: number,
  connections: number,
  pid?: number,
  headers: Record<string, string> = HEADERS,
): Promise<WrkRound> {
  const dir = mkdtempSync(join(tmpdir(), 'kms-bench-wrk-'))
  const script = join(dir, 'post.lua')
  const headerLines = Object.entries(headers)
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n')
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\n${headerLines}\n`)
  const cpu0 = cpuMicros(pid)
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
    const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
    const socketErrors = errors === null ? 0 : errors.slice(1).reduce((n, x) => n + Number(x), 0)
    const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN)
    const cpu1 = cpuMicros(pid)
    const cpuMicrosPerRequest =
      cpu0 !== undefined && cpu1 !== undefined && requests > 0
        ? Number(((cpu1 - cpu0) / requests).toFixed(1))
        : undefined
    return { rps, cpuMicrosPerRequest, non2xx, socketErrors }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** Options of {@link measureServe}. */
export interface ServeBenchOptions {
  /** seconds per round. @default SERVE_BENCH_SECONDS or 3 */
  seconds?: number
  /** alternating rounds of each server. @default SERVE_BENCH_ROUNDS or 3 */
  rounds?: number
  /** autocannon connections. @default SERVE_BENCH_CONNECTIONS or 16 */
  connections?: number
  /** also compare with moto's server (under wrk) when python3/moto and wrk are installed. @default true */
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
  const workloads = await otherWorkloads(ours.url, bareBodyProbe)
  const answers: Record<string, [number, string]> = {}
  for (const w of workloads) {
    const a = await call(ours.url, w.target, JSON.parse(w.body))
    answers[w.name] = [a.status, a.text]
  }
  process.env['BARE_CASES'] = JSON.stringify(answers)
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

    if (!hasWrk()) {
      figures['wrk'] = { skipped: 'wrk is not installed' }
      figures['moto'] = { skipped: 'wrk is not installed (the moto comparison runs under wrk)' }
      console.log('wrk and moto comparisons skipped: wrk is not installed')
    } else {
      const reason = options.moto === false ? 'not requested' : motoUnavailableReason()
      const moto = reason === undefined ? await startMoto() : undefined
      try {
        // The issue 17 load: wrk, 2 threads, 32 connections; every server in each round, alternating.
        const servers = [
          { name: 'kms-bench serve', url: ours.url, pid: ours.pid, body, rounds: [] as WrkRound[] },
          { name: 'bare node:http', url: bare.url, pid: bare.pid, body, rounds: [] as WrkRound[] },
          ...(moto !== undefined
            ? [
                {
                  name: 'moto server',
                  url: moto.url,
                  pid: undefined,
                  body: await encryptBody(moto.url),
                  rounds: [] as WrkRound[],
                },
              ]
            : []),
        ]
        for (const s of servers) await wrkRound(s.url, s.body, 1, WRK_CONNECTIONS)
        for (let i = 0; i < ROUNDS; i++)
          for (const s of servers) s.rounds.push(await wrkRound(s.url, s.body, SECONDS, WRK_CONNECTIONS, s.pid))
        const [o, b, m] = servers.map((s) => median(s.rounds.map((r) => r.rps)))
        const wratio = (o as number) / (b as number)
        // CPU time per request, bare / ours: how the two compare with the other load taken out.
        const cpu = servers.slice(0, 2).map((s) => s.rounds.map((r) => r.cpuMicrosPerRequest))
        const cpuKnown = cpu.every((xs) => xs.every((x) => x !== undefined))
        const cpuRatio = cpuKnown ? median(cpu[1] as number[]) / median(cpu[0] as number[]) : undefined
        figures['wrk'] = {
          client: `wrk -t2 -c${WRK_CONNECTIONS}`,
          ours: servers[0]?.rounds,
          bareNodeHttp: servers[1]?.rounds,
          medianRps: { ours: o, bareNodeHttp: b },
          ratioToBareNodeHttp: Number(wratio.toFixed(3)),
          ...(cpuRatio !== undefined ? { cpuPerRequestBareOverOurs: Number(cpuRatio.toFixed(3)) } : {}),
          connections: WRK_CONNECTIONS,
          goal: 0.7,
        }
        // The other workloads, ours and the bare server alternating, the same requests to both.
        const others: Record<string, { ratioToBareNodeHttp: number; cpuPerRequestBareOverOurs?: number }> = {}
        for (const w of workloads) {
          const headers = { ...HEADERS, 'x-amz-target': `TrentService.${w.target}`, 'x-bench-case': w.name }
          const pair = [
            { url: ours.url, pid: ours.pid, rounds: [] as WrkRound[] },
            { url: bare.url, pid: bare.pid, rounds: [] as WrkRound[] },
          ]
          for (const s of pair) await wrkRound(s.url, w.body, 1, WRK_CONNECTIONS, undefined, headers)
          for (let i = 0; i < ROUNDS; i++)
            for (const s of pair) s.rounds.push(await wrkRound(s.url, w.body, SECONDS, WRK_CONNECTIONS, s.pid, headers))
          const [wo, wb] = pair.map((s) => median(s.rounds.map((r) => r.rps)))
          const wcpu = pair.map((s) => s.rounds.map((r) => r.cpuMicrosPerRequest))
          others[w.name] = {
            ratioToBareNodeHttp: Number(((wo as number) / (wb as number)).toFixed(3)),
            ...(wcpu.every((xs) => xs.every((x) => x !== undefined))
              ? {
                  cpuPerRequestBareOverOurs: Number(
                    (median(wcpu[1] as number[]) / median(wcpu[0] as number[])).toFixed(3),
                  ),
                }
              : {}),
          }
          console.log(
            `${w.name} via wrk: ratio kms-bench / bare node:http = ${others[w.name]?.ratioToBareNodeHttp} (medians ${Math.round(wo as number)} / ${Math.round(wb as number)} req/s)`,
          )
        }
        figures['wrkWorkloads'] = others
        console.log(`Encrypt via wrk (${WRK_CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s):`)
        console.table(
          Object.fromEntries(servers.flatMap((s) => s.rounds.map((r, i) => [`${s.name} #${i + 1}`, r] as const))),
        )
        console.log(
          `ratio kms-bench / bare node:http = ${wratio.toFixed(3)} (medians ${Math.round(o as number)} / ${Math.round(b as number)} req/s; goal >= 0.7)`,
        )
        if (moto === undefined) {
          console.log(`moto comparison skipped: ${reason}`)
          figures['moto'] = { skipped: reason }
        } else {
          const motoRounds = servers[2]?.rounds ?? []
          const vsMoto = (o as number) / (m as number)
          const bareVsMoto = (b as number) / (m as number)
          figures['moto'] = {
            client: `wrk -t2 -c${WRK_CONNECTIONS} (moto closes every connection; wrk reconnects)`,
            moto: motoRounds,
            medianRps: { ours: o, bareNodeHttp: b, moto: m },
            ratioToMoto: Number(vsMoto.toFixed(1)),
            bareNodeHttpToMoto: Number(bareVsMoto.toFixed(1)),
            motoNon2xx: motoRounds.reduce((n, r) => n + r.non2xx, 0),
            motoSocketErrors: motoRounds.reduce((n, r) => n + r.socketErrors, 0),
            goal: 100,
          }
          console.log(
            `ratio kms-bench / moto = ${vsMoto.toFixed(1)}x, bare node:http / moto = ${bareVsMoto.toFixed(1)}x (medians ${Math.round(o as number)} / ${Math.round(b as number)} / ${Math.round(m as number)} req/s; goal >= 100x)`,
          )
        }
      } finally {
        await moto?.stop()
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
