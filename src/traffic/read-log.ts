/**
 * Reads CloudTrail logs in the shapes teams have them:
 *
 * - log files as CloudTrail delivers them to S3: one JSON object `{"Records": [...]}` per file,
 *   gzipped (`.json.gz`) or not (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html);
 *   a bare JSON array of records, or one record per line (JSON lines), is read too;
 * - query results of CloudTrail Lake or Athena as CSV: a header row, then one event per row.
 *   Columns are matched by name, case-insensitively: `eventTime`, `eventSource`, `eventName`,
 *   `awsRegion`, `errorCode`, `recipientAccountId`, `eventType`, `requestParameters` (JSON);
 *   the identity either as one `userIdentity` column (JSON, or Athena's struct text
 *   `{type=IAMUser, arn=..., accountid=..., invokedby=...}`) or as flattened columns
 *   (`userIdentity.arn`, `useridentity_accountid`, ...); `resources` as JSON or struct text.
 */
import { at } from '../util/index.ts'
import { gunzipSync } from 'node:zlib'
import { CloudTrailFormatError, readTrailRecord, type KmsTrailEvent } from './cloudtrail-event.ts'

/** What one file held. */
export interface TrailFileContents {
  readonly events: KmsTrailEvent[]
  /** records of other services */
  readonly otherServices: number
  /** KMS service events (automatic rotation, scheduled deletion): no request, not replayed */
  readonly serviceEvents: number
}

/** Reads one log file (bytes as read from disk; gzip is detected by its magic number). */
export function readTrailFile(bytes: Uint8Array, name: string): TrailFileContents {
  let data = bytes
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = gunzipSync(data)
    } catch (e) {
      throw new CloudTrailFormatError(`${name}: is not a valid gzip file (${(e as Error).message})`)
    }
  }
  const text = new TextDecoder('utf-8').decode(data).replace(/^\uFEFF/, '')
  const start = text.trimStart()[0]
  if (start === undefined) throw new CloudTrailFormatError(`${name}: is empty`)
  const records = start === '{' || start === '[' ? jsonRecords(text, name) : csvRecords(text, name)
  const out: KmsTrailEvent[] = []
  let otherServices = 0
  let serviceEvents = 0
  for (const { raw, where } of records) {
    const r = readTrailRecord(raw, where)
    if (r === 'not-kms') otherServices++
    else if (r === 'service-event') serviceEvents++
    else out.push(r)
  }
  return { events: out, otherServices, serviceEvents }
}

interface RawRecord {
  raw: unknown
  where: string
}

function jsonRecords(text: string, name: string): RawRecord[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    // JSON lines: every non-empty line one record.
    const lines = text.split(/\r?\n/)
    if (lines.filter((l) => l.trim() !== '').length < 2)
      throw new CloudTrailFormatError(`${name}: is not valid JSON (${(e as Error).message})`)
    return lines.flatMap((l, i) => {
      if (l.trim() === '') return []
      try {
        return [{ raw: JSON.parse(l) as unknown, where: `${name}: line ${i + 1}` }]
      } catch (err) {
        throw new CloudTrailFormatError(`${name}: line ${i + 1}: is not valid JSON (${(err as Error).message})`)
      }
    })
  }
  const list = Array.isArray(doc) ? doc : (doc as { Records?: unknown }).Records
  if (!Array.isArray(list))
    throw new CloudTrailFormatError(`${name}: has no "Records" array (a CloudTrail log file is {"Records": [...]})`)
  return list.map((raw, i) => ({ raw, where: `${name}: Records[${i}]` }))
}

function csvRecords(text: string, name: string): RawRecord[] {
  const rows = parseCsv(text, name)
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase())
  if (!header.includes('eventsource') || !header.includes('eventname') || !header.includes('eventtime'))
    throw new CloudTrailFormatError(
      `${name}: is neither a CloudTrail JSON log nor a CSV with eventTime, eventSource and eventName columns`,
    )
  const out: RawRecord[] = []
  for (let i = 1; i < rows.length; i++) {
    const row = at(rows, i)
    if (row.length === 1 && row[0] === '') continue
    const where = `${name}: row ${i + 1}`
    if (row.length !== header.length)
      throw new CloudTrailFormatError(`${where}: has ${row.length} fields, the header has ${header.length}`)
    out.push({ raw: csvRecord(header, row, where), where })
  }
  return out
}

