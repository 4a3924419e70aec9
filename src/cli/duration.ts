/**
 * Duration flags (`--duration 30s`, `5m`, `1h`, or seconds) for the CLI: the load engine's
 * parser, with its errors turned into usage errors (exit 2) that name the flag.
 */
import { DurationFormatError, parseDuration } from '../load/index.ts'
import { usageError } from './cli-error.ts'

/** Parses a duration flag into seconds (> 0 unless `allowZero`); throws a usage error naming the flag. */
export function parseDurationArg(flag: string, text: string, allowZero = false): number {
  let seconds: number
  try {
    seconds = parseDuration(text)
  } catch (e) {
    if (e instanceof DurationFormatError) throw usageError(`${flag}: ${e.message}`)
    throw e
  }
  if (!allowZero && seconds <= 0) throw usageError(`${flag} must be longer than 0, got '${text}'`)
  return seconds
}
