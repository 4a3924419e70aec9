/**
 * The same SDK script against moto's server and ours: every step moto gets right, we must
 * get right too (client-facing compatibility at least as good as moto's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmulator } from '../src/emulator.ts'
import { startKmsServer, type KmsServer } from '../src/server/index.ts'
import { motoUnavailableReason, startMoto, type MotoServer } from './support/moto.ts'
import { comparisonTable, localClient, runSdkScript } from './support/sdk-script.ts'

const reason = motoUnavailableReason()
if (reason !== undefined) console.warn(`endpoint-moto: skipped: ${reason}`)

describe.skipIf(reason !== undefined)('our endpoint vs moto, same SDK script', () => {
  let moto: MotoServer
  let ours: KmsServer

  beforeAll(async () => {
    moto = await startMoto()
    ours = await startKmsServer({ emulator: createEmulator({ profile: 'none', audit: { capacity: 0 } }), port: 0 })
  })
  afterAll(async () => {
    await Promise.all([moto?.stop(), ours?.close()])
  })

  it('passes every step moto passes (and says where each differs)', async () => {
    const motoClient = localClient(moto.url)
    const ourClient = localClient(ours.url)
    const m = await runSdkScript(motoClient, 'moto')
    const o = await runSdkScript(ourClient, 'ours')
    motoClient.destroy()
    ourClient.destroy()
    const table = comparisonTable(o, m, 'kms-bench', 'moto')
    console.log(`SDK script, kms-bench vs moto:\n${table}`)
    const regressions = m.filter((s) => s.pass && o.find((x) => x.step === s.step)?.pass !== true).map((s) => s.step)
    expect(regressions, table).toEqual([])
    // And we get the whole script right.
    expect(
      o.filter((s) => !s.pass),
      table,
    ).toEqual([])
    expect(m.filter((s) => s.pass).length).toBeGreaterThan(10)
  })
})
