/**
 * Refusals that protect a developer's local endpoint from web pages in their browser.
 *
 * - DNS rebinding: a page on `attacker.example` re-points its name at 127.0.0.1 and then has
 *   same-origin access to everything the endpoint serves, Decrypt included. The browser still
 *   sends `Host: attacker.example`, so a server bound to loopback answers only Host names that
 *   mean this machine (localhost and its subdomains, 127.0.0.0/8, [::1]) and the names the
 *   operator allows (`--allow-host`), as webpack-dev-server's `allowedHosts` does
 *   (https://webpack.js.org/configuration/dev-server/#devserverallowedhosts).
 * - Cross-site requests: every web page can make the browser POST to http://127.0.0.1:4599 without
 *   a preflight (a "simple request": a form, `fetch` in no-cors mode, `sendBeacon`). The routes
 *   that wipe state therefore refuse a request that carries a foreign `Origin` (browsers send
 *   it on every cross-origin POST) or a `Content-Type` a simple request may use (anything but
 *   JSON). SDKs, boto3/`requests` and curl send neither.
 */
import type { IncomingMessage } from 'node:http'
import { HttpError } from './errors.ts'

/** True for names and addresses that only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** The host name of a Host header value, lower case, without the port. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase()
  if (h.startsWith('[')) {
    const close = h.indexOf(']')
    return close < 0 ? h : h.slice(0, close + 1)
  }
  const colon = h.lastIndexOf(':')
  return colon < 0 ? h : h.slice(0, colon)
}

/** Decides which Host headers a server answers. */
export class HostGuard {
  readonly #checking: boolean
  readonly #allowed: ReadonlySet<string>
  /** Host header values already judged (a client sends the same one every time). */
  readonly #seen = new Map<string, boolean>()

  /**
   * @param boundHost the interface the server listens on: the check applies only to loopback ones
   * @param allowedHosts extra host names to answer (`--allow-host`), e.g. a docker service name
   */
  constructor(boundHost: string, allowedHosts: readonly string[] = []) {
    this.#checking = isLoopbackHost(boundHost)
    this.#allowed = new Set(allowedHosts.map((h) => h.trim().toLowerCase()))
  }

  /** Throws HTTP 403 when `header` names a host this loopback server must not answer. */
  check(header: string | undefined): void {
    // HTTP/1.0 clients may omit Host; browsers never do, so no rebinding page can.
    if (!this.#checking || header === undefined) return
    let ok = this.#seen.get(header)
    if (ok === undefined) {
      ok = this.#judge(header)
      if (this.#seen.size >= 1000) this.#seen.clear()
      this.#seen.set(header, ok)
    }
    if (!ok) {
      const name = hostName(header)
      throw new HttpError(
        403,
        'AccessDeniedException',
        `Host header '${name}' is not allowed: this server is bound to loopback and answers only localhost, 127.0.0.0/8 and [::1] (DNS rebinding protection); allow the name with --allow-host ${name}`,
      )
    }
  }

  #judge(header: string): boolean {
    const name = hostName(header)
    return isLoopbackHost(name) || name.endsWith('.localhost') || this.#allowed.has(name)
  }
}

const JSON_TYPES = new Set(['application/json', 'application/x-amz-json-1.1', 'application/x-amz-json-1.0'])

/**
 * Throws HTTP 403 for a request a web page could have sent cross-site: an `Origin` other than
 * this server's own, or a non-JSON `Content-Type`. A request with neither (curl, boto3's
 * `requests.post(url)`) passes.
 */
export function refuseCrossSite(req: IncomingMessage, route: string): void {
  const origin = req.headers.origin
  if (origin !== undefined) {
    const own = req.headers.host !== undefined ? `http://${req.headers.host.toLowerCase()}` : undefined
    if (origin.toLowerCase() !== own)
      throw new HttpError(
        403,
        'AccessDeniedException',
        `${route} refuses cross-site requests: Origin '${origin}' is not this server (a web page cannot reset it)`,
      )
  }
  const type = req.headers['content-type']
  if (type !== undefined) {
    const base = (type.split(';')[0] ?? '').trim().toLowerCase()
    if (!JSON_TYPES.has(base))
      throw new HttpError(
        403,
        'AccessDeniedException',
        `${route} needs no Content-Type or a JSON one (application/json), not '${type}': other types are what a web page can send cross-site`,
      )
  }
}
