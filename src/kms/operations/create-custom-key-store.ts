/**
 * CreateCustomKeyStore (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateCustomKeyStore.html):
 * an AWS CloudHSM key store (CloudHsmClusterId, TrustAnchorCertificate and KeyStorePassword
 * required; the default type) or an external key store (XksProxyUriEndpoint, XksProxyUriPath,
 * XksProxyAuthenticationCredential and XksProxyConnectivity required; XksProxyVpcEndpointServiceName
 * exactly when the connectivity is VPC_ENDPOINT_SERVICE). Names are unique per account and
 * Region (CustomKeyStoreNameInUseException); a cluster backs one store
 * (CloudHsmClusterInUseException); a proxy URI endpoint + path one store (XksProxyUriInUseException);
 * at most 10 stores (LimitExceededException). New stores are DISCONNECTED. Nothing is dialled
 * (`custom-key-stores.ts`); a public-endpoint proxy whose host is under `.invalid` counts as
 * unreachable (XksProxyUriUnreachableException, the test AWS makes before creating).
 */
import type { Handler } from '../context.ts'
import {
  CloudHsmClusterInUseException,
  CustomKeyStoreNameInUseException,
  LimitExceededException,
  ValidationException,
  XksProxyUriInUseException,
  XksProxyVpcEndpointServiceInUseException,
} from '../errors.ts'
import {
  assertProxyReachable,
  MAX_CUSTOM_KEY_STORES,
  type CustomKeyStore,
  type XksSettings,
} from '../custom-key-stores.ts'
import type { CreateCustomKeyStoreRequest } from '../model.generated.ts'
import type { RegionState } from '../store.ts'

const XKS_MEMBERS = [
  'XksProxyUriEndpoint',
  'XksProxyUriPath',
  'XksProxyVpcEndpointServiceName',
  'XksProxyAuthenticationCredential',
  'XksProxyConnectivity',
] as const
const HSM_MEMBERS = ['CloudHsmClusterId', 'TrustAnchorCertificate', 'KeyStorePassword'] as const

/** Throws ValidationException unless exactly the members of `type` are given (API reference, "Required"). */
export function checkMembers(
  input: object,
  required: readonly string[],
  forbidden: readonly string[],
  type: string,
): void {
  const get = (m: string): unknown => (input as Record<string, unknown>)[m]
  const missing = required.filter((m) => get(m) === undefined)
  if (missing.length > 0)
    throw new ValidationException(`A custom key store of type ${type} requires ${missing.join(', ')}.`)
  const extra = forbidden.filter((m) => get(m) !== undefined)
  if (extra.length > 0)
    throw new ValidationException(`${extra.join(', ')} is not valid for a custom key store of type ${type}.`)
}

/** The XKS settings of a request, checked against the other stores of the state. */
export function xksSettings(
  state: RegionState,
  input: Pick<CreateCustomKeyStoreRequest, (typeof XKS_MEMBERS)[number]>,
  current: XksSettings | undefined,
  selfId: string | undefined,
): XksSettings {
  const connectivity = input.XksProxyConnectivity ?? current?.connectivity ?? 'PUBLIC_ENDPOINT'
  const vpc =
    input.XksProxyVpcEndpointServiceName ??
    (connectivity === current?.connectivity ? current?.vpcEndpointServiceName : undefined)
  if (connectivity === 'VPC_ENDPOINT_SERVICE' && vpc === undefined)
    throw new ValidationException(
      'XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.',
    )
  if (connectivity === 'PUBLIC_ENDPOINT' && input.XksProxyVpcEndpointServiceName !== undefined)
    throw new ValidationException(
      'XksProxyVpcEndpointServiceName is valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.',
    )
  const cred = input.XksProxyAuthenticationCredential
  const x: XksSettings = {
    uriEndpoint: input.XksProxyUriEndpoint ?? (current?.uriEndpoint as string),
    uriPath: input.XksProxyUriPath ?? (current?.uriPath as string),
    connectivity,
    vpcEndpointServiceName: connectivity === 'VPC_ENDPOINT_SERVICE' ? vpc : undefined,
    accessKeyId: cred?.AccessKeyId ?? (current?.accessKeyId as string),
    secretAccessKey: cred?.RawSecretAccessKey ?? (current?.secretAccessKey as string),
  }
  for (const other of state.customKeyStores.values()) {
    if (other.id === selfId || other.xks === undefined) continue
    if (other.xks.uriEndpoint === x.uriEndpoint && other.xks.uriPath === x.uriPath)
      throw new XksProxyUriInUseException(
        `The proxy URI ${x.uriEndpoint}${x.uriPath} is used by custom key store ${other.id}.`,
      )
    if (x.vpcEndpointServiceName !== undefined && other.xks.vpcEndpointServiceName === x.vpcEndpointServiceName)
      throw new XksProxyVpcEndpointServiceInUseException(
        `The VPC endpoint service ${x.vpcEndpointServiceName} is used by custom key store ${other.id}.`,
      )
  }
  return x
}

