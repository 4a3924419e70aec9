/**
 * `npm run bench`: micro-benchmarks of the hot paths, reported as ratios against a
 * reference measured in the same run.
 */
import { createCipheriv, randomFillSync } from 'node:crypto'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { Bench } from 'tinybench'
import { createEmulator } from '../src/index.ts'

const kms = createEmulator({ profile: 'none', audit: { capacity: 0 } })
const { KeyMetadata } = kms.callSync('CreateKey', {})
const keyId = KeyMetadata!.KeyId
const plaintext = new Uint8Array(32)
const ciphertext = kms.callSync('Encrypt', { KeyId: keyId, Plaintext: plaintext }).CiphertextBlob!
const key = Buffer.alloc(32, 7)
const iv = Buffer.alloc(12)

const bench = new Bench({ time: 1500 })
bench
  .add('bare node:crypto AES-256-GCM (32 B)', () => {
    randomFillSync(iv)
    const c = createCipheriv('aes-256-gcm', key, iv)
    c.update(plaintext)
    c.final()
    c.getAuthTag()
  })
  .add('emulator Encrypt (32 B)', () => {
    kms.callSync('Encrypt', { KeyId: keyId, Plaintext: plaintext })
  })
  .add('emulator GenerateDataKey AES_256', () => {
    kms.callSync('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' })
  })
  .add('emulator Decrypt (32 B, no KeyId)', () => {
    kms.callSync('Decrypt', { CiphertextBlob: ciphertext })
  })
await bench.run()
const hz = Object.fromEntries(bench.tasks.map((t) => [t.name, t.result && 'throughput' in t.result ? t.result.throughput.mean : 0]))
const ref = hz['bare node:crypto AES-256-GCM (32 B)'] ?? 1
const figures = Object.fromEntries(Object.entries(hz).map(([k, v]) => [k, { opsPerSecond: Math.round(v), ratioToBareAesGcm: Number((v / ref).toFixed(3)) }]))
console.table(figures)
mkdirSync('reports/bench', { recursive: true })
writeFileSync('reports/bench/bench.json.tmp', JSON.stringify({ figures }, null, 2))
renameSync('reports/bench/bench.json.tmp', 'reports/bench/bench.json')
