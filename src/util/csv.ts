/**
 * One line of CSV (RFC 4180 within a line): fields split at commas outside double quotes, a
 * quoted field's `""` read as one `"`. Fields are returned as written (not trimmed); a line
 * break inside a quoted field is the caller's to join first.
 */
import { at } from './at.ts'

/** The fields of one CSV line. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = at(line, i)
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (c === '"') quoted = false
      else cur += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      out.push(cur)
      cur = ''
    } else cur += c
  }
  out.push(cur)
  return out
}
