/**
 * boto3 (botocore's own KMS model and error parsing) against `kms-bench serve`: custom key
 * stores, their FAILED state and documented errors, and the key material id members, checked
 * against AWS's documented and recorded answers. Skips, saying why, where python3 or boto3 is
 * missing.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { pythonUnavailableReason } from './support/moto.ts'
import { startServeChild, type ServeChild } from './support/serve-child.ts'

const run = promisify(execFile)
const SCRIPT = fileURLToPath(new URL('./support/boto3_custom_key_stores.py', import.meta.url))
const pythonReason = pythonUnavailableReason()
if (pythonReason !== undefined) console.warn(`custom-key-stores-boto3: skipped: ${pythonReason}`)

let server: ServeChild | undefined
afterAll(async () => {
  await server?.stop('SIGKILL').catch(() => {})
})

describe.skipIf(pythonReason !== undefined)('custom key stores through boto3', () => {
  it('answers as AWS documents and records', async () => {
    server = await startServeChild(['--key-store-connect', '300ms'])
    const { stdout } = await run('python3', [SCRIPT, server.url], { timeout: 120_000 })
    const out = JSON.parse(stdout) as Record<string, unknown>
    // A public proxy is tested before the store is created (create-xks-keystore.html).
    expect(out.publicUnreachable).toMatchObject({ code: 'XksProxyUriUnreachableException' })
    expect(out.hsmStore).toMatchObject({
      ConnectionState: 'CONNECTED',
      CustomKeyStoreType: 'AWS_CLOUDHSM',
      CloudHsmClusterId: 'cluster-2a23b4cdefg',
    })
    expect(out.hsmStore).not.toHaveProperty('ConnectionErrorCode')
    // VPC connectivity: only the connection tests the proxy, and fails with the documented code.
    expect(out.xksStore).toMatchObject({ ConnectionState: 'FAILED', ConnectionErrorCode: 'XKS_PROXY_NOT_REACHABLE' })
    expect(out.connectFailed).toMatchObject({ code: 'CustomKeyStoreInvalidStateException' })
    expect(out.createInFailed).toMatchObject({ code: 'CustomKeyStoreInvalidStateException' })
    expect(out.hsmKey).toEqual({
      Origin: 'AWS_CLOUDHSM',
      CustomKeyStoreId: (out.hsmStore as { CustomKeyStoreId: string }).CustomKeyStoreId,
      CloudHsmClusterId: 'cluster-2a23b4cdefg',
      KeyState: 'Enabled',
    })
    // Decrypt's members as AWS recorded them (LocalStack's AWS snapshot,
    // test_encrypt_decrypt_encryption_context, decrypt_response_with_encryption_context, 2025-09-22).
    expect(out.decryptMembers).toEqual(['EncryptionAlgorithm', 'KeyId', 'KeyMaterialId', 'Plaintext'])
    expect(out.decryptMaterial).toBe(out.currentMaterial)
    expect(out.decryptMaterial).toMatch(/^[0-9a-f]{64}$/)
    expect(out.gdkMembers).toEqual(['CiphertextBlob', 'KeyId', 'KeyMaterialId', 'Plaintext'])
    expect(out.decryptDisconnected).toMatchObject({ code: 'KMSInvalidStateException' })
    expect((out.decryptDisconnected as { message: string }).message).toMatch(/^arn:aws:kms:.* is unavailable\.$/)
    expect(out.randomDisconnected).toMatchObject({ code: 'CustomKeyStoreInvalidStateException' })
    expect(out.deleteWithKeys).toMatchObject({ code: 'CustomKeyStoreHasCMKsException' })
  }, 150_000)
})
