/**
 * The explicit table of implemented KMS operations: one handler per file, same order of
 * steps in each (validate → resolve key → authorize → check state → act → output).
 * Operations of the model missing here answer UnsupportedOperationException.
 */
import type { OperationTable } from '../context.ts'
import { createKey } from './create-key.ts'
import { decrypt } from './decrypt.ts'
import { describeKey } from './describe-key.ts'
import { encrypt } from './encrypt.ts'
import { generateDataKey } from './generate-data-key.ts'

export const OPERATION_TABLE: OperationTable = {
  CreateKey: createKey,
  Decrypt: decrypt,
  DescribeKey: describeKey,
  Encrypt: encrypt,
  GenerateDataKey: generateDataKey,
}
