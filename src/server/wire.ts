/**
 * The awsJson1_1 codec of KMS, generic over the official model's shape table
 * (`SHAPES`, `OPERATIONS` in `kms/model.generated.ts`): request JSON → the API's own shapes
 * (blobs as `Uint8Array`, timestamps as `Date`), and the API's output shapes → response JSON
 * (blobs as base64 strings, timestamps as epoch seconds, possibly fractional). See the Smithy
 * awsJson1_1 protocol (smithy-lang/smithy `aws-json.rst.template`) and kms-facts.md §7.
 *
 * It only converts and type-checks JSON values against the model: constraints (lengths,
 * ranges, enums, required members) are the core's job (`kms/validate.ts`). A JSON value of the
 * wrong type (a number where a string is expected, a blob that is not base64, ...) is a
 * SerializationException, as AWS's JSON front end answers.
 */
import {
  SerializationException,
  OPERATIONS,
  SHAPES,
  type OperationInputs,
  type OperationName,
  type OperationOutputs,
} from '../kms/index.ts'

/**
 * Converts one JSON value found at `key` of the value at path `parent`. The path of a value is
 * only spelled out (`pathOf`) where an error names it or a container passes it down, so a
 * well-formed request builds no path strings.
 */
type Decoder = (value: unknown, parent: string, key: string | number | undefined) => unknown
type Encoder = (value: unknown) => unknown
/** Writes a value's JSON text directly; `undefined` where `JSON.stringify` would omit the value. */
type TextEncoder = (value: unknown) => string | undefined

const decoders = new Map<string, Decoder>()
const encoders = new Map<string, Encoder>()
const textEncoders = new Map<string, TextEncoder>()

/**
 * Standard base64 with padding, the only form the AWS SDKs send (RFC 4648 §4): with a length
 * that is a multiple of 4 (checked beside it), the alphabet then at most two `=`. The same
 * strings as `^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$`, in half the
 * time on a ciphertext blob (one loop over a character class instead of groups of four).
 */
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * Parses a request body and converts it to the operation's input shape. An empty body is `{}`
 * (the SDKs send `{}` for empty inputs; some clients send nothing). Throws
 * {@link SerializationException} naming the problem.
 */
