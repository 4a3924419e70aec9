import { describe, expect, it } from 'vitest'
import {
  AccessDeniedException,
  DependencyTimeoutException,
  DisabledException,
  DryRunOperationException,
  KeyUnavailableException,
  KMSInternalException,
  NotFoundException,
  ThrottlingException,
  THROTTLING_MESSAGE,
} from '../kms/errors.ts'
import { HttpError, toWireError } from './errors.ts'

describe('toWireError', () => {
  it('sends 400 for client errors, even those the model marks 404/409/412', () => {
    // DryRunOperationException: 400 in AWS's recorded responses (localstack-kms-aws-snapshot.json), 412 in the model.
    const dryRun = new DryRunOperationException('The request would have succeeded, but the DryRun option is set.')
    for (const e of [
      new NotFoundException('Key x does not exist'),
      new DisabledException('x is disabled.'),
      new ThrottlingException(THROTTLING_MESSAGE),
      dryRun,
    ]) {
      const w = toWireError(e)
      expect(w.status).toBe(400)
      expect(JSON.parse(w.body)).toEqual({ __type: e.name, message: e.message })
    }
  })

  it('uses Message for AccessDeniedException, as AWS does', () => {
    const w = toWireError(new AccessDeniedException('User: arn is not authorized'))
    expect(JSON.parse(w.body)).toEqual({ __type: 'AccessDeniedException', Message: 'User: arn is not authorized' })
  })

  it('sends 5xx only for the three server faults', () => {
    expect(toWireError(new KMSInternalException('x')).status).toBe(500)
    expect(toWireError(new KeyUnavailableException('x')).status).toBe(500)
    expect(toWireError(new DependencyTimeoutException('x')).status).toBe(503)
  })

  it('turns anything unexpected into a 500 KMSInternalException and keeps the cause for the log', () => {
    const bug = new TypeError('cannot read properties of undefined')
    const w = toWireError(bug)
    expect(w.status).toBe(500)
    expect(JSON.parse(w.body)).toMatchObject({ __type: 'KMSInternalException' })
    expect(w.body).not.toContain('cannot read')
    expect(w.unexpected).toBe(bug)
    expect(toWireError('a string').status).toBe(500)
  })

  it('writes the body JSON.stringify would, byte for byte, whatever the message holds', () => {
    for (const message of [
      '',
      'plain',
      'quote " backslash \\ newline \n tab \t',
      '\u0000\u001f\u2028 é 😀',
      '\ud800 lone',
    ]) {
      const e = new NotFoundException(message)
      expect(toWireError(e).body).toBe(JSON.stringify({ __type: 'NotFoundException', message }))
      const d = new AccessDeniedException(message)
      expect(toWireError(d).body).toBe(JSON.stringify({ __type: 'AccessDeniedException', Message: message }))
      const h = new HttpError(413, 'RequestEntityTooLargeException', message)
      expect(toWireError(h).body).toBe(JSON.stringify({ __type: 'RequestEntityTooLargeException', message }))
    }
  })

  it('passes HTTP-level errors through', () => {
    const w = toWireError(new HttpError(413, 'RequestEntityTooLargeException', 'too big'))
    expect(w.status).toBe(413)
    expect(JSON.parse(w.body)).toEqual({ __type: 'RequestEntityTooLargeException', message: 'too big' })
  })
})
