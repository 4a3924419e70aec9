/**
 * Generates `src/kms/model.generated.ts` from the official KMS Smithy model
 * (`../shared/reference/data/kms-2014-11-01.smithy.json`, or the path given as argv[2]).
 *
 * The generated file holds the shape table used for validation and for the wire codec
 * (which members are blobs, timestamps, ...), and TypeScript types for every operation's
 * input and output. The product never reads the Smithy JSON at run time.
 *
 *   npm run gen:model [-- path/to/kms-2014-11-01.smithy.json]
 */
import { readFileSync, writeFileSync, renameSync } from 'node:fs'
import { resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SUPPLEMENT_OPERATIONS, SUPPLEMENT_SHAPES } from './model-supplement.ts'

interface SmithyShape {
  type: string
  members?: Record<string, { target: string; traits?: Record<string, unknown> }>
  member?: { target: string }
  key?: { target: string }
  value?: { target: string }
  input?: { target: string }
  output?: { target: string }
  errors?: { target: string }[]
  operations?: { target: string }[]
  traits?: Record<string, unknown>
}

const here = dirname(fileURLToPath(import.meta.url))
const modelPath = resolve(process.argv[2] ?? resolve(here, '../../shared/reference/data/kms-2014-11-01.smithy.json'))
const outPath = resolve(here, '../src/kms/model.generated.ts')
const model = JSON.parse(readFileSync(modelPath, 'utf8')) as { shapes: Record<string, SmithyShape> }
const shapes = model.shapes
const NS = 'com.amazonaws.kms#'
const local = (id: string): string => (id.startsWith(NS) ? id.slice(NS.length) : id.replace(/^smithy\.api#/, ''))

const service = shapes[`${NS}TrentService`]
if (!service?.operations) throw new Error('TrentService not found in model')
// The newer API surface of the installed SDK (model-supplement.ts): new shapes are added,
// existing structures and enums gain members, operations get the supplement's input/output/errors.
for (const [id, extra] of Object.entries(SUPPLEMENT_SHAPES)) {
  const base = shapes[id]
  if (base === undefined) shapes[id] = structuredClone(extra) as SmithyShape
  else {
    if (base.type !== extra.type) throw new Error(`supplement ${id} is ${extra.type}, model says ${base.type}`)
    if (extra.members) base.members = { ...base.members, ...extra.members }
    if (extra.input) base.input = extra.input
    if (extra.output) base.output = extra.output
    if (extra.errors) base.errors = extra.errors
  }
}
for (const op of SUPPLEMENT_OPERATIONS)
  if (!service.operations.some((o) => o.target === NS + op)) service.operations.push({ target: NS + op })
const opNames = service.operations.map((o) => local(o.target)).sort()

// Shapes reachable from operation inputs/outputs.
const reachable = new Set<string>()
function visit(id: string): void {
  if (!id.startsWith(NS) || reachable.has(id)) return
  const s = shapes[id]
  if (!s) return
  reachable.add(id)
  for (const m of Object.values(s.members ?? {})) if (s.type !== 'enum') visit(m.target)
  if (s.member) visit(s.member.target)
  if (s.key) visit(s.key.target)
  if (s.value) visit(s.value.target)
}
const errorNames = new Set<string>()
for (const op of opNames) {
  const o = shapes[NS + op]!
  if (o.input) visit(o.input.target)
  if (o.output) visit(o.output.target)
  for (const e of o.errors ?? []) errorNames.add(local(e.target))
}

interface OutShape {
  type: string
  members?: Record<string, { target: string; required?: true }>
  member?: string
  key?: string
  value?: string
  enum?: string[]
  min?: number
  max?: number
  pattern?: string
  sensitive?: true
}

function simplify(id: string): OutShape {
  const s = shapes[id]!
  const out: OutShape = { type: s.type }
  const t = s.traits ?? {}
  const length = t['smithy.api#length'] as { min?: number; max?: number } | undefined
  const range = t['smithy.api#range'] as { min?: number; max?: number } | undefined
  const lim = length ?? range
  if (lim?.min !== undefined) out.min = lim.min
  if (lim?.max !== undefined) out.max = lim.max
  if (typeof t['smithy.api#pattern'] === 'string') out.pattern = t['smithy.api#pattern'] as string
  if (t['smithy.api#sensitive'] !== undefined) out.sensitive = true
  if (s.type === 'enum') {
    out.enum = Object.values(s.members ?? {}).map((m) => String(m.traits?.['smithy.api#enumValue']))
  } else if (s.type === 'structure') {
    out.members = {}
    for (const [name, m] of Object.entries(s.members ?? {})) {
      out.members[name] = {
        target: local(m.target),
        ...(m.traits?.['smithy.api#required'] !== undefined ? { required: true as const } : {}),
      }
    }
  }
  if (s.member) out.member = local(s.member.target)
  if (s.key) out.key = local(s.key.target)
  if (s.value) out.value = local(s.value.target)
  return out
}

const shapeTable: Record<string, OutShape> = {}
for (const id of [...reachable].sort()) shapeTable[local(id)] = simplify(id)
// smithy.api#Unit: the empty output of operations that return nothing.
shapeTable['Unit'] = { type: 'structure', members: {} }

function tsType(name: string): string {
  const prim: Record<string, string> = {
    String: 'string',
    Boolean: 'boolean',
    Integer: 'number',
    Long: 'number',
    Blob: 'Uint8Array',
    Timestamp: 'Date',
  }
  if (prim[name]) return prim[name]!
  const s = shapeTable[name]
  if (!s) throw new Error(`unknown shape ${name}`)
  switch (s.type) {
    case 'string':
      return 'string'
    case 'blob':
      return 'Uint8Array'
    case 'integer':
    case 'long':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'timestamp':
      return 'Date'
    case 'enum':
      return name
    case 'list':
      return `${tsType(s.member!)}[]`
    case 'map':
      return `Record<${tsType(s.key!)}, ${tsType(s.value!)}>`
    case 'structure':
      return name
    default:
      throw new Error(`unhandled type ${s.type} for ${name}`)
  }
}

const lines: string[] = []
lines.push('// GENERATED by scripts/gen-model.ts from the official KMS Smithy model')
lines.push('// (github.com/aws/api-models-aws kms/service/2014-11-01/kms-2014-11-01.json, Apache-2.0).')
lines.push('// Do not edit by hand: run `npm run gen:model`.')
lines.push('/* eslint-disable */')
lines.push('')
lines.push('/** Every KMS API operation, as named in the model (and in `X-Amz-Target: TrentService.<Op>`). */')
lines.push(`export const OPERATION_NAMES = ${JSON.stringify(opNames)} as const`)
lines.push('/** A KMS API operation name. */')
lines.push('export type OperationName = (typeof OPERATION_NAMES)[number]')
lines.push('')
lines.push('/** A shape of the model, reduced to what validation and the wire codec need. */')
lines.push('export interface ShapeDef {')
lines.push(
  "  type: 'structure' | 'string' | 'enum' | 'blob' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'list' | 'map'",
)
lines.push('  members?: Record<string, { target: string; required?: true }>')
lines.push('  member?: string')
lines.push('  key?: string')
lines.push('  value?: string')
lines.push('  enum?: readonly string[]')
lines.push('  /** length (strings, blobs, lists) or range (numbers) lower bound */')
lines.push('  min?: number')
lines.push('  /** length (strings, blobs, lists) or range (numbers) upper bound */')
lines.push('  max?: number')
lines.push('  pattern?: string')
lines.push('  /** values must never be echoed (in errors, logs or audit events) */')
lines.push('  sensitive?: true')
lines.push('}')
lines.push('')
lines.push('/** Shapes reachable from operation inputs and outputs, keyed by shape name. */')
lines.push('export const SHAPES: Readonly<Record<string, ShapeDef>> = {')
for (const [name, s] of Object.entries(shapeTable)) lines.push(`  ${JSON.stringify(name)}: ${JSON.stringify(s)},`)
lines.push('}')
lines.push('')
lines.push("/** Each operation's input and output shape names and modeled errors. */")
lines.push(
  'export const OPERATIONS: Readonly<Record<OperationName, { input: string; output: string; errors: readonly string[] }>> = {',
)
for (const op of opNames) {
  const o = shapes[NS + op]!
  lines.push(
    `  ${op}: { input: ${JSON.stringify(local(o.input!.target))}, output: ${JSON.stringify(local(o.output!.target))}, errors: ${JSON.stringify((o.errors ?? []).map((e) => local(e.target)))} },`,
  )
}
lines.push('}')
lines.push('')
lines.push("/** Modeled errors: fault and the model's httpError (the wire uses 400 for client errors; see server/). */")
lines.push(
  "export const MODELED_ERRORS: Readonly<Record<string, { fault: 'client' | 'server'; httpError: number }>> = {",
)
for (const e of [...errorNames].sort()) {
  const t = shapes[NS + e]!.traits ?? {}
  lines.push(
    `  ${e}: { fault: ${JSON.stringify(t['smithy.api#error'])}, httpError: ${JSON.stringify(t['smithy.api#httpError'])} },`,
  )
}
lines.push('}')
lines.push('')
for (const [name, s] of Object.entries(shapeTable)) {
  if (s.type === 'enum') {
    lines.push(`export type ${name} = ${s.enum!.map((v) => JSON.stringify(v)).join(' | ')}`)
  } else if (s.type === 'structure') {
    if (Object.keys(s.members ?? {}).length === 0) {
      lines.push(`export type ${name} = Record<string, never>`)
      continue
    }
    lines.push(`export interface ${name} {`)
    for (const [m, def] of Object.entries(s.members ?? {}))
      lines.push(`  ${m}${def.required ? '' : '?'}: ${tsType(def.target)}`)
    lines.push('}')
  }
}
lines.push('')
lines.push('/** Input shape of each operation. */')
lines.push('export interface OperationInputs {')
for (const op of opNames) lines.push(`  ${op}: ${local(shapes[NS + op]!.input!.target)}`)
lines.push('}')
lines.push('/** Output shape of each operation. */')
lines.push('export interface OperationOutputs {')
for (const op of opNames) lines.push(`  ${op}: ${local(shapes[NS + op]!.output!.target)}`)
lines.push('}')
lines.push('')

// Which key-identifying members accept alias names and alias ARNs, read from each member's
// documentation: "To specify a KMS key, use its key ID, key ARN, alias name, or alias ARN"
// (alias) versus "Specify the key ID or key ARN of the KMS key" (key); 'unstated' where the
// text says neither (kms/alias-rules.ts decides those from the developer guide).
const KEY_MEMBERS = ['KeyId', 'TargetKeyId', 'SourceKeyId', 'DestinationKeyId']
const rules: Record<string, Record<string, 'alias' | 'key' | 'unstated'>> = {}
for (const op of opNames) {
  const input = shapes[shapes[NS + op]!.input!.target]!
  for (const [member, m] of Object.entries(input.members ?? {})) {
    if (!KEY_MEMBERS.includes(member)) continue
    const text = String(m.traits?.['smithy.api#documentation'] ?? '')
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
    const rule =
      /alias name|alias ARN/i.test(text) && !/Alias names are not supported/i.test(text)
        ? 'alias'
        : /key ID or key ARN/i.test(text)
          ? 'key'
          : 'unstated'
    rules[op] = { ...rules[op], [member]: rule }
  }
}
lines.push('/**')
lines.push(' * Whether each key-identifying input member accepts alias names and alias ARNs, as its')
lines.push(" * documentation in the model says ('unstated': the text says neither).")
lines.push(' */')
lines.push(
  "export const KEY_ID_ALIAS_RULES: Readonly<Record<string, Readonly<Record<string, 'alias' | 'key' | 'unstated'>>>> = {",
)
for (const [op, r] of Object.entries(rules)) lines.push(`  ${op}: ${JSON.stringify(r)},`)
lines.push('}')
lines.push('')

const tmp = `${outPath}.tmp`
writeFileSync(tmp, lines.join('\n'))
renameSync(tmp, outPath)
console.log(`wrote ${outPath}: ${opNames.length} operations, ${Object.keys(shapeTable).length} shapes`)
