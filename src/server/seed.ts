/**
 * Keys, aliases and IAM identity policies to create when the endpoint starts
 * (`kms-bench serve --seed FILE`), through the core's own operations (CreateKey, CreateAlias,
 * TagResource, EnableKeyRotation, ReplicateKey), so seeded keys are exactly what API calls
 * would have made. Seeding bypasses the request quotas (a hundred keys at 5 CreateKey/s would
 * otherwise take 20 s) and is not audited as caller activity.
 *
 * File format (JSON; every member optional except where noted):
 *
 * ```json
 * { "keys": [
 *     { "aliases": ["alias/app"], "description": "app data key",
 *       "keySpec": "SYMMETRIC_DEFAULT", "keyUsage": "ENCRYPT_DECRYPT",
 *       "account": "111122223333", "region": "us-east-1",
 *       "policy": { "Version": "2012-10-17", "Statement": [ ... ] },
 *       "tags": { "team": "payments" },
 *       "rotation": { "enabled": true, "periodDays": 365 },
 *       "multiRegion": true, "replicaRegions": ["eu-west-1"] } ],
 *   "identityPolicies": [
 *     { "principal": "arn:aws:iam::111122223333:role/app", "name": "kms-use",
 *       "document": { "Version": "2012-10-17", "Statement": [ ... ] } } ] }
 * ```
 *
 * `account` and `region` default to the server's. `policy` and `document` may be JSON
 * objects or JSON text. With `--state`, the same seed file can be given on every start: an
 * entry whose aliases all exist already is skipped, and entries without aliases are created
 * only on a fresh (empty) state.
 */
import { z } from 'zod'
import type { Emulator } from '../emulator.ts'
import {
  KmsError,
  isAccountId,
  type KeySpec,
  type KeyUsageType,
  type OperationInputs,
  type OperationName,
  type OperationOutputs,
  SHAPES,
} from '../kms/index.ts'
import { isKnownRegion, suggestRegion } from '../regions.ts'

/** Bad seed file or a seed entry KMS refused: the message names the entry and the problem. */
export class SeedError extends Error {
  override readonly name = 'SeedError'
}

const KEY_SPECS = SHAPES['KeySpec']?.enum ?? []
const KEY_USAGES = SHAPES['KeyUsageType']?.enum ?? []

const region = z.string().superRefine((r, ctx) => {
  if (isKnownRegion(r)) return
  const hint = suggestRegion(r)
  ctx.addIssue({
    code: 'custom',
    message: `unknown Region '${r}'${hint !== undefined ? ` (did you mean ${hint}?)` : ''}`,
  })
})
const policyText = z
  .union([z.string().min(1), z.record(z.string(), z.unknown())])
  .transform((p) => (typeof p === 'string' ? p : JSON.stringify(p)))

const keySchema = z
  .object({
    aliases: z
      .array(z.string().regex(/^alias\/[a-zA-Z0-9:/_-]+$/, 'aliases start with alias/ and use [a-zA-Z0-9:/_-]'))
      .optional(),
    description: z.string().optional(),
    keySpec: z
      .string()
      .refine((s) => KEY_SPECS.includes(s), { message: `must be one of ${KEY_SPECS.join(', ')}` })
      .optional(),
    keyUsage: z
      .string()
      .refine((s) => KEY_USAGES.includes(s), { message: `must be one of ${KEY_USAGES.join(', ')}` })
      .optional(),
    account: z.string().refine(isAccountId, { message: 'must be a 12-digit account id' }).optional(),
    region: region.optional(),
    policy: policyText.optional(),
    tags: z.record(z.string(), z.string()).optional(),
    rotation: z.object({ enabled: z.boolean(), periodDays: z.number().int().optional() }).strict().optional(),
    multiRegion: z.boolean().optional(),
    replicaRegions: z.array(region).optional(),
  })
  .strict()
  .refine((k) => k.replicaRegions === undefined || k.multiRegion === true, {
    message: 'replicaRegions needs multiRegion: true',
  })

