/** Errors of saved state (`snapshot.ts`, `state-records.ts`). */

/** A snapshot that cannot be taken or restored; the message names the problem and where. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError'
}
