/**
 * CloudTrail KMS events → a replayable workload: per second, operation, key, caller, account
 * and Region, with the encryption-context cardinality of every key (how many distinct
 * contexts it saw, never their values). Events throttled in the log (`errorCode:
 * ThrottlingException`) are demand like the others: the replay offers them again, so it shows
 * what the applications asked for, not what AWS let through.
 */
import { isReplayable, replayKeyNeed, type ReplayRow } from '../load/index.ts'
import { callerOf, type KmsTrailEvent } from './cloudtrail-event.ts'
import type { TrailFileContents } from './read-log.ts'
import { at } from '../util/index.ts'

/** A key seen in the log, as the replay scenario declares it. */
export interface TrailKey {
  /** the scenario key name */
  readonly name: string
  readonly arn: string
  readonly account: string
  readonly region: string
  /** key spec the replayed operations need */
  readonly spec: string
  readonly usage: string
  /** distinct encryption contexts seen with the key */
  readonly contexts: number
  readonly calls: number
  readonly throttled: number
}

/** Calls and throttles of one group. */
export interface CallCount {
  calls: number
  throttled: number
}

/** Everything one import found. */
export interface TrailImport {
  /** epoch seconds of the first event */
  readonly startSecond: number
  /** seconds from the first to the last replayed event, inclusive */
  readonly seconds: number
  /** replayed events per second */
  readonly perSecond: number[]
  readonly rows: ReplayRow[]
  readonly keys: TrailKey[]
  readonly accounts: string[]
  /** principal ARNs the replay calls as */
  readonly principals: string[]
  /** the Region with the most events */
  readonly region: string
  readonly files: number
  readonly kmsEvents: number
  readonly replayed: number
  readonly byOperation: Record<string, CallCount>
  readonly byCaller: Record<string, CallCount>
  readonly byAccount: Record<string, CallCount>
  readonly byRegion: Record<string, CallCount>
  /** non-throttling error codes of the log, by code */
  readonly errors: Record<string, number>
  /** KMS events not replayed, by reason (`operation X has no replay input`, `no key`, `key type conflict`) */
  readonly skipped: Record<string, number>
  readonly otherServices: number
  readonly serviceEvents: number
}

