/**
 * DescribeCustomKeyStores (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeCustomKeyStores.html):
 * every store of the account and Region, or the one named by CustomKeyStoreId or
 * CustomKeyStoreName (CustomKeyStoreNotFoundException when none), paged by Limit/Marker.
 * Never returns the kmsuser password or the XKS secret access key.
 */
import type { Handler } from '../context.ts'
import { CustomKeyStoreNotFoundException } from '../errors.ts'
import { storeEntry } from '../custom-key-stores.ts'
import { pageMembers, paginate } from '../pagination.ts'

/** Handler of DescribeCustomKeyStores. */
export const describeCustomKeyStores: Handler<'DescribeCustomKeyStores'> = (ctx, input) => {
  ctx.core.authorize(ctx, { action: 'kms:DescribeCustomKeyStores' })
  const stores = [...ctx.state.customKeyStores.values()].filter(
    (s) =>
      (input.CustomKeyStoreId === undefined || s.id === input.CustomKeyStoreId) &&
      (input.CustomKeyStoreName === undefined || s.name === input.CustomKeyStoreName),
  )
  if (stores.length === 0 && (input.CustomKeyStoreId !== undefined || input.CustomKeyStoreName !== undefined))
    throw new CustomKeyStoreNotFoundException(
      `Custom key store ${input.CustomKeyStoreId ?? input.CustomKeyStoreName} does not exist in this account and Region.`,
    )
  const page = paginate(stores, input, {
    scope: 'DescribeCustomKeyStores',
    defaultLimit: 100,
    maxLimit: 1000,
    sortKey: (s) => `${String(s.createdAt).padStart(16, '0')}${s.id}`,
  })
  return { CustomKeyStores: page.items.map(storeEntry), ...pageMembers(page) }
}
