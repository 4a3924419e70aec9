/**
 * `npm run gen:docs`: writes schema/scenario.schema.json and docs/scenarios.md from the zod
 * schemas (scripts/scenario-reference.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderScenarioReference, scenarioJsonSchema } from './scenario-reference.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
mkdirSync(join(root, 'schema'), { recursive: true })
writeFileSync(join(root, 'schema', 'scenario.schema.json'), `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`)
writeFileSync(join(root, 'docs', 'scenarios.md'), renderScenarioReference())