const PRINCIPAL =
  /^arn:(aws|aws-cn|aws-us-gov):(iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/

/** Builds the replay of every KMS event of `files` (in any order). */
export function buildTrailImport(files: readonly TrailFileContents[]): TrailImport {
  const events = files.flatMap((f) => f.events)
  // A total order independent of file order: the same log gives the same import.
  events.sort((a, b) => a.second - b.second || cmp(sortKey(a), sortKey(b)))
  const skipped: Record<string, number> = {}
  const skip = (why: string): void => {
    skipped[why] = (skipped[why] ?? 0) + 1
  }
  const keyNames = new Map<string, { name: string; spec: string; usage: string; contexts: Map<string, number> }>()
  const replayed: { e: KmsTrailEvent; key: string; ctx: number }[] = []
  for (const e of events) {
    if (!isReplayable(e.operation)) {
      skip(`operation ${e.operation} has no replay input`)
      continue
    }
    const need = replayKeyNeed(e.operation)
    if (need === undefined) {
      replayed.push({ e, key: '', ctx: -1 })
      continue
    }
    if (e.keyArn === undefined) {
      skip('no key ARN in the record (an alias without resources)')
      continue
    }
    let k = keyNames.get(e.keyArn)
    if (k === undefined) {
      k = { name: `key-${keyNames.size + 1}`, spec: need.spec, usage: need.usage, contexts: new Map() }
      keyNames.set(e.keyArn, k)
    } else if (k.spec !== need.spec) {
      skip(`${e.operation} on a key other operations need as ${k.spec}`)
      continue
    }
    let ctx = -1
    if (e.contextHash !== undefined) {
      ctx = k.contexts.get(e.contextHash) ?? k.contexts.size
      if (ctx === k.contexts.size) k.contexts.set(e.contextHash, ctx)
    }
    replayed.push({ e, key: k.name, ctx })
  }
  const start = replayed[0]?.e.second ?? events[0]?.second ?? 0
  const end = replayed.length > 0 ? (replayed[replayed.length - 1] as { e: KmsTrailEvent }).e.second : start
  const perSecond = new Array<number>(end - start + 1).fill(0)
  const rows = groupRows(replayed, start, perSecond)
  const tally = tallies(replayed.map((r) => r.e))
  const accounts = new Set<string>()
  const principals = new Set<string>()
  for (const r of rows) {
    accounts.add(r.account)
    if (r.principal !== '') principals.add(r.principal)
  }
  const keys: TrailKey[] = [...keyNames.entries()].map(([arn, k]) => {
    const [, , , region = '', account = ''] = arn.split(':')
    accounts.add(account)
    const c = tally.byKey[arn] ?? { calls: 0, throttled: 0 }
    return { name: k.name, arn, account, region, spec: k.spec, usage: k.usage, contexts: k.contexts.size, ...c }
  })
  const region =
    Object.entries(tally.byRegion).sort((a, b) => b[1].calls - a[1].calls || cmp(a[0], b[0]))[0]?.[0] ?? 'us-east-1'
  return {
    startSecond: start,
    seconds: perSecond.length,
    perSecond,
    rows,
    keys,
    accounts: [...accounts].sort(),
    principals: [...principals].sort(),
    region,
    files: files.length,
    kmsEvents: events.length,
    replayed: replayed.length,
    byOperation: tally.byOperation,
    byCaller: tally.byCaller,
    byAccount: tally.byAccount,
    byRegion: tally.byRegion,
    errors: tally.errors,
    skipped,
    otherServices: files.reduce((a, f) => a + f.otherServices, 0),
    serviceEvents: files.reduce((a, f) => a + f.serviceEvents, 0),
  }
}

function sortKey(e: KmsTrailEvent): string {
  return `${e.operation}|${e.keyArn ?? ''}|${callerOf(e)}|${e.account}|${e.region}|${e.contextHash ?? ''}|${e.errorCode ?? ''}`
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** One row per (second, operation, key, caller, account, Region, context), in first-seen order. */
function groupRows(
  replayed: readonly { e: KmsTrailEvent; key: string; ctx: number }[],
  start: number,
  perSecond: number[],
): ReplayRow[] {
  const rows: ReplayRow[] = []
  const index = new Map<string, number>()
  let second = -1
  for (const { e, key, ctx } of replayed) {
    const s = e.second - start
    if (s !== second) {
      second = s
      index.clear()
    }
    perSecond[s] = at(perSecond, s) + 1
    // Principals IAM cannot evaluate here (federated users, service identities) call as the account root.
    const principal = e.principal !== undefined && PRINCIPAL.test(e.principal) ? e.principal : ''
    const via = e.invokedBy !== undefined && e.invokedBy !== 'AWS Internal' ? e.invokedBy : ''
    const caller = callerOf(e)
    const g = `${e.operation}|${key}|${principal}|${via}|${caller}|${e.account}|${e.region}|${ctx}`
    const existing = index.get(g)
    if (existing === undefined) {
      index.set(g, rows.length)
      rows.push({
        second: s,
        operation: e.operation as ReplayRow['operation'],
        key,
        principal,
        via,
        caller,
        account: e.account,
        region: e.region,
        context: ctx,
        count: 1,
        throttled: e.throttled ? 1 : 0,
      })
    } else {
      const r = at(rows, existing)
      rows[existing] = { ...r, count: r.count + 1, throttled: r.throttled + (e.throttled ? 1 : 0) }
    }
  }
  return rows
}

function tallies(events: readonly KmsTrailEvent[]): {
  byOperation: Record<string, CallCount>
  byCaller: Record<string, CallCount>
  byAccount: Record<string, CallCount>
  byRegion: Record<string, CallCount>
  byKey: Record<string, CallCount>
  errors: Record<string, number>
} {
  const out = { byOperation: {}, byCaller: {}, byAccount: {}, byRegion: {}, byKey: {}, errors: {} } as ReturnType<
    typeof tallies
  >
  const add = (m: Record<string, CallCount>, k: string, t: boolean): void => {
    const c = (m[k] ??= { calls: 0, throttled: 0 })
    c.calls++
    if (t) c.throttled++
  }
  for (const e of events) {
    add(out.byOperation, e.operation, e.throttled)
    add(out.byCaller, callerOf(e), e.throttled)
    add(out.byAccount, e.account, e.throttled)
    add(out.byRegion, e.region, e.throttled)
    if (e.keyArn !== undefined) add(out.byKey, e.keyArn, e.throttled)
    if (e.errorCode !== undefined && !e.throttled) out.errors[e.errorCode] = (out.errors[e.errorCode] ?? 0) + 1
  }
  return out
}