export function decodeRequest<Op extends OperationName>(operation: Op, body: Uint8Array | string): OperationInputs[Op] {
  const text =
    typeof body === 'string'
      ? body
      : (Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)).toString('utf8')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    // Blank is `{}`; checked only here, off the common path.
    if (text.trim() !== '')
      throw new SerializationException(
        `The request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
      )
    json = {}
  }
  return decodeInput(operation, json)
}

/** Converts a parsed JSON value to the operation's input shape (see {@link decodeRequest}). */
export function decodeInput<Op extends OperationName>(operation: Op, json: unknown): OperationInputs[Op] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SerializationException(`The request body must be a JSON object, not ${jsonType(json)}`)
  }
  return decoderFor(OPERATIONS[operation].input)(json, '', undefined) as OperationInputs[Op]
}

/** Converts an operation's output to its JSON wire form (a plain object ready for `JSON.stringify`). */
export function encodeOutput<Op extends OperationName>(operation: Op, output: OperationOutputs[Op]): unknown {
  return encoderFor(OPERATIONS[operation].output)(output ?? {})
}

/**
 * The JSON text of an operation's output: `JSON.stringify(encodeOutput(operation, output))`,
 * written in one pass without the intermediate object.
 */
export function encodeResponse<Op extends OperationName>(operation: Op, output: OperationOutputs[Op]): string {
  return textEncoderFor(OPERATIONS[operation].output)(output ?? {}) as string
}

function jsonType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  switch (typeof v) {
    case 'string':
      return 'a string'
    case 'number':
      return 'a number'
    case 'boolean':
      return 'a boolean'
    default:
      return 'an object'
  }
}

function mismatch(path: string, expected: string, v: unknown): SerializationException {
  return new SerializationException(
    `Expected ${expected} at '${path === '' ? '(body)' : path}' but found ${jsonType(v)}`,
  )
}

/** The path of the value at `key` (a member or map key, or a list index) of the value at `parent`. */
function pathOf(parent: string, key: string | number | undefined): string {
  if (key === undefined) return parent
  if (typeof key === 'number') return `${parent}[${key}]`
  return parent === '' ? key : `${parent}.${key}`
}

const hasOwn = Object.prototype.hasOwnProperty

/**
 * The compiled converter of a shape, compiled once. A forwarding placeholder is stored first,
 * so that a recursive shape's compile finds it and terminates.
 */
function compiledFor<F extends (...args: never[]) => unknown>(
  cache: Map<string, F>,
  shapeName: string,
  compile: (shapeName: string) => F,
): F {
  let f = cache.get(shapeName)
  if (f === undefined) {
    const forward = (...args: Parameters<F>): unknown => (cache.get(shapeName) as F)(...args)
    cache.set(shapeName, forward as unknown as F)
    f = compile(shapeName)
    cache.set(shapeName, f)
  }
  return f
}

function decoderFor(shapeName: string): Decoder {
  return compiledFor(decoders, shapeName, compileDecoder)
}

function compileDecoder(shapeName: string): Decoder {
  const shape = SHAPES[shapeName]
  if (shape === undefined) return (v) => v
  switch (shape.type) {
    case 'structure': {
      const members = new Map(
        Object.entries(shape.members ?? {}).map(([name, m]) => [name, decoderFor(m.target)] as const),
      )
      return (value, parent, key) => {
        if (value === null || typeof value !== 'object' || Array.isArray(value))
          throw mismatch(pathOf(parent, key), 'a structure (JSON object)', value)
        const here = pathOf(parent, key)
        const obj = value as Record<string, unknown>
        const out: Record<string, unknown> = {}
        // for-in over own members (a parsed JSON object has nothing else): Object.entries'
        // order, without its arrays.
        for (const name in obj) {
          if (!hasOwn.call(obj, name)) continue
          const v = obj[name]
          // Members the model does not know are ignored, and JSON null means "not set" (awsJson1_1).
          const decode = members.get(name)
          if (decode === undefined || v === null) continue
          out[name] = decode(v, here, name)
        }
        return out
      }
    }
    case 'string':
    case 'enum':
      return (value, parent, key) => {
        if (typeof value !== 'string') throw mismatch(pathOf(parent, key), 'a string', value)
        return value
      }
    case 'blob':
      return (value, parent, key) => {
        if (typeof value !== 'string') throw mismatch(pathOf(parent, key), 'a base64-encoded string', value)
        if ((value.length & 3) !== 0 || !BASE64_RE.test(value))
          throw new SerializationException(`Value at '${pathOf(parent, key)}' is not valid base64`)
        return Buffer.from(value, 'base64')
      }
    case 'integer':
    case 'long':
      return (value, parent, key) => {
        if (typeof value !== 'number') throw mismatch(pathOf(parent, key), 'a number', value)
        return value
      }
    case 'boolean':
      return (value, parent, key) => {
        if (typeof value !== 'boolean') throw mismatch(pathOf(parent, key), 'a boolean', value)
        return value
      }
    case 'timestamp':
      return (value, parent, key) => {
        if (typeof value !== 'number' || !Number.isFinite(value))
          throw mismatch(pathOf(parent, key), 'a timestamp (epoch seconds)', value)
        return new Date(value * 1000)
      }
    case 'list': {
      const item = decoderFor(shape.member ?? '')
      return (value, parent, key) => {
        if (!Array.isArray(value)) throw mismatch(pathOf(parent, key), 'a list (JSON array)', value)
        const here = pathOf(parent, key)
        // null items are kept: validation reports them ("Member must not be null").
        return value.map((v: unknown, i) => (v === null ? null : item(v, here, i)))
      }
    }
    case 'map': {
      const val = decoderFor(shape.value ?? '')
      return (value, parent, key) => {
        if (value === null || typeof value !== 'object' || Array.isArray(value))
          throw mismatch(pathOf(parent, key), 'a map (JSON object)', value)
        const here = pathOf(parent, key)
        const obj = value as Record<string, unknown>
        const out: Record<string, unknown> = {}
        for (const k in obj) {
          if (!hasOwn.call(obj, k)) continue
          const v = obj[k]
          const decoded = v === null ? null : val(v, here, k)
          // A map key may be any string, "__proto__" included: define it, never assign it.
          if (k === '__proto__')
            Object.defineProperty(out, k, { value: decoded, enumerable: true, writable: true, configurable: true })
          else out[k] = decoded
        }
        return out
      }
    }
    default:
      return (v) => v
  }
}

function encoderFor(shapeName: string): Encoder {
  return compiledFor(encoders, shapeName, compileEncoder)
}

function toBase64(v: Uint8Array): string {
  return (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)).toString('base64')
}

function compileEncoder(shapeName: string): Encoder {
  const shape = SHAPES[shapeName]
  if (shape === undefined) return (v) => v
  switch (shape.type) {
    case 'structure': {
      const members = Object.entries(shape.members ?? {}).map(([name, m]) => [name, encoderFor(m.target)] as const)
      return (value) => {
        if (value === null || typeof value !== 'object') return {}
        const obj = value as Record<string, unknown>
        const out: Record<string, unknown> = {}
        for (const [name, encode] of members) {
          const v = obj[name]
          if (v !== undefined && v !== null) out[name] = encode(v)
        }
        return out
      }
    }
    case 'blob':
      return (value) => (value instanceof Uint8Array ? toBase64(value) : value)
    case 'timestamp':
      // Epoch seconds as a JSON number, fractional when the time has milliseconds (awsJson1_1).
      return (value) => (value instanceof Date ? value.getTime() / 1000 : value)
    case 'list': {
      const item = encoderFor(shape.member ?? '')
      return (value) => (Array.isArray(value) ? value.map((v: unknown) => item(v)) : value)
    }
    case 'map': {
      const val = encoderFor(shape.value ?? '')
      return (value) => {
        if (value === null || typeof value !== 'object') return value
        const out: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(value)) {
          if (k === '__proto__')
            Object.defineProperty(out, k, { value: val(v), enumerable: true, writable: true, configurable: true })
          else out[k] = val(v)
        }
        return out
      }
    }
    default:
      return (v) => v
  }
}

function textEncoderFor(shapeName: string): TextEncoder {
  return compiledFor(textEncoders, shapeName, compileTextEncoder)
}

/** `JSON.stringify` of a value the model says nothing more about. */
const asJson: TextEncoder = (v) => JSON.stringify(v)

/** The text version of {@link compileEncoder}: the same JSON, byte for byte (wire.test.ts checks it). */
function compileTextEncoder(shapeName: string): TextEncoder {
  const shape = SHAPES[shapeName]
  if (shape === undefined) return asJson
  switch (shape.type) {
    case 'structure':
      return compileStructureText(Object.entries(shape.members ?? {}))
    case 'enum': {
      // The model's values written once; anything else (the core answers only these) as JSON.
      const known = new Map((shape.enum ?? []).map((v) => [v, JSON.stringify(v)] as const))
      return (value) => (typeof value === 'string' ? (known.get(value) ?? JSON.stringify(value)) : asJson(value))
    }
    case 'blob':
      // Base64 needs no JSON escaping.
      return (value) => (value instanceof Uint8Array ? `"${toBase64(value)}"` : JSON.stringify(value))
    case 'timestamp':
      return (value) => JSON.stringify(value instanceof Date ? value.getTime() / 1000 : value)
    case 'list': {
      const item = textEncoderFor(shape.member ?? '')
      return (value) => {
        if (!Array.isArray(value)) return JSON.stringify(value)
        let text = ''
        for (let i = 0; i < value.length; i++) {
          const t = item(value[i]) ?? 'null'
          text = i === 0 ? t : `${text},${t}`
        }
        return `[${text}]`
      }
    }
    case 'map': {
      const val = textEncoderFor(shape.value ?? '')
      return (value) => {
        if (value === null || typeof value !== 'object') return JSON.stringify(value)
        const obj = value as Record<string, unknown>
        let text = ''
        for (const k in obj) {
          if (!hasOwn.call(obj, k)) continue
          const t = val(obj[k])
          if (t !== undefined) text = text === '' ? `${JSON.stringify(k)}:${t}` : `${text},${JSON.stringify(k)}:${t}`
        }
        return `{${text}}`
      }
    }
    default:
      return asJson
  }
}

/**
 * A structure's text encoder as straight-line code, one member read by its constant name after
 * the other (`new Function`, once per shape): each read has an inline cache of its own, which
 * sees the one shape of that operation's outputs, where a loop over member names makes one
 * keyed read that every structure shares and that is megamorphic.
 */
function compileStructureText(members: [string, { readonly target: string }][]): TextEncoder {
  const encoders = members.map(([, m]) => textEncoderFor(m.target))
  const prefixes = members.map(([name]) => `${JSON.stringify(name)}:`)
  const lines = members.map(
    ([name], i) => `v = obj[${JSON.stringify(name)}]
    if (v !== undefined && v !== null) {
      t = encoders[${i}](v)
      if (t !== undefined) text = text === '' ? prefixes[${i}] + t : text + ',' + prefixes[${i}] + t
    }`,
  )
  const make = new Function(
    'encoders',
    'prefixes',
    `return function encodeStructure(obj) {
    if (obj === null || typeof obj !== 'object') return '{}'
    let text = ''
    let v, t
    ${lines.join('\n    ')}
    return '{' + text + '}'
  }`,
  ) as (encoders: readonly TextEncoder[], prefixes: readonly string[]) => TextEncoder
  return make(encoders, prefixes)
}
