/**
 * Who is calling: account, Region and principal of one HTTP request (DESIGN.md, "Endpoint
 * behaviour"). The Region comes from the SigV4 credential scope of the `Authorization` header
 * (so one server serves every Region), falling back to the server's default Region; the
 * account from the access key id when it is 12 digits, else the default account; the
 * principal from configured credentials. With `auth: 'sigv4'` the signature is verified first
 * and the credential decides account and principal.
 */
import { isAccountId } from '../kms/index.ts'
import type { CredentialStore } from './credentials.ts'
import { checkScope, parseAuthorization, type ReceivedRequest, type SigV4Verifier } from './sigv4.ts'

/** How requests are authenticated: `none` accepts any signature (or none), `sigv4` verifies it. */
export type AuthMode = 'none' | 'sigv4'

/** The caller of one request. */
export interface RequestIdentity {
  readonly account: string
  readonly region: string
  /** IAM principal ARN, when credentials say who the access key belongs to. */
  readonly principal: string | undefined
  readonly accessKeyId: string | undefined
  /** A verified credential flagged `admin` in the credentials file (may reset all state). */
  readonly admin?: boolean
}

/** What the cache holds per credential scope: the caller, or the error its header gives. */
type ScopeEntry = RequestIdentity | { readonly error: Error }

/** Options of {@link RequestAuthenticator}. */
export interface RequestAuthenticatorOptions {
  /** @default 'none' */
  readonly auth?: AuthMode
  /** Needed for `auth: 'sigv4'`; with `none` it still maps known access keys to principals. */
  readonly credentials?: CredentialStore
  /** The verifier for `auth: 'sigv4'`. */
  readonly verifier?: SigV4Verifier
  readonly defaultAccount: string
  readonly defaultRegion: string
}

/** Resolves the caller of each request, verifying signatures when asked to. */
export class RequestAuthenticator {
  readonly #auth: AuthMode
  readonly #credentials: CredentialStore | undefined
  readonly #verifier: SigV4Verifier | undefined
  readonly #defaultAccount: string
  readonly #defaultRegion: string
  readonly #defaultIdentity: RequestIdentity
  readonly #byScope = new Map<string, ScopeEntry>()

  constructor(options: RequestAuthenticatorOptions) {
    this.#auth = options.auth ?? 'none'
    if (this.#auth === 'sigv4' && options.verifier === undefined)
      throw new Error("auth 'sigv4' needs a SigV4Verifier (and credentials)")
    this.#credentials = options.credentials
    this.#verifier = options.verifier
    this.#defaultAccount = options.defaultAccount
    this.#defaultRegion = options.defaultRegion
    this.#defaultIdentity = {
      account: this.#defaultAccount,
      region: this.#defaultRegion,
      principal: undefined,
      accessKeyId: undefined,
    }
  }

  /** The authentication mode. */
  get mode(): AuthMode {
    return this.#auth
  }

  /** Resolves the caller; rejects with AWS's authentication errors. */
  async identify(request: ReceivedRequest): Promise<RequestIdentity> {
    if (this.#auth === 'sigv4') {
      const credential = await (this.#verifier as SigV4Verifier).verify(request)
      const region = parseAuthorization(String(request.headers['authorization'])).region
      return {
        account: credential.account,
        region,
        principal: credential.principal,
        accessKeyId: credential.accessKeyId,
        admin: credential.admin === true,
      }
    }
    return this.identifyUnverified(request.headers['authorization'])
  }

  /**
   * The caller of a request with `auth: 'none'`, synchronously, from its Authorization header
   * (or its absence). Throws InvalidSignatureException for a credential scope naming an unknown
   * Region. Results are cached per credential scope: a client sends the same one on every call.
   */
  identifyUnverified(header: string | string[] | undefined): RequestIdentity {
    if (typeof header !== 'string' || header === '') return this.#defaultIdentity
    // The credential scope is all that matters here: cache on it (the signature changes per request).
    const start = header.indexOf('Credential=')
    const end = start < 0 ? -1 : header.indexOf(',', start)
    const scope = start < 0 ? header : header.slice(start, end < 0 ? undefined : end)
    // Failed parses are cached like good ones (a client repeats the same header), under the
    // whole header: another header with the same scope may well parse.
    let entry = this.#byScope.get(scope) ?? this.#byScope.get(header)
    if (entry === undefined) {
      const resolved = this.#resolveScope(header)
      entry = resolved.entry
      if (this.#byScope.size >= 1000) this.#byScope.clear()
      this.#byScope.set(resolved.parsed ? scope : header, entry)
    }
    if ('error' in entry) throw entry.error
    return entry
  }

  #resolveScope(header: string): { entry: ScopeEntry; parsed: boolean } {
    let auth
    try {
      auth = parseAuthorization(header)
    } catch {
      // `none` accepts any signature, even a malformed one: the caller is then the default.
      return { entry: this.#defaultIdentity, parsed: false }
    }
    // The Region decides which state the call sees: a scope for an unknown Region is an
    // error naming it (as AWS rejects a scope that does not match the endpoint), never a
    // silent fallback.
    try {
      checkScope({ ...auth, service: 'kms' })
    } catch (e) {
      return { entry: { error: e as Error }, parsed: true }
    }
    const known = this.#credentials?.get(auth.accessKeyId)
    const account = known?.account ?? (isAccountId(auth.accessKeyId) ? auth.accessKeyId : this.#defaultAccount)
    const identity = { account, region: auth.region, principal: known?.principal, accessKeyId: auth.accessKeyId }
    return { entry: identity, parsed: true }
  }
}
