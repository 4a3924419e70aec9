/**
 * Flag parsing shared by every command: `node:util` `parseArgs` in strict mode (an unknown
 * flag, a missing value or a value given to a boolean flag is refused), its errors turned into
 * usage errors (exit 2) that name the flag, and the numeric checks the commands share.
 * `--help` never reaches a command: `main` answers it first.
 */
import { closestName } from '../suggest.ts'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { isKnownRegion, suggestRegion } from '../regions.ts'
import { usageError } from './cli-error.ts'
import { at } from '../util/index.ts'

type FlagOptions = NonNullable<ParseArgsConfig['options']>

/** What {@link parseCommandArgs} returns: the `parseArgs` result for `options`. */
export type ParsedFlags<O extends FlagOptions> = ReturnType<
  typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>
>

/**
 * Parses a command's argv against its flag definitions. Throws a usage error naming the flag
 * (`Unknown option '--bogus'`, `Option '--out <value>' argument missing`) with a hint to the
 * command's help.
 */
export function parseCommandArgs<const O extends FlagOptions>(
  command: string,
  argv: readonly string[],
  options: O,
): ParsedFlags<O> {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals: true })
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    const unknown = /^Unknown option '(--?[^']+)'/.exec(message)?.[1]
    const hint =
      unknown !== undefined
        ? closestName(
            unknown.replace(/^-+/, ''),
            Object.keys(options).filter((k) => k.length > 1),
          )
        : undefined
    if (unknown !== undefined)
      throw usageError(
        `unknown option '${unknown}'${hint !== undefined ? ` (did you mean --${hint}?)` : ''}`,
        `run \`kms-bench ${command} --help\` for the options`,
      )
    throw usageError(message, `run \`kms-bench ${command} --help\` for the options`)
  }
}

/**
 * `--seed -1` as `--seed=-1`: node's parseArgs takes a value that starts with a dash for an
 * option of its own and fails with "argument is ambiguous"; a negative number after a flag that
 * takes a value is that flag's value.
 */
function joinNegativeValues(argv: readonly string[], options: FlagOptions): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = at(argv, i)
    const next = argv[i + 1]
    if (a === '--') {
      out.push(...argv.slice(i))
      break
    }
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`)
      i++
    } else out.push(a)
  }
  return out
}

/**
 * A numeric flag: `undefined` when absent, else the number (`_` separators allowed: 10_000),
 * or a usage error `FLAG must be WHAT, got 'TEXT'`.
 */
export function numberArg(
  flag: string,
  text: string | undefined,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text.replaceAll('_', ''))
  if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw usageError(`${flag} must be ${what}, got '${text}'`)
  return n
}

/** An integer flag within `[min, max]`; `undefined` when absent. */
export function integerArg(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  return numberArg(flag, text, (n) => Number.isInteger(n) && n >= min && n <= max, `an integer from ${min} to ${max}`)
}

/**
 * `--seed N`: a 32-bit signed integer. The load engine mixes seeds as 32-bit integers
 * (src/random.ts), so a wider value would silently repeat another seed's run, and one past
 * 2^53 could not even be saved in summary.json.
 */
export function seedArg(text: string | undefined): number | undefined {
  return integerArg('--seed', text, -(2 ** 31), 2 ** 31 - 1)
}

/**
 * Checks that a command got exactly one positional argument (its input file); `what` names it
 * in the messages.
 */
export function onePositional(command: string, positionals: readonly string[], what: string): string {
  const [first, ...extra] = positionals
  if (first === undefined) throw usageError(`missing ${what}`, `run \`kms-bench ${command} --help\``)
  if (extra.length > 0) throw usageError(`unexpected argument '${extra[0] ?? ''}': ${command} takes one ${what}`)
  return first
}

/** A Region flag: `undefined` when absent, else a known AWS Region, or a usage error with a suggestion. */
export function regionArg(flag: string, text: string | undefined): string | undefined {
  if (text === undefined || isKnownRegion(text)) return text
  const hint = suggestRegion(text)
  throw usageError(`${flag}: unknown Region '${text}'${hint !== undefined ? ` (did you mean ${hint}?)` : ''}`)
}
