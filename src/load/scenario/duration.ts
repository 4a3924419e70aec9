import { at } from '../../util/index.ts'
/**
 * Durations as people write them: `30s`, `5m`, `1h`, `1h30m`, `250ms`, or a plain number of
 * seconds (`90`, `0.5`).
 */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 }
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy

/** Why a duration could not be read. */
export class DurationFormatError extends Error {
  override readonly name = 'DurationFormatError'
}

/**
 * Parses a duration into seconds. Accepts a non-negative finite number (seconds) or a string
 * of one or more `<number><unit>` parts (units `ms`, `s`, `m`, `h`, `d`), or a bare number.
 * Throws {@link DurationFormatError} naming the text otherwise.
 */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      throw new DurationFormatError(`duration must be a non-negative number of seconds, got ${value}`)
    return value
  }
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text)
  if (text === '') throw new DurationFormatError('duration is empty: use e.g. 30s, 5m, 1h or a number of seconds')
  let total = 0
  PART.lastIndex = 0
  let end = 0
  for (;;) {
    const m = PART.exec(text)
    if (m === null) break
    total += Number(m[1]) * (UNIT_SECONDS[at(m, 2)] as number)
    end = PART.lastIndex
  }
  if (end !== text.length)
    throw new DurationFormatError(
      `'${value}' is not a duration: use e.g. 30s, 5m, 1h, 1h30m, 250ms or a number of seconds`,
    )
  return total
}

/** Formats seconds compactly (`90` → `1m30s`, `0.25` → `250ms`). */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`
  let rest = Math.round(seconds)
  const h = Math.floor(rest / 3600)
  rest -= h * 3600
  const m = Math.floor(rest / 60)
  const s = rest - m * 60
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 || (h === 0 && m === 0) ? `${s}s` : ''}`
}
