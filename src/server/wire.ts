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

type Decoder = (value: unknown, path: string) => unknown
type Encoder = (value: unknown) => unknown

const decoders = new Map<string, Decoder>()
const encoders = new Map<string, Encoder>()

/** Standard base64 with padding, the only form the AWS SDKs send (RFC 4648 §4). */
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

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
  return decoderFor(OPERATIONS[operation].input)(json, '') as OperationInputs[Op]
}

/** Converts an operation's output to its JSON wire form (a plain object ready for `JSON.stringify`). */
export function encodeOutput<Op extends OperationName>(operation: Op, output: OperationOutputs[Op]): unknown {
  return encoderFor(OPERATIONS[operation].output)(output ?? {})
}

/** The JSON text of an operation's output. */
export function encodeResponse<Op extends OperationName>(operation: Op, output: OperationOutputs[Op]): string {
  return JSON.stringify(encodeOutput(operation, output))
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

function join(path: string, member: string): string {
  return path === '' ? member : `${path}.${member}`
}

function decoderFor(shapeName: string): Decoder {
  let d = decoders.get(shapeName)
  if (d === undefined) {
    // Placeholder first, so recursive shapes terminate.
    decoders.set(shapeName, (v, p) => (decoders.get(shapeName) as Decoder)(v, p))
    d = compileDecoder(shapeName)
    decoders.set(shapeName, d)
  }
  return d
}

function compileDecoder(shapeName: string): Decoder {
  const shape = SHAPES[shapeName]
  if (shape === undefined) return (v) => v
  switch (shape.type) {
    case 'structure': {
      const members = new Map(
        Object.entries(shape.members ?? {}).map(([name, m]) => [name, decoderFor(m.target)] as const),
      )
      return (value, path) => {
        if (value === null || typeof value !== 'object' || Array.isArray(value))
          throw mismatch(path, 'a structure (JSON object)', value)
        const out: Record<string, unknown> = {}
        for (const [name, v] of Object.entries(value)) {
          // Members the model does not know are ignored, and JSON null means "not set" (awsJson1_1).
          const decode = members.get(name)
          if (decode === undefined || v === null) continue
          out[name] = decode(v, join(path, name))
        }
        return out
      }
    }
    case 'string':
    case 'enum':
      return (value, path) => {
        if (typeof value !== 'string') throw mismatch(path, 'a string', value)
        return value
      }
    case 'blob':
      return (value, path) => {
        if (typeof value !== 'string') throw mismatch(path, 'a base64-encoded string', value)
        if (!BASE64_RE.test(value)) throw new SerializationException(`Value at '${path}' is not valid base64`)
        return Buffer.from(value, 'base64')
      }
    case 'integer':
    case 'long':
      return (value, path) => {
        if (typeof value !== 'number') throw mismatch(path, 'a number', value)
        return value
      }
    case 'boolean':
      return (value, path) => {
        if (typeof value !== 'boolean') throw mismatch(path, 'a boolean', value)
        return value
      }
    case 'timestamp':
      return (value, path) => {
        if (typeof value !== 'number' || !Number.isFinite(value))
          throw mismatch(path, 'a timestamp (epoch seconds)', value)
        return new Date(value * 1000)
      }
    case 'list': {
      const item = decoderFor(shape.member ?? '')
      return (value, path) => {
        if (!Array.isArray(value)) throw mismatch(path, 'a list (JSON array)', value)
        // null items are kept: validation reports them ("Member must not be null").
        return value.map((v: unknown, i) => (v === null ? null : item(v, `${path}[${i}]`)))
      }
    }
    case 'map': {
      const val = decoderFor(shape.value ?? '')
      return (value, path) => {
        if (value === null || typeof value !== 'object' || Array.isArray(value))
          throw mismatch(path, 'a map (JSON object)', value)
        const out: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(value)) {
          const decoded = v === null ? null : val(v, join(path, k))
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
  let e = encoders.get(shapeName)
  if (e === undefined) {
    encoders.set(shapeName, (v) => (encoders.get(shapeName) as Encoder)(v))
    e = compileEncoder(shapeName)
    encoders.set(shapeName, e)
  }
  return e
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
