/**
 * Real traffic in: CloudTrail KMS events read from S3-delivered log files or CloudTrail Lake /
 * Athena CSV results, turned into a replayable trace, calls table and scenario; and a
 * generator of realistic CloudTrail KMS records for tests and examples.
 */
export { callerOf, CloudTrailFormatError, type KmsTrailEvent } from './cloudtrail-event.ts'
export { generateKmsTrail, packTrailFiles, type TrailActor, type TrailGeneratorOptions } from './generate-trail.ts'
export { readTrailFile, type TrailFileContents } from './read-log.ts'
export { importAssumptions, renderTrailImport } from './render-import.ts'
export { buildTrailImport, type CallCount, type TrailImport, type TrailKey } from './trail-import.ts'
