/**
 * Input validation driven by the official KMS Smithy model (`model.generated.ts`).
 *
 * Every problem is reported at once, in AWS's own format, e.g.
 * `2 validation errors detected: Value '0' at 'numberOfBytes' failed to satisfy constraint:
 * Member must have value greater than or equal to 1; Value null at 'keyId' failed to satisfy
 * constraint: Member must not be null` (format recorded against real AWS in the LocalStack
 * snapshot: member paths are camelCase, list items are 1-based `tags.1.member.tagKey`, and
 * sensitive values are never echoed).
 */
import { ValidationException } from './errors.ts'
import { OPERATIONS, SHAPES, type OperationName, type ShapeDef } from './model.generated.ts'

type Check = (value: unknown, path: string, problems: string[]) => void

const compiled = new Map<string, Check>()

/** Returns every constraint violation of `input` against the operation's input shape (empty when valid). */
export function validationProblems(op: OperationName, input: unknown, region = ''): string[] {
  const problems: string[] = []
  const shape = OPERATIONS[op].input
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    problems.push(`Input of ${op} must be an object`)
    return problems
  }
  checkerFor(shape, isChinaRegion(region))(input, '', problems)
  return problems
}

/**
 * Throws {@link ValidationException} listing every constraint violation of `input` against
 * the operation's input shape. Members not in the model are ignored, as AWS does.
 */
export function validateInput(op: OperationName, input: unknown, region = ''): void {
  const problems = validationProblems(op, input, region)
  if (problems.length > 0) throw new ValidationException(formatProblems(problems))
}

/** {@link validateInput} for one operation in commercial (`china` false) or China Regions, compiled once. */
export type InputValidator = (input: unknown) => void

/**
 * The {@link validateInput} of `op`, with the shape's checker looked up once (the core keeps
 * one per operation and partition instead of finding the checker on every call).
 */
export function inputValidator(op: OperationName, china: boolean): InputValidator {
  const check = checkerFor(OPERATIONS[op].input, china)
  return (input) => {
    const problems: string[] = []
    if (input === null || typeof input !== 'object' || Array.isArray(input))
      problems.push(`Input of ${op} must be an object`)
    else check(input, '', problems)
    if (problems.length > 0) throw new ValidationException(formatProblems(problems))
  }
}

