/**
 * The scenario reference stays true: schema/scenario.schema.json and docs/scenarios.md are what
 * the zod schemas generate now (regenerate with `npm run gen:docs`), every field has a meaning,
 * every built-in mitigation an example, and the file-format examples parse.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseLatencySpec } from '../src/load/scenario/latency-model.ts'
import { scenarioSchema } from '../src/load/index.ts'
import { BUILT_IN_MITIGATIONS } from '../src/mitigations/index.ts'
import { parseCredentialsFile } from '../src/server/credentials.ts'
import { parseSeed } from '../src/server/seed.ts'
import {
  FILE_MEANINGS,
  fieldPaths,
  fileFormatPaths,
  MEANINGS,
  MITIGATION_DOCS,
  meaningOf,
  renderScenarioReference,
  scenarioJsonSchema,
} from '../scripts/scenario-reference.ts'

import { mitigationOptions } from '../scripts/mitigation-options.ts'

const ROOT = join(import.meta.dirname, '..')
const STALE = 'stale: run `npm run gen:docs` and commit the result'

describe('scenario reference', () => {
  it('docs/scenarios.md and schema/scenario.schema.json are current', () => {
    expect(readFileSync(join(ROOT, 'docs', 'scenarios.md'), 'utf8'), `docs/scenarios.md is ${STALE}`).toBe(
      renderScenarioReference(),
    )
    expect(
      readFileSync(join(ROOT, 'schema', 'scenario.schema.json'), 'utf8'),
      `schema/scenario.schema.json is ${STALE}`,
    ).toBe(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`)
  })

  it('gives every field of the scenario and of the file formats a meaning', () => {
    const scenario = fieldPaths(scenarioJsonSchema() as never, new Set(['payloadBytes', 'distribution']))
    expect(scenario.filter((p) => meaningOf(p, MEANINGS) === undefined)).toEqual([])
    for (const [format, paths] of Object.entries(fileFormatPaths()))
      expect(
        paths.filter((p) => meaningOf(p, FILE_MEANINGS[format] ?? {}) === undefined),
        format,
      ).toEqual([])
  })

  it('shows every field in a table: nested objects (fleet.groups[], steps[], faults, client, alarm) included', () => {
    const md = renderScenarioReference()
    const missing = Object.entries(MEANINGS)
      .filter(([path]) => !path.startsWith('*.'))
      .filter(([, meaning]) => !md.includes(`| ${meaning.replace(/\|/g, '\\|')} |`))
      .map(([path]) => path)
    expect(missing).toEqual([])
  })

  it('documents every built-in mitigation with an example', () => {
    expect(Object.keys(BUILT_IN_MITIGATIONS).filter((m) => MITIGATION_DOCS[m] === undefined)).toEqual([])
  })

  it('lists every option of every built-in mitigation, each with a meaning, and only options its factory takes', () => {
    for (const [name, factory] of Object.entries(BUILT_IN_MITIGATIONS)) {
      const options = mitigationOptions(ROOT, name)
      expect(options.length, name).toBeGreaterThan(0)
      expect(
        options.filter((o) => o.meaning === '').map((o) => o.name),
        name,
      ).toEqual([])
      // The factory's strict schema refuses a name it does not know, and knows every documented one.
      const unknown = (input: Record<string, unknown>): string[] =>
        (factory(input).problems ?? [])
          .filter((p) => /unknown|not an option|unrecognized/i.test(p.message))
          .map((p) => p.message)
      expect(unknown({ notAnOption: 1 }), name).not.toEqual([])
      for (const o of options) expect(unknown({ [o.name]: undefined }), `${name}.${o.name}`).toEqual([])
    }
  })

  it('its file-format examples parse with the real parsers', () => {
    const md = renderScenarioReference()
    const json = [...md.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1] ?? '') as unknown)
    expect(json).toHaveLength(3)
    expect(() => parseLatencySpec(json[0])).not.toThrow()
    expect(() => parseSeed(json[1])).not.toThrow()
    expect(() => parseCredentialsFile(json[2])).not.toThrow()
  })

  it('the JSON Schema is the zod schema of the scenario, input side', () => {
    const s = scenarioJsonSchema() as { properties: Record<string, unknown>; required: string[] }
    expect(Object.keys(s.properties)).toEqual(Object.keys(scenarioSchema.shape))
    expect(s.required.sort()).toEqual(['arrivals', 'keys', 'name', 'requests'])
    expect(z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' })).toBeDefined()
  })
})
