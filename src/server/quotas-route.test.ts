/**
 * `GET/PUT /kms-bench/quotas`: how `kms-bench run` applies a variant's quota increase to a
 * kms-bench endpoint for that variant, and restores the endpoint's own quotas after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import { createEmulator, type Emulator } from '../emulator.ts'
import { startKmsServer, type KmsServer } from './http.ts'

describe('the quotas admin route', () => {
  let emulator: Emulator
  let server: KmsServer
  beforeAll(async () => {
    emulator = createEmulator({ clock: new VirtualClock(), quotas: { symmetric: 100 }, audit: { capacity: 0 } })
    server = await startKmsServer({ emulator, port: 0 })
  })
  afterAll(async () => {
    await server.close()
  })

  const put = (body: unknown): Promise<Response> =>
    fetch(`${server.url}/kms-bench/quotas`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('shows, replaces and restores the overrides; the limit follows', async () => {
    expect(await (await fetch(`${server.url}/kms-bench/quotas`)).json()).toEqual({ quotas: { symmetric: 100 } })
    expect(emulator.quotaLimit('symmetric')).toBe(100)
    const r = await put({ quotas: { symmetric: 20_000 } })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ quotas: { symmetric: 20_000 } })
    expect(emulator.quotaLimit('symmetric')).toBe(20_000)
    await put({ quotas: { symmetric: 100 } })
    expect(emulator.quotaLimit('symmetric')).toBe(100)
  })

  it('refuses a bad body or a bad pool with a 400 naming the problem, changing nothing', async () => {
    const bad = await put({ quotas: { symmetric: -1 } })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toContain("quota 'symmetric' must be a positive number")
    const unknown = await put({ quotas: { 'no-such-pool': 5 } })
    expect(unknown.status).toBe(400)
    expect(emulator.quotaLimit('symmetric')).toBe(100)
  })
})