/** Formats problems the way AWS does. */
export function formatProblems(problems: readonly string[]): string {
  const n = problems.length
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`
}

/**
 * Enum values that exist only in the China Regions (SM2 key spec, SM2DSA signing, SM2PKE
 * encryption and wrapping): AWS's commercial-Region enum lists do not name them (the KeySpec
 * list recorded in LocalStack's AWS snapshot, `create-hmac-key-invalid-spec`, has no SM2), so
 * elsewhere they fail validation like any unknown value.
 */
const CHINA_ONLY_VALUES: ReadonlySet<string> = new Set(['SM2', 'SM2DSA', 'SM2PKE'])

/**
 * AWS lists enum values in its own (hash-set) order, not the model's. The lists recorded
 * against real AWS (LocalStack snapshot) are used when the value set is the same.
 */
const RECORDED_ORDERS: readonly (readonly string[])[] = [
  [
    'RSA_2048',
    'ECC_NIST_P384',
    'ECC_NIST_P256',
    'ECC_NIST_P521',
    'HMAC_384',
    'RSA_3072',
    'ECC_SECG_P256K1',
    'RSA_4096',
    'SYMMETRIC_DEFAULT',
    'HMAC_256',
    'HMAC_224',
    'HMAC_512',
  ],
  ['HMAC_SHA_384', 'HMAC_SHA_256', 'HMAC_SHA_224', 'HMAC_SHA_512'],
]

/** The enum values accepted (and listed in messages) in a China or a commercial Region. */
export function enumValues(values: readonly string[], china: boolean): string[] {
  const own = china ? [...values] : values.filter((v) => !CHINA_ONLY_VALUES.has(v))
  const recorded = RECORDED_ORDERS.find((o) => o.length === own.length && o.every((v) => own.includes(v)))
  return recorded !== undefined ? [...recorded] : own
}

/** True for the China Regions (aws-cn partition), where SM2 exists. */
export function isChinaRegion(region: string): boolean {
  return region.startsWith('cn-')
}

function checkerFor(shapeName: string, china: boolean): Check {
  const id = china ? `cn:${shapeName}` : shapeName
  let c = compiled.get(id)
  if (c === undefined) {
    // Placeholder first, so recursive shapes terminate.
    compiled.set(id, (v, p, probs) => compiled.get(id)?.(v, p, probs))
    c = compile(shapeName, china)
    compiled.set(id, c)
  }
  return c
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1)
}

function showValue(shape: ShapeDef, value: unknown): string {
  if (shape.sensitive || shape.type === 'blob') return 'Value'
  return `Value '${javaString(value)}'`
}

function javaString(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${javaString(v)}`)
      .join(', ')}}`
  }
  return String(value)
}

function violation(shape: ShapeDef, value: unknown, path: string, rule: string): string {
  return `${showValue(shape, value)} at '${path}' failed to satisfy constraint: ${rule}`
}

function compile(shapeName: string, china: boolean): Check {
  const shape = SHAPES[shapeName]
  if (shape === undefined) return () => {}
  switch (shape.type) {
    case 'structure': {
      const members = Object.entries(shape.members ?? {}).map(([name, m]) => ({
        name,
        wire: lowerFirst(name),
        required: m.required === true,
        check: checkerFor(m.target, china),
      }))
      return structureChecker(members)
    }
    case 'string':
    case 'enum': {
      const re = shape.pattern !== undefined ? new RegExp(shape.pattern, 'u') : undefined
      const values = shape.enum !== undefined ? new Set(enumValues(shape.enum, china)) : undefined
      return (value, path, problems) => {
        if (typeof value !== 'string') {
          problems.push(`Value at '${path}' failed to satisfy constraint: Member must be a string`)
          return
        }
        if (values !== undefined && !values.has(value)) {
          problems.push(
            violation(shape, value, path, `Member must satisfy enum value set: [${[...values].join(', ')}]`),
          )
          return
        }
        lengthChecks(shape, value, value.length, path, problems)
        if (re !== undefined && !re.test(value)) {
          problems.push(
            violation(shape, value, path, `Member must satisfy regular expression pattern: ${shape.pattern}`),
          )
        }
      }
    }
    case 'blob':
      return (value, path, problems) => {
        if (!(value instanceof Uint8Array)) {
          problems.push(`Value at '${path}' failed to satisfy constraint: Member must be binary data (Uint8Array)`)
          return
        }
        lengthChecks(shape, value, value.byteLength, path, problems)
      }
    case 'integer':
    case 'long':
      return (value, path, problems) => {
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          problems.push(
            `Value '${javaString(value)}' at '${path}' failed to satisfy constraint: Member must be an integer`,
          )
          return
        }
        if (shape.min !== undefined && value < shape.min) {
          problems.push(violation(shape, value, path, `Member must have value greater than or equal to ${shape.min}`))
        }
        if (shape.max !== undefined && value > shape.max) {
          problems.push(violation(shape, value, path, `Member must have value less than or equal to ${shape.max}`))
        }
      }
    case 'boolean':
      return (value, path, problems) => {
        if (typeof value !== 'boolean') {
          problems.push(
            `Value '${javaString(value)}' at '${path}' failed to satisfy constraint: Member must be a boolean`,
          )
        }
      }
    case 'timestamp':
      return (value, path, problems) => {
        if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
          problems.push(`Value at '${path}' failed to satisfy constraint: Member must be a timestamp (Date)`)
        }
      }
    case 'list': {
      const item = checkerFor(shape.member ?? '', china)
      return (value, path, problems) => {
        if (!Array.isArray(value)) {
          problems.push(`Value at '${path}' failed to satisfy constraint: Member must be a list`)
          return
        }
        lengthChecks(shape, value, value.length, path, problems)
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i]
          const p = `${path}.${i + 1}.member`
          if (v === undefined || v === null) {
            problems.push(`Value null at '${p}' failed to satisfy constraint: Member must not be null`)
            continue
          }
          item(v, p, problems)
        }
      }
    }
    case 'map': {
      const key = checkerFor(shape.key ?? '', china)
      const val = checkerFor(shape.value ?? '', china)
      return (value, path, problems) => {
        if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
          problems.push(`Value at '${path}' failed to satisfy constraint: Member must be a map of strings`)
          return
        }
        for (const [k, v] of Object.entries(value)) {
          key(k, `${path}.key`, problems)
          if (v === undefined || v === null) {
            problems.push(`Value null at '${path}.${k}' failed to satisfy constraint: Member must not be null`)
            continue
          }
          val(v, `${path}.${k}`, problems)
        }
      }
    }
    default:
      return () => {}
  }
}

/** One member of a structure as its checker sees it. */
interface MemberCheck {
  readonly name: string
  /** The member's name in messages (camelCase). */
  readonly wire: string
  readonly required: boolean
  readonly check: Check
}

/**
 * The checker of a structure: every member in the model's order, a null one reported when
 * required, any other checked by its own checker. Compiled to straight-line code that reads
 * each member by its literal name (`obj["KeyId"]`): every call validates its input, and one
 * inline-cached property read per member costs a fraction of a loop of computed-name reads
 * (which V8 can only serve from its megamorphic cache). The names are the model's
 * (JSON-quoted); nothing of the input reaches the generated code.
 */
function structureChecker(members: readonly MemberCheck[]): Check {
  const lines = members.map((m, i) => {
    const p = `(path === '' ? wires[${i}] : path + '.' + wires[${i}])`
    const absent = m.required
      ? `problems.push("Value null at '" + ${p} + "' failed to satisfy constraint: Member must not be null")`
      : ''
    return `v = obj[${JSON.stringify(m.name)}]
    if (v === undefined || v === null) {${absent}}
    else checks[${i}](v, ${p}, problems)`
  })
  const make = new Function(
    'checks',
    'wires',
    `return function checkStructure(obj, path, problems) {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      problems.push("Value at '" + path + "' failed to satisfy constraint: Member must be a structure")
      return
    }
    let v
    ${lines.join('\n    ')}
  }`,
  ) as (checks: readonly Check[], wires: readonly string[]) => Check
  return make(
    members.map((m) => m.check),
    members.map((m) => m.wire),
  )
}

function lengthChecks(shape: ShapeDef, value: unknown, length: number, path: string, problems: string[]): void {
  if (shape.min !== undefined && length < shape.min) {
    problems.push(violation(shape, value, path, `Member must have length greater than or equal to ${shape.min}`))
  }
  if (shape.max !== undefined && length > shape.max) {
    problems.push(violation(shape, value, path, `Member must have length less than or equal to ${shape.max}`))
  }
}