/** Throws when another store of the state uses the name or the cluster. */
export function assertUnique(
  state: RegionState,
  name: string | undefined,
  cluster: string | undefined,
  selfId?: string,
): void {
  for (const other of state.customKeyStores.values()) {
    if (other.id === selfId) continue
    if (name !== undefined && other.name === name)
      throw new CustomKeyStoreNameInUseException(
        `A custom key store named ${name} already exists in this account and Region.`,
      )
    if (cluster !== undefined && other.cloudHsmClusterId === cluster)
      throw new CloudHsmClusterInUseException(
        `The AWS CloudHSM cluster ${cluster} is associated with custom key store ${other.id}.`,
      )
  }
}

/** Handler of CreateCustomKeyStore. */
export const createCustomKeyStore: Handler<'CreateCustomKeyStore'> = (ctx, input) => {
  const type = input.CustomKeyStoreType ?? 'AWS_CLOUDHSM'
  if (type === 'AWS_CLOUDHSM') checkMembers(input, HSM_MEMBERS, XKS_MEMBERS, type)
  else
    checkMembers(
      input,
      ['XksProxyUriEndpoint', 'XksProxyUriPath', 'XksProxyAuthenticationCredential', 'XksProxyConnectivity'],
      HSM_MEMBERS,
      type,
    )
  ctx.core.authorize(ctx, { action: 'kms:CreateCustomKeyStore' })
  const state = ctx.state
  assertUnique(state, input.CustomKeyStoreName, input.CloudHsmClusterId)
  const xks = type === 'EXTERNAL_KEY_STORE' ? xksSettings(state, input, undefined, undefined) : undefined
  if (xks !== undefined) assertProxyReachable(xks)
  if (state.customKeyStores.size >= MAX_CUSTOM_KEY_STORES)
    throw new LimitExceededException(
      `The maximum number of custom key stores (${MAX_CUSTOM_KEY_STORES}) in this account and Region has been reached.`,
    )
  // AWS's ids: "cks-" and 17 hexadecimal characters (API_CreateCustomKeyStore.html example).
  const id = `cks-${ctx.core.random.bytes(9).toString('hex').slice(0, 17)}`
  const store: CustomKeyStore = {
    id,
    name: input.CustomKeyStoreName,
    type,
    account: ctx.caller.account,
    region: ctx.caller.region,
    createdAt: ctx.now,
    cloudHsmClusterId: input.CloudHsmClusterId,
    trustAnchorCertificate: input.TrustAnchorCertificate,
    keyStorePassword: input.KeyStorePassword,
    xks,
    connectionState: 'DISCONNECTED',
    suspended: new Map(),
  }
  state.customKeyStores.set(id, store)
  return { CustomKeyStoreId: id }
}
