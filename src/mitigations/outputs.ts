/**
 * The output of a KMS call as mitigations keep it (caches and pools hold outputs of
 * GenerateDataKey and Decrypt), and the plaintext data key in it.
 */
import type { OperationName, OperationOutputs } from '../kms/index.ts'

/** The output of any KMS operation. */
export type KmsOutput = OperationOutputs[OperationName]

/** The `Plaintext` of an output (GenerateDataKey, Decrypt, ...), if it has one. */
export function plaintextOf(output: KmsOutput): Uint8Array | undefined {
  return 'Plaintext' in output && output.Plaintext instanceof Uint8Array ? output.Plaintext : undefined
}
