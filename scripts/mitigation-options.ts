/**
 * The options of each built-in mitigation, read from its typed options interface
 * (`src/mitigations/<name>.ts`, `export interface <Name>Options`) with the TypeScript compiler:
 * each option's name, type, `@default` and meaning come from the declarations users' editors
 * show, so docs/scenarios.md cannot drift from them (scripts/scenario-reference.ts renders
 * them; test/scenario-reference.test.ts fails when the doc is stale or an option has no
 * meaning).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

/** One documented option. */
export interface MitigationOption {
  readonly name: string
  readonly type: string
  readonly required: boolean
  /** the `@default` tag's text, if any */
  readonly default: string | undefined
  readonly meaning: string
}

/** `data-key-cache` → `DataKeyCacheOptions`. */
function interfaceName(mitigation: string): string {
  return `${mitigation
    .split('-')
    .map((w) => (w === 's3' ? 'S3' : `${w[0]?.toUpperCase() ?? ''}${w.slice(1)}`))
    .join('')}Options`
}

/** The options of built-in mitigation `name`, in declaration order. */
export function mitigationOptions(root: string, name: string): MitigationOption[] {
  const file = join(root, 'src', 'mitigations', `${name}.ts`)
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const wanted = interfaceName(name)
  let found: ts.InterfaceDeclaration | undefined
  source.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === wanted) found = n
  })
  if (found === undefined) throw new Error(`${file} has no interface ${wanted}`)
  const out: MitigationOption[] = []
  for (const m of found.members) {
    if (!ts.isPropertySignature(m) || m.type === undefined) continue
    const docs = ts.getJSDocCommentsAndTags(m).filter(ts.isJSDoc)
    const doc = docs.at(-1)
    const comment = ts.getTextOfJSDocComment(doc?.comment) ?? ''
    const defaultTag = doc?.tags?.find((t) => t.tagName.text === 'default')
    out.push({
      name: m.name.getText(source),
      type: m.type.getText(source).replace(/\s+/g, ' '),
      required: m.questionToken === undefined,
      default: defaultTag !== undefined ? (ts.getTextOfJSDocComment(defaultTag.comment) ?? '').trim() : undefined,
      meaning: comment.replace(/\s+/g, ' ').trim(),
    })
  }
  return out
}

/** The Markdown table of a mitigation's options. */
export function optionTable(options: readonly MitigationOption[]): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|')
  return [
    '| Option | Type | Default | Meaning |',
    '| --- | --- | --- | --- |',
    ...options.map(
      (o) =>
        `| \`${o.name}\` | \`${cell(o.type)}\` | ${o.required ? 'required' : o.default !== undefined ? cell(o.default) : 'none'} | ${cell(o.meaning)} |`,
    ),
  ].join('\n')
}
