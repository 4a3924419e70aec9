/**
 * DryRun: the request is checked (validation, key state, access) and then refused with
 * DryRunOperationException instead of doing any work
 * (https://docs.aws.amazon.com/kms/latest/developerguide/programming-dryrun.html).
 */
import { DryRunOperationException } from './errors.ts'

/** Throws DryRunOperationException when `input.DryRun` is true. Call it after every check, before acting. */
export function endDryRun(input: { DryRun?: boolean }): void {
  if (input.DryRun === true)
    throw new DryRunOperationException('The request would have succeeded, but the DryRun option is set.')
}
