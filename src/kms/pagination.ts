/**
 * Limit/Marker paging shared by the KMS List* operations
 * (e.g. https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html).
 *
 * KMS documents the marker as opaque ("Do not attempt to construct this value"): ours
 * encodes the scope it belongs to (operation and filter) and the sort key of the last item
 * returned. Pages are taken from the items sorted by that key, so a marker stays valid
 * when items are added or removed between two pages (nothing is skipped or repeated
 * except the changed items themselves), and a marker from another listing is refused.
 * `Limit` may be larger than an operation's documented maximum (the model allows 1-1000):
 * KMS "does not return more than the specified number of items, but it might return
 * fewer", so the page is capped at that maximum instead of failing.
 */
import { InvalidMarkerException } from './errors.ts'

/** The paging members of a List* request. */
export interface PageRequest {
  readonly Limit?: number | undefined
  readonly Marker?: string | undefined
}

/** How one List* operation pages. */
export interface PageSpec<T> {
  /**
   * Names the listing a marker belongs to, e.g. `ListKeys` or `ListResourceTags:<key id>`;
   * a marker issued for another scope is an InvalidMarkerException.
   */
  readonly scope: string
  /** Page size when the request has no Limit (ListKeys: 100, ListAliases: 50, ListResourceTags: 50). */
  readonly defaultLimit: number
  /** Largest page the operation returns (ListKeys: 1000, ListAliases: 100, ListResourceTags: 50). */
  readonly maxLimit: number
  /** The unique, stable sort key of an item (key id, alias name, tag key). */
  readonly sortKey: (item: T) => string
}

/** One page, with the response members every KMS List* operation returns. */
export interface Page<T> {
  readonly items: T[]
  /** Present only when {@link Truncated} is true. */
  readonly NextMarker?: string
  /** KMS always returns it, false on the last page. */
  readonly Truncated: boolean
}

/** AWS's description of InvalidMarkerException (KMS API reference, "Errors"). */
const INVALID_MARKER =
  'The request was rejected because the marker that specifies where pagination should next begin is not valid.'

/** Encodes an opaque marker: base64url of `[scope, lastKey]` (always within the model's 1-1024 printable characters for our keys). */
export function encodeMarker(scope: string, lastKey: string): string {
  return Buffer.from(JSON.stringify([scope, lastKey]), 'utf8').toString('base64url')
}

/** Decodes a marker issued for `scope`; throws InvalidMarkerException for anything else. */
export function decodeMarker(marker: string, scope: string): string {
  let parsed: unknown
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(marker)) throw new Error('not base64url')
    parsed = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'))
  } catch {
    throw new InvalidMarkerException(INVALID_MARKER)
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || parsed[0] !== scope || typeof parsed[1] !== 'string') {
    throw new InvalidMarkerException(INVALID_MARKER)
  }
  return parsed[1]
}

/** The page size a request asks for, capped at the operation's maximum. */
export function pageLimit(
  limit: number | undefined,
  spec: Pick<PageSpec<unknown>, 'defaultLimit' | 'maxLimit'>,
): number {
  return Math.min(limit ?? spec.defaultLimit, spec.maxLimit)
}

interface Keyed<T> {
  readonly key: string
  readonly item: T
}

function byKey<T>(a: Keyed<T>, b: Keyed<T>): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}

/**
 * Rearranges `a` so that its first `k` entries are its `k` smallest keys, in any order
 * (Hoare's quickselect, middle pivot; keys are unique). Linear on average, so a page of a
 * large listing does not sort everything after the marker.
 */
function selectSmallest<T>(a: Keyed<T>[], k: number): void {
  const at = (i: number): Keyed<T> => a[i] as Keyed<T>
  let lo = 0
  let hi = a.length - 1
  while (lo < hi) {
    const pivot = at((lo + hi) >>> 1).key
    let i = lo
    let j = hi
    while (i <= j) {
      while (at(i).key < pivot) i++
      while (at(j).key > pivot) j--
      if (i <= j) {
        const t = at(i)
        a[i++] = at(j)
        a[j--] = t
      }
    }
    if (k - 1 <= j) hi = j
    else if (k - 1 >= i) lo = i
    else return
  }
}

/**
 * Returns the page of `items` a request asks for: the first `Limit` items (in sort-key
 * order) after the marker's position.
 */
export function paginate<T>(items: Iterable<T>, request: PageRequest, spec: PageSpec<T>): Page<T> {
  const after = request.Marker !== undefined ? decodeMarker(request.Marker, spec.scope) : undefined
  const limit = pageLimit(request.Limit, spec)
  const rest: Keyed<T>[] = []
  for (const item of items) {
    const key = spec.sortKey(item)
    if (after === undefined || key > after) rest.push({ key, item })
  }
  if (rest.length <= limit) return { items: rest.sort(byKey).map((r) => r.item), Truncated: false }
  selectSmallest(rest, limit)
  const page = rest.slice(0, limit).sort(byKey)
  const last = page[page.length - 1] as Keyed<T>
  return { items: page.map((r) => r.item), NextMarker: encodeMarker(spec.scope, last.key), Truncated: true }
}

/** The `NextMarker`/`Truncated` members of a page, to spread into a List* response. */
export function pageMembers(page: Page<unknown>): { NextMarker?: string; Truncated: boolean } {
  return page.NextMarker !== undefined ? { NextMarker: page.NextMarker, Truncated: true } : { Truncated: false }
}
