/**
 * Deadlines for the calls a run makes to an endpoint outside its measured requests (setup
 * calls, the quota meter, the quota route), so that a target that accepts connections but
 * never answers ends a run with a clear message instead of hanging it (issue 18.11). The
 * timers are the run's {@link Clock}'s, as every timer in kms-bench is.
 */
import type { Agent as HttpAgent } from 'node:http'
import type { Clock } from '../../clock.ts'

/**
 * How long a setup call (CreateKey, the fixtures, the quota route, the usage meter) may wait
 * for an answer, its SDK retries included: 10 s. A KMS endpoint answers these in milliseconds
 * (the KMS API's CreateKey and Encrypt are synchronous calls); an endpoint silent for 10 s is
 * down, paused or not a KMS endpoint.
 */
export const SETUP_RESPONSE_TIMEOUT_MS = 10_000

/**
 * How long the last reading of the usage meter may take once the run was stopped (SIGINT,
 * SIGTERM), or ended with requests the target never answered: 500 ms (a meter read answers in
 * milliseconds), so that such a run, its outputs written, still ends within 2 s of its stop
 * or its drain on a loaded machine (with 1 s, the writing got 1 s and a loaded CI machine
 * exceeded it: 2.009 s).
 */
export const STOPPED_RESPONSE_TIMEOUT_MS = 500

/** A deadline on one call: `signal` aborts when `ms` of clock time pass (or `stop` fires). */
export interface ResponseDeadline {
  readonly signal: AbortSignal
  /** the deadline passed (not the stop signal) */
  readonly expired: boolean
  /** whether a connection was open (accepted) when the deadline passed */
  readonly connected: boolean
  /** releases the timer; call when the call settles */
  done(): void
}

/**
 * Starts a deadline of `ms` on `clock`. When it passes, `agent` (the call's connection pool),
 * if given, is looked at before the abort, to tell a connection that was accepted and never
 * answered from one that was never accepted.
 */
export function responseDeadline(
  clock: Clock,
  ms: number,
  options: { agent?: HttpAgent; stop?: AbortSignal } = {},
): ResponseDeadline {
  const controller = new AbortController()
  let expired = false
  let connected = false
  const timer = clock.setTimer(ms, () => {
    expired = true
    connected = options.agent !== undefined && hasConnectedSocket(options.agent)
    controller.abort(new Error(`no response within ${ms / 1000} s`))
  })
  const stop = options.stop
  const onStop = (): void => controller.abort(stop?.reason)
  stop?.addEventListener('abort', onStop, { once: true })
  return {
    signal: controller.signal,
    get expired() {
      return expired
    },
    get connected() {
      return connected
    },
    done() {
      timer.cancel()
      stop?.removeEventListener('abort', onStop)
    },
  }
}

/** Whether one of the agent's sockets in use has connected (TCP accepted by the peer). */
function hasConnectedSocket(agent: HttpAgent): boolean {
  for (const list of Object.values(agent.sockets)) for (const s of list ?? []) if (!s.connecting) return true
  return false
}

/** The message of a setup call that got no answer in time (`connected` undefined: not known). */
export function noResponseMessage(endpoint: string, ms: number, connected: boolean | undefined): string {
  const s = `${ms / 1000} s`
  if (connected === undefined) return `endpoint ${endpoint} sent no response within ${s}`
  return connected
    ? `endpoint ${endpoint} accepted the connection but sent no response within ${s}`
    : `endpoint ${endpoint} did not accept a connection and answer within ${s}`
}