/** The seed file's zod schema (`serve --seed FILE`): the source of its reference in docs/scenarios.md. */
export const seedSchema = z
  .object({
    keys: z.array(keySchema).optional(),
    identityPolicies: z
      .array(z.object({ principal: z.string(), name: z.string(), document: policyText }).strict())
      .optional(),
  })
  .strict()

/** A validated seed file. */
export type Seed = z.infer<typeof seedSchema>

/** Validates a parsed seed file (format above). Throws {@link SeedError} naming every problem. */
export function parseSeed(json: unknown): Seed {
  const r = seedSchema.safeParse(json)
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    throw new SeedError(`invalid seed file: ${problems.join('; ')}`)
  }
  return r.data
}

/** What {@link applySeed} did. */
export interface SeedResult {
  readonly created: number
  readonly skipped: number
}

/**
 * Creates a seed's keys, aliases and identity policies in the emulator's core. `fresh` says
 * whether the state was empty (entries without aliases are created only then). Throws
 * {@link SeedError} naming the entry when KMS refuses one (nothing after it is created).
 */
export function applySeed(emulator: Emulator, seed: Seed, options: { fresh: boolean }): SeedResult {
  const core = emulator.core
  let created = 0
  let skipped = 0
  for (const [i, p] of (seed.identityPolicies ?? []).entries()) {
    try {
      core.identityPolicies.put(p.principal, p.name, p.document)
    } catch (e) {
      throw new SeedError(
        `seed identityPolicies.${i} (${p.principal} ${p.name}): ${e instanceof Error ? e.message : String(e)}`,
      )
    }
  }
  for (const [i, k] of (seed.keys ?? []).entries()) {
    const caller = core.caller({ account: k.account ?? core.defaultAccount, region: k.region ?? core.defaultRegion })
    const state = core.store.region(caller.account, caller.region)
    const aliases = k.aliases ?? []
    const existing = aliases.filter((a) => state.aliases.has(a))
    if (aliases.length > 0 && existing.length === aliases.length) {
      skipped++
      continue
    }
    if (existing.length > 0)
      throw new SeedError(
        `seed keys.${i}: ${existing.join(', ')} exist(s) already but ${aliases.filter((a) => !state.aliases.has(a)).join(', ')} do(es) not; refusing to guess which key is meant`,
      )
    if (aliases.length === 0 && !options.fresh) {
      skipped++
      continue
    }
    const call = <Op extends OperationName>(op: Op, input: OperationInputs[Op], c = caller): OperationOutputs[Op] => {
      try {
        return core.invoke(op, input, c)
      } catch (e) {
        throw new SeedError(
          `seed keys.${i}: ${op} failed: ${e instanceof KmsError ? `${e.name}: ${e.message}` : String(e)}`,
        )
      }
    }
    const createInput: OperationInputs['CreateKey'] = {}
    if (k.description !== undefined) createInput.Description = k.description
    if (k.keySpec !== undefined) createInput.KeySpec = k.keySpec as KeySpec
    if (k.keyUsage !== undefined) createInput.KeyUsage = k.keyUsage as KeyUsageType
    if (k.policy !== undefined) createInput.Policy = k.policy
    if (k.tags !== undefined)
      createInput.Tags = Object.entries(k.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue }))
    if (k.multiRegion === true) createInput.MultiRegion = true
    const keyId = call('CreateKey', createInput).KeyMetadata?.KeyId as string
    for (const a of aliases) call('CreateAlias', { AliasName: a, TargetKeyId: keyId })
    if (k.rotation?.enabled === true)
      call('EnableKeyRotation', {
        KeyId: keyId,
        ...(k.rotation.periodDays !== undefined ? { RotationPeriodInDays: k.rotation.periodDays } : {}),
      })
    for (const r of k.replicaRegions ?? []) call('ReplicateKey', { KeyId: keyId, ReplicaRegion: r })
    created++
  }
  return { created, skipped }
}
