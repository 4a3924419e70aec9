/**
 * Checks a key record read back from saved state before the core uses it (issue 18.9: a
 * 32-byte key cut to 8 bytes used to load silently, then Decrypt answered
 * InvalidCiphertextException and Encrypt a 500 with a Node internal message). Throws
 * {@link SnapshotError} naming the key and what is wrong. Lenient where other modules may
 * legitimately leave gaps (no material yet for a key pending import).
 */
import { KeyObject } from 'node:crypto'
import { HMAC_KEY_BYTES } from './key-material.ts'
import { SHAPES } from './model.generated.ts'
import { SnapshotError } from './snapshot-error.ts'

const KEY_STATES = new Set(SHAPES['KeyState']?.enum ?? [])
const KEY_SPECS = new Set(SHAPES['KeySpec']?.enum ?? [])

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Throws SnapshotError when `key` (saved under `id` in `where`) is not a usable key record. */
export function checkKeyRecord(key: unknown, id: unknown, where: string): void {
  const name = `key ${String(id)} in ${where}`
  const bad = (what: string): never => {
    throw new SnapshotError(`${name} is damaged: ${what}; restore the state directory from a backup or remove the key`)
  }
  if (!isRecord(key)) bad('not a key record')
  const k = key as Record<string, unknown>
  if (k['keyId'] !== id) bad(`its keyId is ${JSON.stringify(k['keyId'])}`)
  for (const f of ['arn', 'account', 'region', 'policy', 'keyUsage', 'origin'])
    if (typeof k[f] !== 'string') bad(`${f} must be a string`)
  if (typeof k['keySpec'] !== 'string' || !KEY_SPECS.has(k['keySpec'])) bad(`unknown keySpec ${String(k['keySpec'])}`)
  if (typeof k['state'] !== 'string' || !KEY_STATES.has(k['state'])) bad(`unknown key state ${String(k['state'])}`)
  if (typeof k['createdAt'] !== 'number') bad('createdAt must be a number')
  if (!(k['tags'] instanceof Map)) bad('tags must be a map')
  if (!isRecord(k['rotation'])) bad('rotation state missing')
  const material = k['material']
  if (!isRecord(material) || !Array.isArray(material['versions'])) bad('key material missing')
  const m = material as { versions: unknown[]; current: unknown }
  if (m.versions.length > 0 && !(Number.isInteger(m.current) && (m.current as number) < m.versions.length))
    bad(`current material version ${String(m.current)} does not exist`)
  for (const [i, v] of m.versions.entries())
    checkMaterialVersion(v, k['keySpec'] as string, k['origin'] as string, i, bad)
}

function checkMaterialVersion(v: unknown, spec: string, origin: string, i: number, bad: (what: string) => never): void {
  if (!isRecord(v)) bad(`material version ${i} is not a record`)
  const mv = v as Record<string, unknown>
  const backing = mv['backingKeyId']
  if (!Buffer.isBuffer(backing) || backing.length !== 32) bad(`material version ${i} backing key id is not 32 bytes`)
  const secret = mv['secret']
  const expected = spec === 'SYMMETRIC_DEFAULT' ? 32 : HMAC_KEY_BYTES[spec as keyof typeof HMAC_KEY_BYTES]
  if (expected !== undefined) {
    if (secret === undefined && origin !== 'AWS_KMS') return
    if (!Buffer.isBuffer(secret)) bad(`material version ${i} has no ${spec} key bytes`)
    if ((secret as Buffer).length !== expected)
      bad(`material version ${i} key is ${(secret as Buffer).length} bytes, ${spec} needs ${expected}`)
    return
  }
  for (const [field, type] of [
    ['privateKey', 'private'],
    ['publicKey', 'public'],
  ] as const) {
    const kv = mv[field]
    if (kv === undefined) {
      if (origin === 'AWS_KMS') bad(`material version ${i} has no ${field}`)
      continue
    }
    if (!(kv instanceof KeyObject) || kv.type !== type) bad(`material version ${i} ${field} is not a ${type} key`)
  }
}