/** Builds a record object from one CSV row. */
function csvRecord(header: readonly string[], row: readonly string[], where: string): Record<string, unknown> {
  const col = (...names: string[]): string | undefined => {
    for (const n of names) {
      const i = header.indexOf(n)
      const v = i >= 0 ? row[i] : undefined
      if (v !== undefined && v !== '' && v !== 'null') return v
    }
    return undefined
  }
  const identity: Record<string, unknown> = {}
  const whole = col('useridentity')
  if (whole !== undefined) Object.assign(identity, lowerKeys(structOrJson(whole, `${where}: userIdentity`)))
  for (const f of ['type', 'arn', 'accountid', 'invokedby', 'principalid']) {
    const v = col(`useridentity.${f}`, `useridentity_${f}`)
    if (v !== undefined) identity[f] = v
  }
  const params = col('requestparameters')
  const resources = col('resources')
  return {
    eventTime: col('eventtime'),
    eventSource: col('eventsource'),
    eventName: col('eventname'),
    awsRegion: col('awsregion'),
    errorCode: col('errorcode'),
    recipientAccountId: col('recipientaccountid'),
    eventType: col('eventtype'),
    userIdentity: {
      type: identity.type,
      arn: identity.arn,
      accountId: identity.accountid,
      invokedBy: identity.invokedby,
    },
    requestParameters: params === undefined ? null : structOrJson(params, `${where}: requestParameters`),
    resources:
      resources === undefined
        ? undefined
        : (() => {
            const r = structOrJson(resources, `${where}: resources`)
            return Array.isArray(r) ? r.map((x) => lowerKeys(x)).map((x) => ({ ARN: x.arn })) : undefined
          })(),
  }
}

function lowerKeys(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return {}
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k.toLowerCase(), x]))
}

/** JSON, or Athena's struct/array text (`{a=1, b={c=2}}`, `[{arn=...}]`). */
function structOrJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    const t = text.trim()
    if (!t.startsWith('{') && !t.startsWith('['))
      throw new CloudTrailFormatError(`${where}: '${t.slice(0, 60)}' is neither JSON nor a struct`)
    const p = new StructParser(t, where)
    return p.value()
  }
}

class StructParser {
  #i = 0
  readonly text: string
  readonly where: string
  constructor(text: string, where: string) {
    this.text = text
    this.where = where
  }

  value(): unknown {
    this.#ws()
    const c = this.text[this.#i]
    if (c === '{') return this.#object()
    if (c === '[') return this.#array()
    return this.#scalar()
  }

  #object(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    this.#i++
    for (;;) {
      this.#ws()
      if (this.text[this.#i] === '}') {
        this.#i++
        return out
      }
      const eq = this.text.indexOf('=', this.#i)
      if (eq < 0) throw new CloudTrailFormatError(`${this.where}: malformed struct (no '=' after position ${this.#i})`)
      const key = this.text.slice(this.#i, eq).trim()
      this.#i = eq + 1
      const v = this.value()
      out[key] = v === 'null' ? undefined : v
      this.#ws()
      if (this.text[this.#i] === ',') this.#i++
      else if (this.text[this.#i] !== '}')
        throw new CloudTrailFormatError(`${this.where}: malformed struct at position ${this.#i}`)
    }
  }

  #array(): unknown[] {
    const out: unknown[] = []
    this.#i++
    for (;;) {
      this.#ws()
      if (this.text[this.#i] === ']') {
        this.#i++
        return out
      }
      out.push(this.value())
      this.#ws()
      if (this.text[this.#i] === ',') this.#i++
      else if (this.text[this.#i] !== ']')
        throw new CloudTrailFormatError(`${this.where}: malformed array at position ${this.#i}`)
    }
  }

  #scalar(): string {
    const start = this.#i
    while (this.#i < this.text.length && !',}]'.includes(at(this.text, this.#i))) this.#i++
    return this.text.slice(start, this.#i).trim()
  }

  #ws(): void {
    while (this.text[this.#i] === ' ') this.#i++
  }
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string, name: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cur = ''
  let quoted = false
  let line = 1
  let quoteLine = 0
  for (let i = 0; i < text.length; i++) {
    const c = at(text, i)
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"'
        i++
      } else if (c === '"') quoted = false
      else {
        if (c === '\n') line++
        cur += c
      }
    } else if (c === '"') {
      quoted = true
      quoteLine = line
    } else if (c === ',') {
      row.push(cur)
      cur = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      line++
      row.push(cur)
      rows.push(row)
      row = []
      cur = ''
    } else cur += c
  }
  if (quoted) throw new CloudTrailFormatError(`${name}: line ${quoteLine}: a quoted field is never closed`)
  if (cur !== '' || row.length > 0) {
    row.push(cur)
    rows.push(row)
  }
  return rows
}
