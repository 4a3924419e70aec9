/**
 * A target that stops answering, for the tests of runs that must still end (issue 18.11): a
 * `node:net` server on loopback that accepts every connection and never sends a byte back.
 * Given an upstream (a real `kms-bench serve`), it first forwards every connection there, so
 * that the run's setup (CreateKey, fixtures) is answered, and stops answering once the run
 * begins: at the first `GET /kms-bench/usage`, which the endpoint target reads right before
 * the first arrival. From then on nothing more is forwarded on any connection, and new
 * connections are accepted and left silent, as a hung or paused server leaves them.
 */
import { connect, createServer, type Socket } from 'node:net'

/** A running stalling endpoint. */
export interface StallingEndpoint {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  /** whether it has stopped answering (always true without an upstream) */
  stalled(): boolean
  /** connections it accepted */
  accepted(): number
  /** closes the server and every connection */
  close(): Promise<void>
}

/** Starts a stalling endpoint on a free loopback port (see the module comment). */
export function startStallingEndpoint(upstream?: string): Promise<StallingEndpoint> {
  const up = upstream !== undefined ? new URL(upstream) : undefined
  let stalled = up === undefined
  let accepted = 0
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    accepted++
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => undefined)
    if (stalled || up === undefined) {
      // Read and discard: the peer sees an accepted connection that never answers.
      client.on('data', () => undefined)
      return
    }
    const target = connect(Number(up.port), up.hostname)
    sockets.add(target)
    target.on('close', () => sockets.delete(target))
    target.on('error', () => client.destroy())
    target.pipe(client)
    client.on('data', (chunk: Buffer) => {
      if (stalled) return
      target.write(chunk)
      // The run's first usage reading: it is answered, and then nothing more is.
      if (chunk.toString('latin1').startsWith('GET /kms-bench/usage')) stalled = true
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        reject(new Error('no TCP address'))
        return
      }
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        stalled: () => stalled,
        accepted: () => accepted,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}
