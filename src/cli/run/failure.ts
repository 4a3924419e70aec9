/** The usage errors (exit 2) of a run that cannot start: bad input, an unreachable endpoint, bad credentials. */
import { RunInterruptedError, SetupError } from '../../load/index.ts'
import { CliError, EXIT_INTERRUPTED, usageError } from '../cli-error.ts'
import { inputError } from '../scenario-input.ts'

/** Maps a failure to start or finish a run to a CliError when it is bad input. */
export function runFailure(e: unknown, target: string): CliError | undefined {
  // Stopped (SIGINT, SIGTERM) before any variant ran: exit 130 like every interrupted run, nothing written.
  if (e instanceof RunInterruptedError || (e instanceof SetupError && e.code === 'Interrupted'))
    return new CliError('interrupted before the run started: nothing written', EXIT_INTERRUPTED)
  const input = inputError(e)
  if (input !== undefined) return input
  if (e instanceof SetupError) {
    const network =
      /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|TimeoutError)$/.test(e.code) ||
      /ECONNREFUSED|getaddrinfo|socket hang up/.test(e.message)
    if (e.code === 'NoResponse')
      return usageError(
        e.message.replace(/^.*?: NoResponse: /, ''),
        'the endpoint is up but not answering: is it paused, overloaded, or not a KMS endpoint?',
      )
    if (network)
      return usageError(
        `cannot reach the KMS endpoint ${target}: ${e.code}`,
        'is the server running? start one with `kms-bench serve`',
      )
    const auth =
      /^(UnrecognizedClientException|InvalidSignatureException|IncompleteSignatureException|SignatureDoesNotMatch|InvalidClientTokenId|ExpiredTokenException|AccessDeniedException|CredentialsProviderError|MissingAuthenticationToken)$/.test(
        e.code,
      )
    if (auth)
      return usageError(
        `the KMS endpoint ${target} rejected the credentials: ${e.code}: ${e.message.replace(/^.*?: .*?: /, '')}`,
        'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
      )
    return usageError(`${target}: ${e.message}`)
  }
  return undefined
}

/** Checks that real AWS credentials resolve before anything is sent. */
export async function checkAwsCredentials(region: string): Promise<void> {
  const { KMSClient } = await import('@aws-sdk/client-kms')
  const client = new KMSClient({ region })
  try {
    await client.config.credentials()
  } catch (e) {
    throw usageError(
      `no usable AWS credentials: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      'configure the default credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, ...)',
    )
  } finally {
    client.destroy()
  }
}
